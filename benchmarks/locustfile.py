"""Locust users for ``benchmarks/load.py``: walls polling, duty officers writing.

Run by ``load.py`` (``locust -f benchmarks/locustfile.py --headless ...``), which
writes the plan this file reads (``FOURMAPS_LOAD_PLAN``, JSON): the app processes'
URLs, the wall and officer tokens, the wall's own Dash request bodies captured
from Chromium, the officers' hazard areas. Standalone on purpose: locust's gevent
patches this process, and nothing of the app is imported into it.

Every request is logged (``FOURMAPS_LOAD_LOG``, one JSON line: when it started,
its kind, milliseconds, ok, status) so ``load.py`` computes exact percentiles and
what happened while the database was cut; every write that got a 2xx, and
every poll that answered "stale", goes to ``FOURMAPS_LOAD_EVENTS``.
"""

from __future__ import annotations

import copy
import itertools
import json
import os
import random
import time
import uuid
from typing import Any

from locust import FastHttpUser, between, constant_pacing, events, task

PLAN: dict[str, Any] = json.loads(open(os.environ["FOURMAPS_LOAD_PLAN"]).read())  # noqa: SIM115
TIMEOUT = float(PLAN["timeout_s"])  # a client gives up after this: no request may hang longer
_log = open(os.environ["FOURMAPS_LOAD_LOG"], "a", buffering=1)  # noqa: SIM115
_events = open(os.environ["FOURMAPS_LOAD_EVENTS"], "a", buffering=1)  # noqa: SIM115
_hosts = itertools.cycle(range(len(PLAN["hosts"])))
_walls = itertools.count()
_officers = itertools.count()


@events.request.add_listener
def _logged(name: str, response_time: float, exception: Any, start_time: float, **kw: Any) -> None:
    response = kw.get("response")
    status = getattr(response, "status_code", 0) or 0
    row = {"t": start_time, "kind": name, "ms": response_time, "ok": exception is None}
    _log.write(json.dumps({**row, "status": status, "bytes": kw.get("response_length")}) + "\n")


def _event(**fields: Any) -> None:
    _events.write(json.dumps({"t": time.time(), **fields}) + "\n")


def _set(items: list[dict], component: str, prop: str, value: Any) -> None:
    for item in items:
        if item["id"] == component and item["property"] == prop:
            item["value"] = value
            return
    raise KeyError(f"{component}.{prop}")


def _get(items: list[dict], component: str, prop: str) -> Any:
    return next(i.get("value") for i in items if i["id"] == component and i["property"] == prop)


class Wall(FastHttpUser):
    """A wall on ``/wall``: Dash's poll every poll period, the redraw when it reports a change."""

    fixed_count = int(PLAN["walls"])
    wait_time = constant_pacing(float(PLAN["poll_seconds"]))  # dcc.Interval: a fixed period
    network_timeout = connection_timeout = TIMEOUT

    def on_start(self) -> None:
        n = next(_walls)
        self.client.base_url = PLAN["hosts"][next(_hosts)]
        poll, redraw = PLAN["poll_body"], PLAN["redraw_body"]
        self.revs = _get(poll["state"], "data-revisions", "data")
        self.last_ok = _get(poll["state"], "data-last-ok", "data")
        self.state = _get(redraw["state"], "data-state", "data")
        self.views = {
            s["id"]: s.get("value") for s in redraw["state"] if str(s["id"]).startswith("view-")
        }
        self.ticks = 0
        token = PLAN["wall_tokens"][n % len(PLAN["wall_tokens"])]
        self.client.get(f"/wall?token={token}", name="wall page")
        time.sleep(random.uniform(0, float(PLAN["poll_seconds"])))  # walls are not in step

    def _post(self, body: dict, name: str) -> dict | None:
        with self.client.post(
            "/_dash-update-component",
            data=json.dumps(body),
            headers={"Content-Type": "application/json", "Accept": "application/json"},
            name=name,
            catch_response=True,
        ) as response:
            if response.status_code == 204:  # every output no_update
                response.success()
                return {}
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
                return None
            try:
                answer = json.loads(response.content or b"{}").get("response", {})
            except ValueError:
                response.failure("not JSON")
                return None
            response.success()
            return answer

    @staticmethod
    def _value(answer: dict, component: str, prop: str) -> Any:
        return answer.get(component, {}).get(prop)

    @task
    def tick(self) -> None:
        """One ``check_for_changes`` poll, and ``update_maps`` if it saw new revisions."""
        self.ticks += 1
        body = copy.deepcopy(PLAN["poll_body"])
        _set(body["inputs"], "poll", "n_intervals", self.ticks)
        _set(body["state"], "data-revisions", "data", self.revs)
        _set(body["state"], "data-last-ok", "data", self.last_ok)
        _set(body["state"], "data-state", "data", self.state)
        answer = self._post(body, "wall poll")
        if answer is None:
            return
        if "data-last-ok" not in answer:
            _event(kind="stale_poll")
        else:
            self.last_ok = self._value(answer, "data-last-ok", "data")
        if "data-revisions" not in answer:
            return
        self.revs = self._value(answer, "data-revisions", "data")
        body = copy.deepcopy(PLAN["redraw_body"])
        _set(body["inputs"], "data-revisions", "data", self.revs)
        _set(body["state"], "data-state", "data", self.state)
        for view, value in self.views.items():
            _set(body["state"], view, "data", value)
        answer = self._post(body, "wall redraw")
        if answer:
            self.state = self._value(answer, "data-state", "data") or self.state
            for view in self.views:
                if view in answer:
                    self.views[view] = self._value(answer, view, "data")


class Officer(FastHttpUser):
    """A duty officer with a token: an incident, its recommendation, a dispatch (stock from
    the nearest depot and the nearest team), the team sent en route, and an edit of the
    officer's hazard area (OGC API), with a pause between."""

    fixed_count = int(PLAN["officers"])
    wait_time = between(2, 5)
    network_timeout = connection_timeout = TIMEOUT

    def on_start(self) -> None:
        n = next(_officers)
        self.client.base_url = PLAN["hosts"][next(_hosts)]
        self.auth = {"Authorization": f"Bearer {PLAN['officer_tokens'][n]}"}
        self.hazard = PLAN["hazards"][n]
        self.hazard_version = PLAN["hazard_versions"][n]
        self.points = PLAN["incident_points"]
        self.name = f"officer{n + 1}"

    def _call(self, method: str, path: str, name: str, ok: tuple[int, ...], **kw: Any) -> Any:
        headers = {**self.auth, "Content-Type": "application/json", **kw.pop("headers", {})}
        with self.client.request(
            method, path, name=name, headers=headers, catch_response=True, **kw
        ) as response:
            if response.status_code not in ok:
                response.failure(f"HTTP {response.status_code}: {(response.text or '')[:200]}")
                return response, None
            response.success()
            return response, json.loads(response.content or b"null")

    def _pause(self) -> None:
        time.sleep(random.uniform(0.5, 1.5))  # the officer reads the answer

    @task
    def cycle(self) -> None:
        """One incident handled from first call to an order on its way."""
        lon, lat = random.choice(self.points)
        body = {
            "lon": lon + random.gauss(0, 0.002),
            "lat": lat + random.gauss(0, 0.002),
            "type": "flood",
            "description": f"load test, {self.name}",
            "needs": {"items": {"woven_bag": 200}, "forces": {"flood_team": 10}},
        }
        _, opened = self._call("POST", "/api/incidents", "open incident", (201,), json=body)
        if not opened:
            return
        _event(kind="incident", code=opened["code"], id=opened["id"])
        self._pause()
        ref = opened["id"]
        _, plan = self._call(
            "GET", f"/api/incidents/{ref}/recommendation", "recommendation", (200,)
        )
        if not plan or not plan.get("depots"):
            return
        self._pause()
        depot = plan["depots"][0]
        take = {item: min(5, q) for item, q in (depot.get("take") or {"woven_bag": 5}).items()}
        forces = [f["code"] for f in plan.get("forces", [])[:1]]  # and the nearest team
        key = uuid.uuid4().hex
        sent = {"key": key, "depots": [{"code": depot["code"], "take": take}], "forces": forces}
        _, done = self._call(
            "POST", f"/api/incidents/{ref}/dispatch", "dispatch", (200, 201), json=sent
        )
        if not done:
            return
        _event(kind="dispatch", incident=ref, key=key, orders=[o["id"] for o in done["orders"]])
        self._pause()
        # A team goes en route; a material order can only be consumed, returned or cancelled.
        order = next((o for o in done["orders"] if o["kind"] == "force"), done["orders"][0])
        status = "en_route" if order["kind"] == "force" else "consumed"
        _, moved = self._call(
            "PATCH", f"/api/orders/{order['id']}", "move order", (200,), json={"status": status}
        )
        if moved:
            _event(kind="order", id=order["id"], status=status)
        self._pause()
        self.edit_hazard()

    def edit_hazard(self) -> None:
        """A new note on the officer's hazard area, with the ETag it last saw."""
        note = f"{self.name} {uuid.uuid4().hex[:8]}"
        feature = {"type": "Feature", "properties": {"note": note}}
        response, saved = self._call(
            "PATCH",
            f"/ogc/collections/hazard_areas/items/{self.hazard}",
            "edit hazard area",
            (200,),
            json=feature,
            headers={
                "Content-Type": "application/geo+json",
                "If-Match": f'"{self.hazard_version}"',
            },
        )
        etag = (response.headers.get("ETag") or "").strip('W/"').split(":")[0]
        if etag.isdigit():  # a 412 tells the version that won: the next edit starts from it
            self.hazard_version = int(etag)
        if saved:
            _event(kind="hazard", code=self.hazard, version=self.hazard_version, note=note)
