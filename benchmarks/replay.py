"""A filter change as the server sees it: the page's own callback request, replayed.

The request body is captured once from the browser (``pages.filter_request``)
and sent again with other filter values, as the page would send it. Timed
with the ``Accept-Encoding`` Chromium sends (bytes on the wire), and once
more uncompressed for the size of the JSON itself.
"""

from __future__ import annotations

import copy
import gzip
import json
import statistics
import time
import urllib.request

CHROMIUM_ENCODING = "gzip, deflate, br, zstd"
ALL_GRADES = ["major", "larger", "general", "low"]


def post(
    base_url: str, body: dict, encoding: str, headers: dict[str, str] | None = None
) -> tuple[float, bytes, str]:
    """POST one callback request; (seconds until the whole answer arrived, body, encoding)."""
    data = json.dumps(body).encode()
    request = urllib.request.Request(
        base_url + "/_dash-update-component",
        data=data,
        headers={
            "Content-Type": "application/json",
            "Accept": "application/json",
            "Accept-Encoding": encoding,
            **(headers or {}),
        },
        method="POST",
    )
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=300) as response:
        payload = response.read()
        coding = response.headers.get("Content-Encoding", "")
    return time.perf_counter() - started, payload, coding


def measure(
    base_url: str, body: dict, runs: int, check: str, headers: dict[str, str] | None = None
) -> dict:
    """Median request time and the bytes of the answer (on the wire, as JSON, gzipped)."""
    times, wire = [], []
    # once untimed: the first answer of a case warms up
    post(base_url, body, CHROMIUM_ENCODING, headers)
    coding = ""
    for _ in range(runs):
        seconds, payload, coding = post(base_url, body, CHROMIUM_ENCODING, headers)
        times.append(seconds)
        wire.append(len(payload))
    if coding:  # compressed on the wire: ask once more for the plain JSON
        _, raw, _ = post(base_url, body, "identity", headers)
    else:
        raw = payload
    answer = json.loads(raw)
    if check not in answer.get("response", {}):
        raise RuntimeError(f"replayed request did not update {check}: {raw[:300]!r}")
    return {
        "seconds": statistics.median(times),
        "all_seconds": times,
        "wire_bytes": int(statistics.median(wire)),
        "encoding": coding or "none",
        "json_bytes": len(raw),
        "gzip_bytes": len(gzip.compress(raw, 6)),
        "maps_in_answer": sum(
            f"map-{k}" in answer["response"] for k in ("risk", "materials", "forces", "command")
        ),
    }


def _set(body: dict, section: str, component: str, prop: str, value: object) -> None:
    for item in body[section]:
        if item["id"] == component and item["property"] == prop:
            item["value"] = value
            return
    raise KeyError(f"{component}.{prop} not in the request's {section}")


def fast_body(captured: dict, new: dict, previous: dict) -> dict:
    """The fast page's ``update_maps`` request: filter store ``previous`` -> ``new``."""
    body = copy.deepcopy(captured)
    _set(body, "inputs", "filter", "data", new)
    state = next(s for s in body["state"] if s["id"] == "data-state")
    state["value"] = {**state["value"], "filter": previous}
    body["changedPropIds"] = ["filter.data"]
    if "parsedChangedPropsIds" in body:
        body["parsedChangedPropsIds"] = ["filter.data"]
    return body


def fast_filter(townships: list[str] | None = None, level: int | None = None) -> dict:
    """The filter store as the page's filter controls write it (every grade ticked)."""
    return {"townships": townships or [], "level": level, "grades": list(ALL_GRADES)}


def naive_body(captured: dict, townships: list[str], level: str, changed: str) -> dict:
    """The naive page's request: both dropdowns' values, ``changed`` the one that moved."""
    body = copy.deepcopy(captured)
    _set(body, "inputs", "filter-townships", "value", townships)
    _set(body, "inputs", "filter-level", "value", level)
    body["changedPropIds"] = [changed]
    if "parsedChangedPropsIds" in body:
        body["parsedChangedPropsIds"] = [changed]
    return body
