"""The figures of ``benchmarks/load.py``: latency per request kind, errors, connections,
what happened around a database cut, and whether every confirmed write is in the store."""

from __future__ import annotations

import json
import statistics
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import sqlalchemy as sa

from store import Store, schema

KINDS = (
    "wall poll", "wall redraw", "wall page", "open incident", "recommendation", "dispatch",
    "move order", "edit hazard area",
)  # fmt: skip


def _lines(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _latency(rows: list[dict]) -> dict:
    ms = np.array([r["ms"] for r in rows], dtype=float)
    return {
        "requests": len(rows),
        "errors": sum(not r["ok"] for r in rows),
        "p50_ms": float(np.percentile(ms, 50)) if len(ms) else None,
        "p95_ms": float(np.percentile(ms, 95)) if len(ms) else None,
        "p99_ms": float(np.percentile(ms, 99)) if len(ms) else None,
        "max_ms": float(ms.max()) if len(ms) else None,
        "statuses": dict(Counter(str(r["status"]) for r in rows if not r["ok"])),
    }


def summarise(
    requests: Path,
    events: Path,
    samples: list[tuple[float, int, float]],
    began: float,
    ended: float,
    cut: tuple[float, float] | None,
) -> dict:
    """Everything measured, as one dict (also written to ``results.json``)."""
    rows = _lines(requests)
    by_kind: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_kind[row["kind"]].append(row)
    kinds = [k for k in KINDS if k in by_kind] + sorted(set(by_kind) - set(KINDS))
    connections = [c for _, c, _ in samples]
    cpu = [u for _, _, u in samples]
    result = {
        "seconds": ended - began,
        "total": _latency(rows),
        "kinds": {k: _latency(by_kind[k]) for k in kinds},
        "connections": {
            "samples": len(connections),
            "max": max(connections, default=0),
            "mean": statistics.fmean(connections) if connections else 0,
            "during": connections,
        },
        "cpu_busy_mean": statistics.fmean(cpu) if cpu else None,
        "stale_polls": len([e for e in _lines(events) if e["kind"] == "stale_poll"]),
    }
    if cut is not None:
        result["fault"] = _fault(rows, _lines(events), samples, cut)
    return result


def _fault(rows: list[dict], events: list[dict], samples: list, cut: tuple) -> dict:
    """Around the cut: the longest request that overlapped it, errors before, during
    and after it, and how long after the database came back the last error started."""
    start, back = cut
    overlapping = [r for r in rows if r["t"] < back and r["t"] + r["ms"] / 1000 > start]
    longest = max(overlapping, key=lambda r: r["ms"], default=None)

    def errors(rows_in: list[dict]) -> dict:
        return dict(Counter(r["kind"] for r in rows_in if not r["ok"]))

    before = [r for r in rows if r["t"] < start]
    during = [r for r in rows if start <= r["t"] < back]
    after = [r for r in rows if r["t"] >= back]
    failed_after = [r for r in after if not r["ok"]]
    last_failure = max((r["t"] + r["ms"] / 1000 for r in failed_after), default=back)
    # An answer saying the store is away (4xx/5xx), not a client timeout (status 0: the
    # request queued behind others): when the app itself had its database back.
    refused_after = [r for r in failed_after if r["status"]]
    last_refusal = max((r["t"] + r["ms"] / 1000 for r in refused_after), default=back)
    stale = [e["t"] for e in events if e["kind"] == "stale_poll"]
    first_ok: dict[str, float] = {}
    for r in sorted(after, key=lambda r: r["t"]):
        if r["ok"]:
            first_ok.setdefault(r["kind"], r["t"] + r["ms"] / 1000 - back)
    longest_started: dict[str, float] = {}
    for r in during:
        longest_started[r["kind"]] = max(longest_started.get(r["kind"], 0.0), r["ms"])
    return {
        "cut_at": start,
        "back_at": back,
        "cut_s": back - start,
        "longest_overlapping": longest,
        "longest_started_during_ms": longest_started,
        "errors_before": errors(before),
        "errors_during": errors(during),
        "errors_after": errors(after),
        "requests_during": len(during),
        "requests_after": len(after),
        "recovered_after_s": last_failure - back,
        "last_refusal_after_s": last_refusal - back,
        "timeouts_after": sum(1 for r in failed_after if not r["status"]),
        "first_success_after_s": first_ok,
        "stale_polls_during": len([t for t in stale if start <= t < back]),
        "stale_polls_after": len([t for t in stale if t >= back]),
        "last_stale_after_s": max((t - back for t in stale if t >= back), default=0.0),
        "connections_during_cut": [c for t, c, _ in samples if start <= t < back],
    }


def verify_writes(store: Store, events: Path) -> dict:
    """Every write that got a 2xx, looked up in the database afterwards."""
    confirmed = _lines(events)
    found: Counter = Counter()
    wanted: Counter = Counter()
    with store.engine.connect() as conn:
        codes = {r for (r,) in conn.execute(sa.select(schema.incidents.c.code))}
        keys = {(i, k) for i, k in conn.execute(
            sa.select(schema.dispatches.c.incident_id, schema.dispatches.c.key))}  # fmt: skip
        orders = dict(
            conn.execute(sa.select(schema.dispatch_orders.c.id, schema.dispatch_orders.c.times))
            .tuples()
            .all()
        )
        h = schema.history
        edits = {
            (c, v, json.loads(ch).get("note", [None, None])[1])
            for c, v, ch in conn.execute(
                sa.select(h.c.code, h.c.version, h.c.changes).where(
                    h.c.collection == "hazard_areas"
                )
            )
        }
    for event in confirmed:
        kind = event["kind"]
        if kind == "incident":
            ok = event["code"] in codes
        elif kind == "dispatch":
            ok = (event["incident"], event["key"]) in keys and all(
                o in orders for o in event["orders"]
            )
        elif kind == "order":
            ok = event["status"] in json.loads(orders.get(event["id"]) or "{}")
        elif kind == "hazard":
            ok = (event["code"], event["version"], event["note"]) in edits
        else:
            continue
        wanted[kind] += 1
        found[kind] += ok
    return {
        "confirmed": dict(wanted),
        "found": dict(found),
        "all_found": all(found[k] == wanted[k] for k in wanted),
    }


def _ms(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value / 1000:.2f} s" if value >= 1000 else f"{value:.0f} ms"


def idle_line(idle: dict) -> str:
    """One wall alone, before the load."""
    return (
        f"one wall before the load (medians): poll {idle['poll_ms']:.0f} ms, redraw "
        f"{idle['redraw_ms']:.0f} ms ({idle['redraw_bytes']:,} bytes on the wire)"
    )


def print_report(results: dict) -> None:
    """The tables, for the terminal and the README."""
    setup = results["setup"]
    print(
        f"\n{setup['walls']} walls (poll every {setup['poll_seconds']:g} s) and "
        f"{setup['officers']} officers for {results['seconds']:.0f} s against "
        f"{setup['instances']} instances x {setup['workers']} workers "
        f"({setup.get('wsgi', 'waitress')}) on {setup['server']}"
    )
    print("\n| request | requests | errors | p50 | p95 | p99 | max |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for kind, s in [*results["kinds"].items(), ("all", results["total"])]:
        print(
            f"| {kind} | {s['requests']:,} | {s['errors']} | {_ms(s['p50_ms'])} | "
            f"{_ms(s['p95_ms'])} | {_ms(s['p99_ms'])} | {_ms(s['max_ms'])} |"
        )
    if results.get("idle"):
        print("\n" + idle_line(results["idle"]))
    conn = results["connections"]
    print(
        f"\nPostgreSQL connections to the database, sampled every second ({conn['samples']}): "
        f"max {conn['max']}, mean {conn['mean']:.1f} (at most "
        f"{setup['instances'] * setup['workers'] * 10} with pools of 5 + 5 overflow)"
    )
    if results["cpu_busy_mean"] is not None:
        print(
            f"machine CPU busy during the run: mean {results['cpu_busy_mean']:.0f} % "
            f"(before: {setup['busy_before']:.0f} %)"
        )
    errors = {k: s["statuses"] for k, s in results["kinds"].items() if s["errors"]}
    print(f"errors by kind and status: {errors or 'none'}")
    print(f"polls that answered stale: {results['stale_polls']}")
    writes = results["writes"]
    print(
        "writes confirmed with a 2xx / found in the database afterwards: "
        + ", ".join(
            f"{k} {writes['confirmed'][k]} / {writes['found'].get(k, 0)}"
            for k in writes["confirmed"]
        )
        + (" (all found)" if writes["all_found"] else " (SOME MISSING)")
    )
    fault = results.get("fault")
    if fault:
        longest = fault["longest_overlapping"] or {}
        print(
            f"\ncut of {fault['cut_s']:.1f} s: longest request overlapping it "
            f"{_ms(longest.get('ms'))} ({longest.get('kind')}, HTTP {longest.get('status')}); "
            f"client timeout {setup['timeout_s']:g} s"
        )
        print(
            "longest request started during the cut, by kind: "
            + ", ".join(f"{k} {_ms(v)}" for k, v in fault["longest_started_during_ms"].items())
        )
        print(f"errors before the cut: {fault['errors_before'] or 'none'}")
        print(f"errors during the cut ({fault['requests_during']} requests): "
              f"{fault['errors_during'] or 'none'}")  # fmt: skip
        print(f"errors after it ({fault['requests_after']} requests): "
              f"{fault['errors_after'] or 'none'}")  # fmt: skip
        print(
            f"recovered: the last answer refusing for want of the database ended "
            f"{fault['last_refusal_after_s']:.1f} s after it came back; the last failed request "
            f"of any kind {fault['recovered_after_s']:.1f} s after ({fault['timeouts_after']} "
            f"client timeouts after the cut); last stale poll {fault['last_stale_after_s']:.1f} s"
        )
        firsts = ", ".join(f"{k} {v:.1f} s" for k, v in fault["first_success_after_s"].items())
        print(f"first success after it came back: {firsts}")
        print(f"stale polls during the cut: {fault['stale_polls_during']}, after it: "
              f"{fault['stale_polls_after']}; connections during the cut: "
              f"{fault['connections_during_cut']}")  # fmt: skip
    cpu = results.get("cpu_seconds") or {}
    if cpu:
        print(
            "CPU seconds used during the run: " + ", ".join(f"{k} {v:.0f}" for k, v in cpu.items())
        )
    memory = results.get("memory_mib") or []
    if memory:
        print("app processes' RSS (peak): " + ", ".join(
            f"{m['rss_mib']:.0f} ({m['peak_mib']:.0f}) MiB" for m in memory))  # fmt: skip
