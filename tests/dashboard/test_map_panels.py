"""The desk's map panels, without a browser: each map's table sits beside its map in the
same panel (opened by a button on the map's title), the grids' headers wrap instead of
being cut off, and the grids' own words are Chinese on a Chinese page."""

from __future__ import annotations

from dash import dcc, html

from dashboard import ids
from dashboard.figures import MAP_KINDS
from dashboard.fontsubset import _vocabulary
from dashboard.i18n import GRID_ZH
from dashboard.overview import with_tables
from dashboard.record_tables import DEFAULT_COL, grid_locale


def cards() -> list[html.Div]:
    """Map cards as :func:`dashboard.screen.map_cards` builds them."""
    return [
        html.Div([html.H2(f"title {kind}"), dcc.Graph(id=ids.map_graph(kind))],
                 className=f"map-card map-{kind}")
        for kind in MAP_KINDS
    ]  # fmt: skip


def test_each_map_panel_holds_its_map_and_beside_it_its_table():
    tables = {kind: html.Section(id=f"{kind}-records") for kind in MAP_KINDS}
    panels = with_tables(cards(), tables, "zh")
    assert [p.id for p in panels] == [ids.map_card(k) for k in MAP_KINDS]
    for kind, panel in zip(MAP_KINDS, panels, strict=True):
        title, body = panel.children
        assert panel.className == f"map-card map-{kind}"  # closed: the four maps, as before
        # the title keeps its text and gets the button that opens the table
        assert title.children[0] == f"title {kind}"
        toggle = title.children[1]
        assert toggle.id == ids.table_part(kind, "toggle") and toggle.children == "清单"
        assert getattr(toggle, "aria-expanded") == "false"
        # the map first (left), then its table (right), in one row of the panel
        graph, side = body.children
        assert body.className == "map-body"
        assert graph.id == ids.map_graph(kind)
        assert side.className == "map-table" and side.children is tables[kind]
    english = with_tables(cards(), tables, "en")
    assert english[2].children[0].children[1].children == "Table"


def test_the_headers_wrap_and_the_grids_words_follow_the_page_language():
    assert DEFAULT_COL["wrapHeaderText"] and DEFAULT_COL["autoHeaderHeight"]
    assert grid_locale("en") == {}
    zh = grid_locale("zh")
    for key in ("contains", "equals", "filterOoo", "applyFilter", "resetFilter", "page",
                "of", "loadingOoo", "noRowsToShow", "noMatchingRows", "greaterThanOrEqual",
                "lessThanOrEqual", "pinColumn", "sortAscending", "ariaFilterInput"):  # fmt: skip
        assert key in zh, key
    assert all(any("\u3400" <= ch <= "\u9fff" for ch in word) or word == "?"
               for word in GRID_ZH.values())  # fmt: skip
    assert zh is not GRID_ZH  # a copy: the grid may not change the module's words
    # drawn with the page's subset of characters, never GB2312's whole file
    assert set("".join(GRID_ZH.values())) - set("?") <= _vocabulary()
