"""Build the app's offline web fonts from Debian's ``fonts-noto-cjk``.

    python scripts/build_fonts.py            # rebuild assets/fonts/ and assets/fonts.css
    python scripts/build_fonts.py --check    # only check the committed files

Writes, from the Simplified Chinese face of Noto Sans CJK Regular (the
``.ttc`` collection holds several faces; the SC one is picked by name):

- ``assets/fonts/latin.woff2``: Latin, general punctuation, letterlike
  symbols and number forms (℃, №, Ⅰ-Ⅻ);
- ``assets/fonts/cjk.woff2``: GB2312's characters (6,763 hanzi plus its
  symbols) outside the Latin ranges, CJK punctuation, full-width forms;
- ``assets/fonts/OFL.txt`` (the fonts' licence), ``assets/fonts/README.md``;
- ``assets/fonts.css``: ``@font-face`` rules for the page text.

The ranges come from ``dashboard.mapstyle`` (which maps them into the map
style), so the files, the CSS and the map style always agree. The output is
reproducible (no timestamps). Needs fontTools and brotli; takes about a minute.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import subprocess
import sys
import time
from pathlib import Path

from fontTools import subset
from fontTools import version as fonttools_version
from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dashboard.mapstyle import (  # noqa: E402
    CJK_RANGES,
    FONT_FAMILY,
    FONT_FAMILY_GB2312,
    LATIN_RANGES,
    parse_ranges,
)

SOURCE_DIR = Path("/usr/share/fonts/opentype/noto")
FACE_NAME = "Noto Sans CJK SC"
DEBIAN_COPYRIGHT = Path("/usr/share/doc/fonts-noto-cjk/copyright")
ASSETS = ROOT / "assets"
FONTS = ASSETS / "fonts"

# (output file, source collection, CSS weight, "latin" or "cjk"). No bold files:
# bold CJK would add 2.4 MB, and bold Latin alone gives mixed-weight labels.
OUTPUTS: tuple[tuple[str, str, int, str], ...] = (
    ("latin.woff2", "NotoSansCJK-Regular.ttc", 400, "latin"),
    ("cjk.woff2", "NotoSansCJK-Regular.ttc", 400, "cjk"),
)
# Sizes outside these bounds mean the subset went wrong.
SANE_BYTES = {"latin": (10_000, 120_000), "cjk": (1_500_000, 3_500_000)}


def gb2312_code_points() -> set[int]:
    """Every character of GB2312 (7,445: 6,763 hanzi and 682 symbols)."""
    points = set()
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                points.add(ord(bytes([high, low]).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    return points


def wanted_code_points(kind: str) -> set[int]:
    """What a file of this kind should hold (before intersecting with the font)."""
    latin = parse_ranges(LATIN_RANGES)
    if kind == "latin":
        return latin
    extra = parse_ranges(("U+3000-303F", "U+FF00-FFEF"))
    return (gb2312_code_points() | extra) - latin


def load_face(collection: Path, name: str = FACE_NAME) -> TTFont:
    """The face called ``name`` from a ``.ttc`` collection."""
    index = 0
    while True:
        try:
            font = TTFont(collection, fontNumber=index, lazy=True)
        except IndexError:
            break
        family = font["name"].getDebugName(1)
        font.close()
        if family == name:
            # recalcTimestamp=False keeps head.modified: the same input builds the same file.
            return TTFont(collection, fontNumber=index, recalcTimestamp=False)
        index += 1
    raise SystemExit(f"build_fonts: no face named {name!r} in {collection}")


def build_subset(collection: Path, code_points: set[int]) -> bytes:
    """A woff2 of the code points the face has among ``code_points``."""
    font = load_face(collection)
    options = subset.Options(
        flavor="woff2",
        desubroutinize=True,  # smaller after woff2's brotli
        name_IDs=[0, 1, 2, 3, 4, 5, 6, 7, 13, 14],  # keep copyright and licence
    )
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(code_points))
    subsetter.subset(font)
    out = io.BytesIO()
    font.flavor = "woff2"
    font.save(out)
    return out.getvalue()


def licence_text(font_copyright: str) -> str:
    """SIL OFL 1.1 with the fonts' copyright line, from Debian's copyright file."""
    lines = DEBIAN_COPYRIGHT.read_text(encoding="utf-8").splitlines()
    # The stand-alone "License: SIL-1.1" paragraph holds the text (indented).
    start = next(
        i + 1
        for i, line in enumerate(lines[:-1])
        if line == "License: SIL-1.1" and lines[i + 1].startswith(" ")
    )
    body = []
    for line in lines[start:]:
        if not line.startswith(" "):
            break
        body.append("" if line.strip() == "." else line[1:])
    return (
        f"{font_copyright}\n\nThis Font Software is licensed under the SIL Open Font License, "
        f"Version 1.1.\nThis license is copied below.\n\n" + "\n".join(body) + "\n"
    )


def fonts_css() -> str:
    """``@font-face`` rules over the same files the maps use: Latin in FONT_FAMILY (the
    app adds the store's own characters to it), GB2312 in FONT_FAMILY_GB2312."""
    rules = [
        "/* Generated by scripts/build_fonts.py from dashboard/mapstyle.py: do not edit.",
        f'   "{FONT_FAMILY}": Noto Sans CJK SC subsets served by the app (no CDN): Latin',
        "   here, the store's own characters from /_fourmaps/fonts/names.css (~170 KB).",
        f'   "{FONT_FAMILY_GB2312}" (cjk.woff2, 2.4 MB) comes after it in font-family lists:',
        "   it loads only for a character the first family lacks.",
        "   Regular only: the browser synthesises bold for Latin and hanzi alike (a 700",
        "   face for Latin alone would send bold hanzi to other fonts, or to boxes). */",
    ]
    for name, _, weight, kind in OUTPUTS:
        ranges = LATIN_RANGES if kind == "latin" else CJK_RANGES
        family = FONT_FAMILY if kind == "latin" else FONT_FAMILY_GB2312
        rules.append(
            "@font-face {\n"
            f'  font-family: "{family}";\n'
            f'  src: url("fonts/{name}") format("woff2");\n'
            f"  font-weight: {weight};\n"
            "  font-style: normal;\n"
            "  font-display: swap;\n"
            f"  unicode-range: {', '.join(ranges)};\n"
            "}"
        )
    return "\n".join(rules) + "\n"


def readme(font_version: str) -> str:
    debian = ""
    with contextlib.suppress(OSError, subprocess.CalledProcessError):
        debian = subprocess.run(
            ["dpkg-query", "-W", "-f=${Version}", "fonts-noto-cjk"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    package = f"Debian fonts-noto-cjk {debian}" if debian else "Debian fonts-noto-cjk"
    return (
        "# Offline fonts for page text and map labels\n\n"
        f"Subsets of Noto Sans CJK SC ({font_version}; {package}), made with "
        f"`python scripts/build_fonts.py` (fontTools {fonttools_version}, woff2): "
        "`latin.woff2` holds U+0000-024F, U+2000-206F and "
        "U+2100-218F; `cjk.woff2` holds GB2312's characters outside those ranges, "
        "U+3000-303F and U+FF00-FFEF. Licence: SIL OFL 1.1, see `OFL.txt`. "
        "`dashboard/mapstyle.py` maps them into the map style (`font-faces`) and "
        '`assets/fonts.css` declares them for the page as "Noto Sans SC Local" (Latin) '
        'and "Noto Sans SC GB2312". The app also serves, from `cjk.woff2`, a subset of '
        "the characters its store's text uses (`dashboard/fontsubset.py`, ~170 KB), named "
        "before `cjk.woff2` in both: a page and its maps fetch that one, and the big file "
        "only for a character the subset lacks.\n"
    )


def check(fonts_dir: Path = FONTS) -> list[str]:
    """Problems with the built files: missing, odd sizes, glyphs outside their ranges."""
    problems = []
    for name, _, _, kind in OUTPUTS:
        path = fonts_dir / name
        if not path.exists():
            problems.append(f"{path} is missing")
            continue
        size = path.stat().st_size
        low, high = SANE_BYTES[kind]
        if not low <= size <= high:
            problems.append(f"{name}: {size:,} bytes, expected {low:,}-{high:,}")
        cmap = set(TTFont(path)["cmap"].getBestCmap())
        ranges = parse_ranges(LATIN_RANGES if kind == "latin" else CJK_RANGES)
        if outside := cmap - ranges:
            problems.append(
                f"{name}: {len(outside)} characters outside its unicode-range, "
                f"e.g. U+{min(outside):04X}"
            )
        # Every GB2312 character must be there (the face lacks only some controls
        # and unassigned points of the other ranges).
        if kind == "cjk" and (missing := gb2312_code_points() - parse_ranges(LATIN_RANGES) - cmap):
            problems.append(f"{name}: {len(missing)} GB2312 characters missing")
        if kind == "cjk" and not {ord("郢"), ord("镇"), ord("级")} <= cmap:
            problems.append(f"{name}: lacks 郢 镇 级")
        if kind == "latin" and not {0x2160, 0x2163, 0xB0, 0xB2, 0xB3} <= cmap:
            problems.append(f"{name}: lacks Ⅰ Ⅳ ° ² ³")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--source",
        type=Path,
        default=SOURCE_DIR,
        help=f"folder with NotoSansCJK-*.ttc (default {SOURCE_DIR})",
    )
    parser.add_argument("--check", action="store_true", help="only check the built files")
    args = parser.parse_args(argv)

    if not args.check:
        FONTS.mkdir(parents=True, exist_ok=True)
        for name, collection, _, kind in OUTPUTS:
            started = time.monotonic()
            data = build_subset(args.source / collection, wanted_code_points(kind))
            (FONTS / name).write_bytes(data)
            print(
                f"build_fonts: {name}: {len(data):,} bytes ({time.monotonic() - started:.0f} s)",
                flush=True,
            )
        face = load_face(args.source / "NotoSansCJK-Regular.ttc")
        (FONTS / "OFL.txt").write_text(licence_text(face["name"].getDebugName(0)), encoding="utf-8")
        (FONTS / "README.md").write_text(readme(face["name"].getDebugName(5)), encoding="utf-8")
        (ASSETS / "fonts.css").write_text(fonts_css(), encoding="utf-8")
        print("build_fonts: wrote OFL.txt, README.md and assets/fonts.css")

    problems = check()
    for problem in problems:
        print(f"build_fonts: {problem}", file=sys.stderr)
    if not problems:
        print("build_fonts: fonts OK")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
