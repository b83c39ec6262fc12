"""The MapLibre style every map uses: offline, with labels drawn from app-served fonts.

plotly passes a style dict in ``layout.map.style`` to MapLibre unchanged. This
one needs nothing from outside the app:

- no ``glyphs`` URL: MapLibre (>= 5.11, bundled with plotly >= 7) draws label
  glyphs itself from the fonts named in ``font-faces``, which the app serves
  from ``assets/fonts/`` (subsets of Noto Sans CJK SC, built by
  ``scripts/build_fonts.py``), so Chinese labels read even on a client with
  no CJK fonts;
- ``sources`` is never empty: with ``{}`` the first ``Plotly.react`` update
  drops the key, MapLibre rejects the changed style and the map freezes;
- optional raster tiles from a server the command centre can reach (an
  intranet tile server, or Tianditu with a key).

Call it with the same arguments and you get an equal dict with the same key
order, so plotly never sees a changed style and never reloads it.
"""

from __future__ import annotations

import re
from collections.abc import Callable

# The family the page's CSS (assets/fonts.css) declares over the same files;
# also usable as a map ``textfont.family``.
FONT_FAMILY = "Noto Sans SC Local"
# The page's family for GB2312's whole file, named after FONT_FAMILY in CSS font-family
# lists: the browser fetches it only for a character the family before it lacks
# (FONT_FAMILY holds Latin and the store's own characters, see dashboard.fontsubset).
FONT_FAMILY_GB2312 = "Noto Sans SC GB2312"
PAGE_FONTS = f'"{FONT_FAMILY}", "{FONT_FAMILY_GB2312}"'

# What each font file holds, as CSS unicode-range values. scripts/build_fonts.py
# builds the files from these ranges and checks that they cover every glyph.
LATIN_RANGES: tuple[str, ...] = ("U+0000-024F", "U+2000-206F", "U+2100-218F")
CJK_RANGES: tuple[str, ...] = (
    "U+02B0-02FF",  # spacing modifiers (ˇ ˉ in GB2312)
    "U+0370-04FF",  # Greek, Cyrillic
    "U+2190-23FF",  # arrows, maths operators, technical symbols
    "U+2460-26FF",  # ① ⑴ ⒈, box drawing, ■ ▲ ○, ★ ♀
    "U+3000-312F",  # CJK punctuation, kana, bopomofo
    "U+3200-32FF",  # ㈠ ...
    "U+4E00-9FFF",  # CJK unified ideographs (the file holds GB2312's 6,763)
    "U+FF00-FFEF",  # full-width forms
)

# File name (under assets/) -> the ranges it is used for.
FONT_FILES: dict[str, tuple[str, ...]] = {
    "fonts/latin.woff2": LATIN_RANGES,
    "fonts/cjk.woff2": CJK_RANGES,
}

# The fontstacks plotly asks for (from ``textfont``: family, weight, style), and
# the files that draw them. There are no bold or italic files (a bold CJK subset
# would be another 2.4 MB): bold and italic labels draw in the regular face, so
# a label never mixes bold Latin with regular hanzi. Use size, colour or a halo
# for emphasis. Other fontstacks fall back to the client's own fonts.
_REGULAR = ("fonts/latin.woff2", "fonts/cjk.woff2")
FONTSTACKS: dict[str, tuple[str, ...]] = {
    "Open Sans Regular": _REGULAR,
    "Open Sans Bold": _REGULAR,
    "Open Sans Italic": _REGULAR,
    "Open Sans Bold Italic": _REGULAR,
    FONT_FAMILY: _REGULAR,
}

DEFAULT_BACKGROUND = "#eef1f4"
EMPTY_SOURCE = "fourmaps-empty"
BASEMAP = "basemap"


def parse_ranges(ranges: tuple[str, ...] | list[str]) -> set[int]:
    """Code points of CSS unicode-range values such as ``U+4E00-9FFF``."""
    points: set[int] = set()
    for value in ranges:
        match = re.fullmatch(r"U\+([0-9A-F]{1,6})(?:-([0-9A-F]{1,6}))?", value, re.IGNORECASE)
        if not match:
            raise ValueError(f"not a unicode-range: {value!r}")
        start = int(match[1], 16)
        end = int(match[2], 16) if match[2] else start
        points.update(range(start, end + 1))
    return points


def _default_asset_url(path: str) -> str:
    return f"/assets/{path}"


def font_faces(
    asset_url: Callable[[str], str] | None = None, first: dict | None = None
) -> dict[str, list[dict]]:
    """The style's ``font-faces``: each fontstack plotly may ask for -> app-served files.

    Parameters
    ----------
    asset_url
        Turns a path under ``assets/`` into its URL; pass ``app.get_asset_url``
        when the app runs under a URL prefix. Default: ``/assets/<path>``.
    first
        A face (``{"url": ..., "unicode-range": [...]}``) tried before the
        GB2312 file: MapLibre draws a character with the first face whose
        range holds it, and fetches only that face (see dashboard.fontsubset).
    """
    url = asset_url or _default_asset_url
    faces = {}
    for stack, files in FONTSTACKS.items():
        listed = [{"url": url(path), "unicode-range": list(FONT_FILES[path])} for path in files]
        if first is not None:
            listed.insert(1, first)  # after Latin, before the GB2312 file
        faces[stack] = listed
    return faces


def map_style(
    tile_url: str | None = None,
    tile_attribution: str = "",
    *,
    background: str = DEFAULT_BACKGROUND,
    asset_url: Callable[[str], str] | None = None,
    tile_size: int = 256,
    first_face: dict | None = None,
) -> dict:
    """The complete MapLibre style for ``layout.map.style``.

    Parameters
    ----------
    tile_url
        Optional raster tile URL template with ``{z}``, ``{x}``, ``{y}``, e.g.
        ``http://tiles.local/{z}/{x}/{y}.png``. None: a plain background only.
    tile_attribution
        Attribution shown with the tiles (HTML allowed, as MapLibre shows it).
    background
        Colour of the background layer (under the tiles, if any).
    asset_url
        Turns a path under ``assets/`` into its URL (``app.get_asset_url``
        under a URL prefix). Default: ``/assets/<path>``.
    tile_size
        Pixel size of one tile.
    first_face
        A font face tried before the GB2312 file (the store's own characters).

    Returns
    -------
    dict
        A style with version 8, a non-empty ``sources``, a ``background``
        layer (plus a ``raster`` layer with tiles), ``font-faces``, no
        ``glyphs`` and no eased transitions. Equal arguments give an equal dict
        with the same key order.
    """
    sources: dict[str, dict] = {
        EMPTY_SOURCE: {"type": "geojson", "data": {"type": "FeatureCollection", "features": []}},
    }
    layers: list[dict] = [
        {"id": "background", "type": "background", "paint": {"background-color": background}},
    ]
    if tile_url:
        raster: dict = {"type": "raster", "tiles": [tile_url], "tileSize": tile_size}
        if tile_attribution:
            raster["attribution"] = tile_attribution
        sources[BASEMAP] = raster
        layers.append({"id": BASEMAP, "type": "raster", "source": BASEMAP})
    return {
        "version": 8,
        "name": "fourmaps",
        # No eased paint changes: plotly re-sets paint properties at every update, and
        # each eased change repaints the map for 300 ms (a costly frame without a GPU).
        "transition": {"duration": 0, "delay": 0},
        "sources": sources,
        "layers": layers,
        "font-faces": font_faces(asset_url, first_face),
    }
