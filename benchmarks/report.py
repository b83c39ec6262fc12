"""The benchmark's tables: figures per store, and the issue's targets met or missed."""

from __future__ import annotations

CASES = ("one township", "all townships", "level II")
# The targets of issue 9.
FILTER_SECONDS = 0.100
BYTES_FACTOR = 10.0
ABOVE_FLOOR = 1.0
WARM_LIMIT = 3.0
REDRAW_LIMIT = 0.5
MEMORY_MIB = 1024.0


def secs(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def size(value: float | None) -> str:
    if value is None:
        return "—"
    if value >= 1e6:
        return f"{value / 1e6:.1f} MB"
    if value >= 1e3:
        return f"{value / 1e3:.0f} KB"
    return f"{value:.0f} B"


def _table(rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        "| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |"
        for row in rows
    ]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def _bytes_cell(case: dict | None) -> str:
    if not case:
        return "—"
    wire = "" if case["encoding"] == "none" else f" ({size(case['wire_bytes'])} {case['encoding']})"
    return f"{size(case['json_bytes'])}{wire}"


def store_rows(result: dict) -> list[list[str]]:
    """The figures of one store as table rows: figure, fast, naive, floor."""
    apps = result["apps"]
    names = ("fast", "naive", "floor")

    def row(label: str, get) -> list[str]:
        return [label] + [get(apps[a]) if a in apps else "—" for a in names]

    rows = [
        ["figure (medians)", *(f"{a} (n={apps[a]['runs']})" if a in apps else a for a in names)],
        row("start-up: GET / answers 200", lambda r: secs(r["served_s"])),
        row("start-up: first page complete", lambda r: secs(r["startup_complete_s"])),
    ]
    for case in CASES:
        rows.append(
            row(
                f"filter {case}: request time",
                lambda r, c=case: secs(r["filter"][c]["seconds"]) if "filter" in r else "—",
            )
        )
        rows.append(
            row(
                f"filter {case}: bytes JSON (wire)",
                lambda r, c=case: _bytes_cell(r.get("filter", {}).get(c)),
            )
        )
    rows += [
        row("first render, cold cache", lambda r: secs(r["cold_s"])),
        row("first render, warm cache", lambda r: secs(r["warm_s"])),
        row("  cold: scripts loaded at", lambda r: secs(r["timeline_cold"]["scripts_loaded"])),
        row(
            "  cold: first callback answered at",
            lambda r: secs(r["timeline_cold"]["first_callback_answered"]),
        ),
        row("  cold: bytes transferred", lambda r: size(r["timeline_cold"]["transferred_bytes"])),
        row("  map size (px, all four)", lambda r: r["timeline_cold"]["map_px"].split()[0]),
        row("redraw after picking one township", lambda r: secs(r["redraw_s"])),
        row("  bytes the browser got for it", lambda r: size(r["redraw_browser_bytes"])),
        row("redraw after a second township pick", lambda r: secs(r.get("redraw2_s"))),
        row("font bytes fetched (cold, both picks)", lambda r: size(r.get("font_bytes"))),
        row(
            "memory: RSS after the runs (peak)",
            lambda r: f"{r['memory']['rss_mib']:.0f} MiB ({r['memory']['peak_mib']:.0f})",
        ),
        row("machine CPU busy before samples, max", lambda r: f"{max(r['busy_cpu']):.0f} %"),
    ]
    return rows


def print_store(kind: str, result: dict, machine: dict) -> None:
    print(f"\n== {kind}: {result['server']}; city set loaded in {result['load_s']:.1f} s")
    print(f"   on {machine['cpu']} ({machine['cores']}), {machine['ram']}, {machine['browser']}")
    print(_table(store_rows(result)), flush=True)


def target_rows(kind: str, result: dict) -> list[list[str]]:
    """Each target of the issue for one store: measured, limit, met or by how much missed."""
    apps = result["apps"]
    fast, naive, floor = apps.get("fast"), apps.get("naive"), apps.get("floor")
    rows: list[list[str]] = []

    def add(label: str, value: float | None, limit: float | None, text: str, unit: str) -> None:
        if value is None or limit is None:
            rows.append([kind, label, text, "—", "not measured"])
            return
        ok = value <= limit
        over = value - limit
        verdict = (
            "met"
            if ok
            else (f"missed by {secs(over)}" if unit == "s" else f"missed by {over:.0f} {unit}")
        )
        rows.append(
            [kind, label, text, secs(limit) if unit == "s" else f"{limit:.0f} {unit}", verdict]
        )

    for case in CASES:
        measured = fast["filter"][case]["seconds"] if fast else None
        add(f"filter {case}: server time", measured, FILTER_SECONDS, secs(measured), "s")
    for case in CASES:
        if fast and naive:
            f_bytes = fast["filter"][case]["json_bytes"]
            n_bytes = naive["filter"][case]["json_bytes"]
            factor = n_bytes / max(f_bytes, 1)
            verdict = "met" if factor >= BYTES_FACTOR else f"missed: only {factor:.1f}x"
            rows.append(
                [
                    kind,
                    f"filter {case}: bytes vs naive",
                    f"{size(f_bytes)} vs {size(n_bytes)}: {factor:.0f}x fewer",
                    f">= {BYTES_FACTOR:.0f}x",
                    verdict,
                ]
            )
    if fast and floor:
        add(
            "first render cold <= floor + 1 s",
            fast["cold_s"],
            floor["cold_s"] + ABOVE_FLOOR,
            f"{secs(fast['cold_s'])} (floor {secs(floor['cold_s'])})",
            "s",
        )
        add(
            "first render warm <= floor + 1 s",
            fast["warm_s"],
            floor["warm_s"] + ABOVE_FLOOR,
            f"{secs(fast['warm_s'])} (floor {secs(floor['warm_s'])})",
            "s",
        )
    if fast:
        add("first render warm <= 3 s", fast["warm_s"], WARM_LIMIT, secs(fast["warm_s"]), "s")
        add(
            "redraw one township <= 0.5 s",
            fast["redraw_s"],
            REDRAW_LIMIT,
            secs(fast["redraw_s"])
            + (f" (floor {secs(floor['redraw_s'])})" if floor and floor.get("redraw_s") else ""),
            "s",
        )
        add(
            "one app process <= 1 GB (peak RSS)",
            fast["memory"]["peak_mib"],
            MEMORY_MIB,
            f"{fast['memory']['peak_mib']:.0f} MiB",
            "MiB",
        )
    return rows


PICK_ABOVE_FLOOR = 0.3  # the targets of issue 17
FONT_BYTES = 300_000


def reading_rows(kind: str, result: dict, demo: dict | None) -> list[list[str]]:
    """Issue 17's targets: township picks against the floor and the naive app, the demo's
    first render against its floor, font bytes."""
    apps = result["apps"]
    fast, naive, floor = apps.get("fast"), apps.get("naive"), apps.get("floor")
    rows: list[list[str]] = []

    def verdict(value: float, limit: float, unit: str = "s") -> str:
        if value <= limit:
            return "met"
        return (
            f"missed by {secs(value - limit)}"
            if unit == "s"
            else f"missed by {value - limit:,.0f} B"
        )

    if fast and floor and floor.get("redraw_s") is not None:
        limit = floor["redraw_s"] + PICK_ABOVE_FLOOR
        for key, label in (("redraw_s", "first"), ("redraw2_s", "second")):
            if fast.get(key) is not None:
                rows.append(
                    [
                        kind,
                        f"{label} pick <= floor redraw + 0.3 s",
                        f"{secs(fast[key])} (floor {secs(floor['redraw_s'])})",
                        secs(limit),
                        verdict(fast[key], limit),
                    ]
                )
    if fast and naive and naive.get("redraw_s") is not None:
        rows.append(
            [
                kind,
                "first pick never slower than naive",
                secs(fast["redraw_s"]),
                secs(naive["redraw_s"]),
                verdict(fast["redraw_s"], naive["redraw_s"]),
            ]
        )
    if fast and fast.get("font_bytes") is not None:
        rows.append(
            [
                kind,
                "font bytes (cold load and two picks)",
                size(fast["font_bytes"]),
                size(FONT_BYTES),
                verdict(fast["font_bytes"], FONT_BYTES, "B"),
            ]
        )
    if demo and kind == "sqlite":
        d_fast, d_floor = demo["apps"]["fast"], demo["apps"]["floor"]
        for key, label in (("cold_s", "cold"), ("warm_s", "warm")):
            limit = d_floor[key] + ABOVE_FLOOR
            rows.append(
                [
                    "demo",
                    f"first render {label} <= floor + 1 s",
                    f"{secs(d_fast[key])} (floor {secs(d_floor[key])})",
                    secs(limit),
                    verdict(d_fast[key], limit),
                ]
            )
        if d_fast.get("font_bytes") is not None:
            rows.append(
                [
                    "demo",
                    "font bytes (cold load and two picks)",
                    size(d_fast["font_bytes"]),
                    size(FONT_BYTES),
                    verdict(d_fast["font_bytes"], FONT_BYTES, "B"),
                ]
            )
    return rows


def print_targets(results: dict) -> None:
    rows = [["store", "target", "measured (fast)", "limit", "verdict"]]
    for kind, result in results["stores"].items():
        rows += target_rows(kind, result)
    print("\n== Targets of issue 9")
    print(_table(rows))
    rows = [["store", "target", "measured (fast)", "limit", "verdict"]]
    for kind, result in results["stores"].items():
        rows += reading_rows(kind, result, results.get("demo"))
    print("\n== Targets of issue 17")
    print(_table(rows))
    machine = results["machine"]
    print("Machine: " + "; ".join(f"{k} {v}" for k, v in machine.items()), flush=True)
