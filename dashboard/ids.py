"""Component IDs, in one place so layouts, callbacks and tests agree."""

from __future__ import annotations

URL = "url"
PAGE = "page"
LANG = "lang"
POLL = "poll"
STATE = "data-state"  # revisions and when data was last read, per page

TOWNSHIPS = "filter-townships"
LEVEL = "filter-level"
GRADES = "filter-grades"
LANG_SWITCH = "lang-switch"

FIGURES = "key-figures"
STATUS = "data-status"
RESPONSE = "response-banner"
DETAILS = "details"


def map_graph(kind: str) -> str:
    """The dcc.Graph of one of the four maps."""
    return f"map-{kind}"
