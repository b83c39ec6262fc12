"""What a hazard area holds: the people it threatens, what it may cut off."""

from __future__ import annotations

from dataclasses import dataclass

import shapely

from auth import Principal, require
from layers.snapshot import snapshot
from store import Store


@dataclass(frozen=True)
class Inside:
    """Records inside an area, by map: risk points (and the people they threaten),
    depots and forces that may be cut off, command nodes (village stations among them)."""

    risk: list[dict]
    people: int
    households: int
    depots: list[dict]
    forces: list[dict]
    stations: list[dict]

    def as_json(self) -> dict:
        return {
            "risk_points": self.risk,
            "people_threatened": self.people,
            "households_threatened": self.households,
            "depots": self.depots,
            "forces": self.forces,
            "stations": self.stations,
        }


def inside_area(store: Store, actor: Principal | None, area: shapely.Geometry) -> Inside:
    """Everything of the four maps that lies inside ``area``."""
    require(actor, "read")
    snap = snapshot(store)

    def within(frame: object, columns: tuple[str, ...]) -> list[dict]:
        hits = frame[frame.geometry.intersects(area)]  # type: ignore[index]
        return hits[list(columns)].to_dict("records")

    risk = within(snap.risk, ("code", "name", "grade", "kind", "people_threatened",
                              "households_threatened"))  # fmt: skip
    nodes = snap.command
    stations = nodes[nodes["level"] == "village"]
    return Inside(
        risk=risk,
        people=int(sum(r["people_threatened"] for r in risk)),
        households=int(sum(r["households_threatened"] for r in risk)),
        depots=within(snap.materials, ("code", "name", "level")),
        forces=within(snap.forces, ("code", "name", "type", "status", "headcount")),
        stations=within(stations, ("code", "name", "duty_officer", "duty_phone")),
    )
