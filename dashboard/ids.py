"""Component IDs, in one place so layouts, callbacks and tests agree.

Both screens (desk and wall) use the same map and state IDs, so the map
callbacks are registered once and serve whichever screen is open.
"""

from __future__ import annotations

URL = "url"
PAGE = "page"
LANG = "lang"
SCREEN = "screen"  # which screen is open ("overview" or "wall") and the window size
VIEWPORT = "viewport"  # the browser window's size, read once per page load
POLL = "poll"
STATE = "data-state"  # the revisions and filter the maps were drawn from
REVS = "data-revisions"  # the newest revisions the poll has seen
LAST_OK = "data-last-ok"  # when the poll last reached the database
FILTER = "filter"  # the filter in force: {"townships": [...], "level": n, "grades": [...]}

TOWNSHIPS = "filter-townships"
LEVEL = "filter-level"
GRADES = "filter-grades"

FIGURES = "key-figures"
STATUS = "data-status"
RESPONSE = "response-banner"
WARNING = "weather-warning"
DETAILS = "details"
CLOCK = "clock"


def map_graph(kind: str) -> str:
    """The dcc.Graph of one of the four maps."""
    return f"map-{kind}"


def map_view(kind: str) -> str:
    """The dcc.Store remembering what one map shows: totals, all points, or a window."""
    return f"view-{kind}"
