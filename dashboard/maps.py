"""The four maps of a page: first figures, and the patches that keep them current."""

from __future__ import annotations

from dataclasses import dataclass

from dash import no_update

from dashboard.figures import (
    MAP_KINDS,
    NAMES,
    OUTLINES,
    SPECS,
    View,
    as_patch,
    base_figure,
    outline_arrays,
    slot_updates,
    view_for,
    with_updates,
)
from dashboard.mapstyle import map_style
from layers.aggregate import township_anchors
from layers.snapshot import Selection, Snapshot

# Which maps a layer's change touches.
AFFECTS: dict[str, tuple[str, ...]] = {
    "townships": MAP_KINDS,
    "risk": ("risk",),
    "materials": ("materials",),
    "forces": ("forces",),
    "command": ("command",),
    "response": (),
}


@dataclass(frozen=True)
class Theme:
    """How a screen draws its maps: light for desks, dark for the wall."""

    background: str = "#eef1f4"
    outline: str = "#4a5b6c"
    text: str = "#203040"
    legend_bg: str = "rgba(255,255,255,0.8)"
    font_size: int = 12
    size_scale: float = 1.0
    width: int = 640  # a map's size in pixels (on the small side), to fit the view
    height: int = 330


def _view(sel: Selection, theme: Theme) -> View:
    return view_for(sel.bounds(), theme.width, theme.height)


def _uirevision(sel: Selection) -> str:
    # A new township selection re-frames the maps; a data refresh keeps the user's view.
    return ",".join(sel.filter.townships or ("all",))


def _updates(kind: str, sel: Selection, lang: str, theme: Theme) -> dict[int, dict]:
    return slot_updates(
        SPECS[kind],
        getattr(sel, kind),
        sel.towns,
        lang,
        links=sel.links if kind == "command" else None,
        size_scale=theme.size_scale,
    )


def first_figures(
    sel: Selection,
    snap: Snapshot,
    lang: str,
    theme: Theme,
    tile_url: str | None = None,
    tile_attribution: str = "",
) -> dict[str, dict]:
    """Complete figures for a page's first load: no callback round trip needed."""
    style = map_style(tile_url, tile_attribution, background=theme.background)
    figures = {}
    for kind in MAP_KINDS:
        fig = base_figure(
            SPECS[kind],
            snap.towns,
            style,
            _view(sel, theme),
            lang,
            outline_colour=theme.outline,
            text_colour=theme.text,
            font_size=theme.font_size,
            uirevision=_uirevision(sel),
        )
        fig.update_layout(legend={"bgcolor": theme.legend_bg, "font": {"color": theme.text}})
        figures[kind] = with_updates(fig, _updates(kind, sel, lang, theme))
    return figures


def map_patches(
    sel: Selection, snap: Snapshot, lang: str, theme: Theme, *, changed: set[str], reframe: bool
) -> list:
    """A Patch for each map a change touches, ``no_update`` for the others.

    ``reframe`` (a new filter) also moves the view to the selection; a data
    refresh leaves the view where the person put it.
    """
    touched = {kind for layer in changed for kind in AFFECTS.get(layer, MAP_KINDS)}
    if reframe:
        touched = set(MAP_KINDS)
    out = []
    for kind in MAP_KINDS:
        if kind not in touched:
            out.append(no_update)
            continue
        updates = _updates(kind, sel, lang, theme)
        if "townships" in changed:
            lons, lats = outline_arrays(snap.towns)
            anchors = township_anchors(snap.towns)
            updates[OUTLINES] = {"lon": lons, "lat": lats}
            updates[NAMES] = {
                "lon": anchors["x"].round(5).tolist(),
                "lat": anchors["y"].round(5).tolist(),
                "text": anchors["name_en" if lang == "en" else "name"].tolist(),
            }
        out.append(
            as_patch(
                updates,
                _view(sel, theme) if reframe else None,
                _uirevision(sel) if reframe else None,
            )
        )
    return out
