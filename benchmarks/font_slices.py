"""What the first names cost in font bytes: frequency slices against a subset of the store.

    pip install jieba==0.42.1   # only for its word frequencies (MIT); not an app dependency
    python -m benchmarks.font_slices

Web font services slice CJK fonts into unicode-range files of ~100 characters
ordered by frequency, so a page fetches the slices it shows. This builds such
slices of GB2312 (frequency from jieba's dictionary) from Debian's Noto Sans
CJK and counts what the demo's and the city set's township names would fetch;
and builds the subset of the characters of each store's text plus the
interface (what ``dashboard.fontsubset`` serves). Prints bytes (woff2).
"""

from __future__ import annotations

import collections
import importlib.util
import sys
from pathlib import Path

from benchmarks.servers import ROOT


def _build_fonts():
    spec = importlib.util.spec_from_file_location("build_fonts", ROOT / "scripts/build_fonts.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def frequency_order(gb2312: list[str]) -> str:
    """GB2312's hanzi, most frequent first, by jieba's word frequencies."""
    import jieba

    counts: collections.Counter = collections.Counter()
    dictionary = Path(jieba.__file__).with_name("dict.txt")
    for line in dictionary.read_text(encoding="utf-8").splitlines():
        word, freq, _ = line.split()
        for char in word:
            counts[char] += int(freq)
    rank = {c: n for n, c in enumerate(gb2312)}
    return "".join(sorted(gb2312, key=lambda c: (-counts[c], rank[c])))


def main() -> int:
    from dashboard import fontsubset
    from data.city import build_city
    from data.demo import build_demo

    bf = _build_fonts()
    source = bf.SOURCE_DIR / "NotoSansCJK-Regular.ttc"
    hanzi = sorted(chr(p) for p in bf.gb2312_code_points() if 0x4E00 <= p <= 0x9FFF)
    sets = {"demo": build_demo(), "city": build_city()}
    for name, frames in sets.items():
        text = fontsubset.characters(frames.values())
        towns = {c for n in frames["townships"]["name"] for c in n}
        subset = len(bf.build_subset(source, {ord(c) for c in text}))
        only = len(bf.build_subset(source, {ord(c) for c in towns}))
        print(
            f"{name}: store text + interface {len(text)} characters, subset {subset:,} bytes; "
            f"township names alone {len(towns)} characters, {only:,} bytes",
            flush=True,
        )
    try:
        order = frequency_order(hanzi)
    except ImportError:
        print("frequency slices: pip install jieba==0.42.1 to measure them")
        return 0
    for size in (100, 200):
        slices = [order[i : i + size] for i in range(0, len(order), size)]
        built: dict[int, int] = {}
        for name, frames in sets.items():
            towns = {c for n in frames["townships"]["name"] for c in n}
            hit = [i for i, s in enumerate(slices) if set(s) & towns]
            for i in hit:
                built.setdefault(i, len(bf.build_subset(source, {ord(c) for c in slices[i]})))
            total = sum(built[i] for i in hit)
            print(
                f"slices of {size}: {name}'s township names fetch {len(hit)} of "
                f"{len(slices)} slices, {total:,} bytes",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
