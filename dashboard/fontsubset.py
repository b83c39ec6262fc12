"""A font of exactly the characters the store's text uses: what a township pick costs.

MapLibre fetches a font file the first time a label needs a character in its
``unicode-range``, and the browser does the same for page text. With one
GB2312 file (``assets/fonts/cjk.woff2``, 2.4 MB) the first township names a
map drew cost ~1.4 s of a township pick. Measured on the demo and the city
set (README, "Fonts"), slicing GB2312 by character frequency, as web font
services do, still fetched 18 slices (646 KB) for the demo's 16 township
names: place names use rare characters. A subset of the characters of the
store's own text (names, people, reasons, and the interface's words) is
~170 KB for the demo or the city, one file, and covers every label, hover
and panel.

So each page names such a subset first in its map style and its CSS, and
the GB2312 file after it: a character the subset lacks (a name added after
the page loaded) is still drawn, from the big file. The subset is built from
``cjk.woff2`` in ~1.6 s, once per set of characters (its URL holds their
hash, so browsers cache it for good): as the app starts, and again when the
text changes.
"""

from __future__ import annotations

import hashlib
import io
import threading
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from config import ROOT
from dashboard.i18n import GRID_ZH, STRINGS
from dashboard.mapstyle import CJK_RANGES, FONT_FAMILY, parse_ranges
from domain import (
    COMMAND_LEVELS,
    DANGER_GRADES,
    DEPOT_LEVELS,
    FIVE_IN_PLACE,
    FORCE_STATUSES,
    FORCE_TYPES,
    HAZARD_KINDS,
    INCIDENT_TYPES,
    LEDGER_STATUSES,
    LEDGER_STEPS,
    MATERIAL_CATALOGUE,
    NODE_STATUSES,
    ORDER_STATUSES,
    RECTIFICATION_STATUSES,
    RESPONSE_LEVELS,
    RISK_CATEGORIES,
    RISK_GRADES,
    RISK_KINDS,
    WARNING_COLOURS,
)

SOURCE = ROOT / "assets" / "fonts" / "cjk.woff2"
ROUTE = "/_fourmaps/fonts/"  # where the app serves the subsets (see dashboard.maps.register)
_CJK = frozenset(parse_ranges(CJK_RANGES))
_lock = threading.Lock()  # the subsets pages named
_building = threading.Lock()  # fontTools objects are not shared between threads


@dataclass(frozen=True)
class NamesFont:
    """One subset: its file name, the characters it holds and their unicode-range."""

    name: str
    characters: str
    ranges: tuple[str, ...]

    @property
    def url(self) -> str:
        return ROUTE + self.name

    def css(self) -> str:
        """An ``@font-face`` of the page's font family over this subset."""
        return (
            "@font-face {\n"
            f'  font-family: "{FONT_FAMILY}";\n'
            f'  src: url("{self.name}") format("woff2");\n'
            "  font-weight: 400;\n  font-style: normal;\n  font-display: swap;\n"
            f"  unicode-range: {', '.join(self.ranges)};\n"
            "}\n"
        )


def _vocabulary() -> set[str]:
    words = [zh for zh, _ in STRINGS.values()] + list(GRID_ZH.values())
    for terms in (
        RISK_GRADES, RISK_KINDS, RECTIFICATION_STATUSES, RISK_CATEGORIES, RESPONSE_LEVELS,
        WARNING_COLOURS, DEPOT_LEVELS, FORCE_TYPES, FORCE_STATUSES, COMMAND_LEVELS, NODE_STATUSES,
        LEDGER_STATUSES, LEDGER_STEPS, DANGER_GRADES, FIVE_IN_PLACE, INCIDENT_TYPES, HAZARD_KINDS,
        ORDER_STATUSES,
    ):  # fmt: skip
        words += [term.zh for term in terms]
    words += [item.zh + item.unit_zh for item in MATERIAL_CATALOGUE]
    words.append("ⅠⅡⅢⅣ级")
    return set("".join(words))


def text_characters(frames: Iterable[pd.DataFrame]) -> set[str]:
    """Every character of the text columns of ``frames`` (each distinct value read once)."""
    found: set[str] = set()
    for frame in frames:
        for column in frame.columns:
            values = frame[column]
            if column == "geom" or not (
                values.dtype == object
                or isinstance(values.dtype, pd.CategoricalDtype | pd.StringDtype)
                or pd.api.types.is_string_dtype(values)
            ):
                continue
            try:
                unique = values.dropna().unique()
            except TypeError:  # lists (an activation's townships): no text to draw
                continue
            found.update("".join(str(v) for v in unique if isinstance(v, str)))
    return found


def characters(frames: Iterable[pd.DataFrame]) -> str:
    """The characters a subset must hold for ``frames`` and the interface: those of
    the GB2312 file's ranges (Latin is in ``latin.woff2``), sorted."""
    found = text_characters(frames) | _vocabulary()
    return "".join(sorted(c for c in found if ord(c) in _CJK))


def unicode_ranges(text: str) -> tuple[str, ...]:
    """CSS unicode-range values for the characters of ``text``, runs merged."""
    points = sorted({ord(c) for c in text})
    ranges: list[str] = []
    start = prev = None
    for point in [*points, None]:
        if start is not None and (point is None or point != prev + 1):
            ranges.append(f"U+{start:04X}" if start == prev else f"U+{start:04X}-{prev:04X}")
            start = None
        if point is not None and start is None:
            start = point
        prev = point
    return tuple(ranges)


def names_font(text: str) -> NamesFont:
    """The subset for these characters (its bytes are built on first request)."""
    digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    return NamesFont(f"names-{digest}.woff2", text, unicode_ranges(text))


_built: dict[str, bytes] = {}  # characters -> woff2, the last few subsets built


def subset_bytes(text: str) -> bytes:
    """A woff2 of ``cjk.woff2``'s glyphs for the characters of ``text`` (~1.6 s to build;
    a request that comes while it is built waits for it rather than building it again)."""
    with _building:
        got = _built.get(text)
        if got is None:
            if len(_built) >= 8:
                _built.clear()
            got = _built[text] = _subset(text)
        return got


def ready(text: str) -> bool:
    """Whether the subset for ``text`` is built: a request for it answers at once."""
    with _building:
        return text in _built


def _subset(text: str) -> bytes:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(SOURCE, recalcBBoxes=False)  # the full font's bounds hold a subset's (~1 s less)
    options = subset.Options(
        flavor="woff2", desubroutinize=True, name_IDs=[0, 1, 2, 3, 4, 5, 6, 7, 13, 14]
    )
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(c) for c in text])
    subsetter.subset(font)
    out = io.BytesIO()
    font.flavor = "woff2"
    font.save(out)
    return out.getvalue()


_known: dict[str, NamesFont] = {}  # file name -> font, for the route to find its characters


def remember(font: NamesFont) -> NamesFont:
    """Let the route serve ``font`` (pages name it in their style)."""
    with _lock:
        if len(_known) > 32:
            _known.clear()
        _known[font.name] = font
    return font


def lookup(file_name: str) -> NamesFont | None:
    """The subset a page asked for by file name."""
    with _lock:
        return _known.get(file_name)
