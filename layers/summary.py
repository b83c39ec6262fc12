"""The key figures beside the maps, computed exactly from the filtered layers.

Whatever a map aggregates for drawing, these numbers come from every row.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd

from domain import RISK_GRADES, keys
from layers.materials import stock_totals
from layers.risks import is_due_within, is_overdue, is_rectified

# Key materials as the wall reports them; boats add both kinds.
KEY_MATERIALS: dict[str, tuple[str, ...]] = {
    "woven_bag": ("woven_bag",),
    "sand": ("sand",),
    "life_jacket": ("life_jacket",),
    "boats": ("assault_boat", "rubber_boat"),
    "pump": ("pump",),
}


@dataclass(frozen=True)
class KeyFigures:
    """The figures of one filter; ``rectification_rate`` is None with no hidden danger."""

    points_by_grade: dict[str, int]
    hidden_open: int
    hidden_rectified: int
    rectification_rate: float | None
    materials: dict[str, float]
    people: int
    vehicles: int
    boats: int
    nodes_on_duty: int
    nodes_total: int
    counts: dict[str, int] = field(default_factory=dict)
    hidden_overdue: int = 0  # open past the deadline (as the ledger counts)
    hidden_due_week: int = 0  # open, deadline within the next seven days


def key_figures(
    risks: gpd.GeoDataFrame,
    depots: gpd.GeoDataFrame,
    forces: gpd.GeoDataFrame,
    nodes: gpd.GeoDataFrame,
) -> KeyFigures:
    """Key figures of already filtered layers.

    Counted with boolean masks over single columns: taking the hidden-danger
    rows out of a 150,000-row frame copied every column and cost ~30 ms.
    """
    grade = risks["grade"]
    hidden = (risks["kind"] == "hidden_danger").to_numpy()
    n_hidden = int(hidden.sum())
    rectified = int(is_rectified(risks).sum())  # as the ledger's figures count
    totals = stock_totals(depots) if len(depots) else pd.Series(dtype=float)
    materials = {
        name: float(sum(totals.get(item, 0.0) for item in items))
        for name, items in KEY_MATERIALS.items()
    }
    return KeyFigures(
        points_by_grade={g: int((grade == g).sum()) for g in keys(RISK_GRADES)},
        hidden_open=n_hidden - rectified,
        hidden_rectified=rectified,
        rectification_rate=rectified / n_hidden if n_hidden else None,
        materials=materials,
        people=int(forces["headcount"].sum()),
        vehicles=int(forces["vehicles"].sum()),
        boats=int(forces["boats"].sum()),
        nodes_on_duty=int((nodes["status"] == "on_duty").sum()),
        nodes_total=len(nodes),
        hidden_overdue=int(is_overdue(risks).sum()),
        hidden_due_week=int(is_due_within(risks, 7).sum()),
        counts={
            "risk": len(risks),
            "materials": len(depots),
            "forces": len(forces),
            "command": len(nodes),
        },
    )
