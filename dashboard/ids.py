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
FILTER_LATE = "filter-late"  # the same filter once the maps have drawn it: the panels' input

TOWNSHIPS = "filter-townships"
LEVEL = "filter-level"
GRADES = "filter-grades"

FIGURES = "key-figures"
STATUS = "data-status"
RESPONSE = "response-banner"
WARNING = "weather-warning"
DETAILS = "details"
CLOCK = "clock"
URL_NOTE = "url-note"  # which URL parameters the page ignored, and why


def map_graph(kind: str) -> str:
    """The dcc.Graph of one of the four maps."""
    return f"map-{kind}"


def map_moved(kind: str) -> str:
    """The dcc.Store of one map's relayoutData when it was moved (not a mere resize)."""
    return f"moved-{kind}"


def map_view(kind: str) -> str:
    """The dcc.Store remembering what one map shows: totals, all points, or a window."""
    return f"view-{kind}"


# The write side (desk screen only; the wall has none of these).
TOOLBAR = "edit-toolbar"
EDIT_NEW = "edit-new"  # a dropdown: which kind of record to add
EDITING = "editing"  # page-level store: the open form ({"collection", "code"}) or None
EDIT_STATE = "edit-state"  # the form's record: collection, code, the version it was read at
EDIT_RESULT = "edit-result"
EDIT_SAVE = "edit-save"
EDIT_CANCEL = "edit-cancel"
EDIT_REAPPLY = "edit-reapply"
EDIT_PICK = "edit-pick"
EDIT_PICK_STATUS = "edit-pick-status"
EDIT_DRAW = "edit-draw"  # draw a hazard area on the map
EDIT_DRAW_STATUS = "edit-draw-status"
EDIT_WARNINGS = "edit-warnings"
DELETE_CONFIRM = "delete-confirm"
DELETE_TARGET = "delete-target"  # what the confirm dialog would delete
DELETED_OPEN = "deleted-open"
RESPONSE_EDIT = "response-edit"
WARNING_EDIT = "warning-edit"


def edit_field(name: str) -> dict:
    """An input of the open form (``lon``, ``lat`` and ``system`` for a location)."""
    return {"type": "edit-field", "name": name}


def edit_stock(item: str) -> dict:
    """The quantity input of one catalogue item in a depot's form."""
    return {"type": "edit-stock", "item": item}


def edit_message(name: str) -> dict:
    """Where the form says what is wrong with one field."""
    return {"type": "edit-msg", "name": name}


def record_action(action: str, collection: str, code: str) -> dict:
    """A button on a record: ``edit``, ``history`` or ``delete``."""
    return {"type": "record-action", "action": action, "collection": collection, "code": code}


def history_action(action: str, entry: int) -> dict:
    """A button on a history entry: ``revert`` or ``restore`` (admins)."""
    return {"type": "history-action", "action": action, "entry": entry}


# Incidents and dispatch (desk)
INCIDENTS_OPEN = "incidents-open"
DISPATCH_WIDEN = "dispatch-widen"
DISPATCH_DEPOTS = "dispatch-depots"
DISPATCH_FORCES = "dispatch-forces"
DISPATCH_PLAN = "dispatch-plan"  # the proposal shown, and the idempotency key of its dispatch
DISPATCH_RESULT = "dispatch-result"
DISPATCH_CONFIRM = "dispatch-confirm"


def incident_action(action: str, code: str) -> dict:
    """A button on an incident: ``recommend`` or ``log``."""
    return {"type": "incident-action", "action": action, "code": code}


def order_action(order: int, status: str) -> dict:
    """A button moving a dispatch order to ``status``."""
    return {"type": "order-action", "order": order, "status": status}


def table(kind: str) -> str:
    """The dash-ag-grid beside map ``kind``: one map, one table, one list."""
    return f"{kind}-table"


def table_part(kind: str, part: str) -> str:
    """A part of map ``kind``'s table: ``picked`` (the map's box or lasso pick),
    ``picked-note``, ``clear``, ``export``, ``download``, ``centred`` (the code a row
    click centred the map on), ``count``, ``shown`` (the codes the grid shows),
    ``revs`` (the revisions its rows were drawn from), ``toggle`` (the button on the
    map's title that opens the table beside the map)."""
    return f"{kind}-table-{part}"


def map_card(kind: str) -> str:
    """The desk's panel of map ``kind``: its title, the map and, opened, its table."""
    return f"{kind}-card"


# One map, one table, one list: the table beside the risk map (the hidden-danger ledger).
RISK_TABLE = table("risk")  # the dash-ag-grid (infinite row model: pages from the server)
RISK_TABLE_STATUS = "risk-table-status"  # ledger statuses shown
RISK_TABLE_FLAGS = "risk-table-flags"  # hidden only / overdue only / supervised only
RISK_TABLE_PICKED = table_part("risk", "picked")  # points picked on the map (box or lasso)
RISK_TABLE_PICKED_NOTE = table_part("risk", "picked-note")
RISK_TABLE_CLEAR = table_part("risk", "clear")
RISK_TABLE_EXPORT = table_part("risk", "export")
RISK_TABLE_DOWNLOAD = table_part("risk", "download")
RISK_TABLE_REFRESHED = "risk-table-refreshed"  # the clientside cache purge's output
RISK_TABLE_CENTRED = table_part("risk", "centred")  # the code a row click centred the map on
RISK_TABLE_FIGURES = "risk-table-figures"  # found, rectified, rate, overdue, ... of the filter
LEDGER_TREND = "ledger-trend"  # the monthly trend chart
LEDGER_ITEM_CODE = "ledger-item-code"  # the item whose account and step form are shown
LEDGER_ITEM = "ledger-item"  # its account and its steps
LEDGER_STEP_TO = "ledger-step-to"
LEDGER_STEP_NOTE = "ledger-step-note"
LEDGER_STEP_MEASURES = "ledger-step-measures"
LEDGER_STEP_VERIFIER = "ledger-step-verifier"
LEDGER_STEP_ON = "ledger-step-on"
LEDGER_STEP_PHOTO = "ledger-step-photo"
LEDGER_STEP_GO = "ledger-step-go"
LEDGER_STEP_RESULT = "ledger-step-result"
# Files in and out (dashboard/imports.py)
FILES_OPEN = "files-open"  # the toolbar's button
FILES_LAYER = "files-layer"
FILES_CRS = "files-crs"  # the coordinate system of the file ("": what the file says)
FILES_UPLOAD = "files-upload"
FILES_PREVIEW = "files-preview"
FILES_COMMIT = "files-commit"
FILES_PARTIAL = "files-partial"  # commit the accepted rows only
FILES_RESULT = "files-result"
FILES_EXPORTS = "files-exports"
