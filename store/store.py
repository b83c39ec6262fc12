"""Reading and writing the four maps' tables on either store."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError, IntegrityError

from domain import MATERIAL_CATALOGUE
from store import schema
from store.accounts import Accounts
from store.engine import StoreUnavailable, _safe, check_connection, create_engine, migrate
from store.imports import Imports
from store.records import Records

# Tables in the order they are filled (parents before children).
LOAD_ORDER: tuple[str, ...] = (
    "jurisdictions",
    "townships",
    "material_items",
    "risk_points",
    "hidden_dangers",
    "ledger_photos",
    "ledger_steps",
    "depots",
    "depot_stock",
    "forces",
    "command_nodes",
    "response_activations",
    "activation_townships",
    "weather_warnings",
    "roads",
    "hazard_areas",
    "incidents",
    "dispatches",
    "dispatch_orders",
)
CRS = "EPSG:4326"


class Revision(NamedTuple):
    """A layer's change counter and when it last changed (UTC)."""

    revision: int
    updated_at: datetime


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Store:
    """One database holding the four maps; cheap to create, opens lazily."""

    def __init__(self, url: str) -> None:
        self.engine = create_engine(url)
        self.url = _safe(self.engine.url)
        self.accounts = Accounts(self.engine)
        self.records = Records(self.engine)
        self.imports = Imports(self.engine)

    @property
    def is_postgis(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    def __repr__(self) -> str:
        return f"Store({self.url!r})"

    # --- health and change detection ------------------------------------

    def check(self) -> None:
        """Raise :class:`StoreUnavailable` with one readable line if unreachable."""
        check_connection(self.engine)

    def revisions(self) -> dict[str, Revision]:
        """Each layer's revision: the cheap query open pages poll."""
        try:
            with self.engine.connect() as conn:
                rows = conn.execute(sa.select(schema.layer_revisions)).all()
        except DBAPIError as exc:
            raise StoreUnavailable(f"Cannot read from {self.url}: {exc.orig}") from exc
        return {r.layer: Revision(r.revision, _utc(r.updated_at)) for r in rows}

    def is_empty(self) -> bool:
        with self.engine.connect() as conn:
            return (
                conn.execute(sa.select(sa.func.count()).select_from(schema.townships)).scalar_one()
                == 0
            )

    # --- reads -----------------------------------------------------------

    def read(
        self,
        table: str,
        *,
        townships: Sequence[str] | None = None,
        bbox: tuple[float, float, float, float] | None = None,
        where: Mapping[str, object] | None = None,
        codes: Sequence[str] | None = None,
        changed_since: int | None = None,
    ) -> pd.DataFrame | gpd.GeoDataFrame:
        """Rows of ``table``; a GeoDataFrame in EPSG:4326 when it has geometry.

        ``codes`` keeps the rows of those codes (a few records, not the layer);
        ``townships`` keeps rows of those township codes; ``bbox`` (west, south,
        east, north) keeps rows whose geometry meets the box, answered by the
        GiST index on PostGIS and by shapely on SQLite. ``changed_since`` keeps
        the rows inserted or updated after that layer revision (tables with
        :data:`schema.ROW_REVISION` only; deleted rows are not told).
        """
        tbl = schema.metadata.tables[table]
        stamp = tbl.c.get(schema.ROW_REVISION)
        query = sa.select(*(c for c in tbl.c if c is not stamp))  # the store's own bookkeeping
        if changed_since is not None:
            if stamp is None:
                raise ValueError(f"{table} does not record which revision changed a row")
            query = query.where(stamp > changed_since)
        if townships is not None:
            query = query.where(tbl.c.township_code.in_(list(townships)))
        for column, value in (where or {}).items():
            query = query.where(tbl.c[column] == value)
        if codes is not None:
            query = query.where(tbl.c.code.in_(list(codes)))
        pushed_bbox = bbox is not None and self.is_postgis and "geom" in tbl.c
        if pushed_bbox:
            query = query.where(tbl.c.geom.op("&&")(sa.func.ST_MakeEnvelope(*bbox, 4326)))
        if "id" in tbl.c and changed_since is None:
            # (Not for the few changed rows: ORDER BY id made SQLite scan the table in
            # id order rather than use the stamp's index; they are sorted below.)
            query = query.order_by(tbl.c.id)
        try:
            with self.engine.connect() as conn:
                frame = _frame(conn.execute(query))
        except DBAPIError as exc:
            raise StoreUnavailable(f"Cannot read {table} from {self.url}: {exc.orig}") from exc
        if changed_since is not None and "id" in frame:
            frame = frame.sort_values("id", kind="stable").reset_index(drop=True)
        if "geom" not in tbl.c:
            return frame
        geometry = shapely.from_wkb(frame.pop("geom").to_numpy(dtype=object))
        gdf = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geometry, crs=CRS, index=frame.index))
        gdf = gdf.rename_geometry("geom")
        if bbox is not None and not pushed_bbox:
            gdf = gdf[shapely.intersects(gdf.geometry.values, shapely.box(*bbox))]
        return gdf

    def count(self, table: str) -> int:
        """How many rows ``table`` holds (an incremental reader's check for deletes)."""
        query = sa.select(sa.func.count()).select_from(schema.metadata.tables[table])
        try:
            with self.engine.connect() as conn:
                return conn.execute(query).scalar_one()
        except DBAPIError as exc:
            raise StoreUnavailable(f"Cannot read {table} from {self.url}: {exc.orig}") from exc

    def current_activation(self, now: datetime | None = None) -> dict | None:
        """The response in force: started, not ended, the latest start wins."""
        now = now or datetime.now(UTC)
        act = schema.response_activations
        query = (
            sa.select(act)
            .where(act.c.starts_at <= now, sa.or_(act.c.ends_at.is_(None), act.c.ends_at > now))
            .order_by(act.c.starts_at.desc(), act.c.id.desc())
            .limit(1)
        )
        with self.engine.connect() as conn:
            row = conn.execute(query).mappings().first()
            if row is None:
                return None
            link = schema.activation_townships
            codes = (
                conn.execute(
                    sa.select(link.c.township_code).where(link.c.activation_id == row["id"])
                )
                .scalars()
                .all()
            )
        return {**row, "townships": sorted(codes)}

    def current_warnings(self, now: datetime | None = None) -> pd.DataFrame:
        """Weather warnings issued and not yet expired, newest first."""
        now = now or datetime.now(UTC)
        ww = schema.weather_warnings
        query = (
            sa.select(ww)
            .where(ww.c.issued_at <= now, sa.or_(ww.c.expires_at.is_(None), ww.c.expires_at > now))
            .order_by(ww.c.issued_at.desc())
        )
        with self.engine.connect() as conn:
            return _frame(conn.execute(query))

    def next_response_change(self, now: datetime | None = None) -> datetime | None:
        """When what is in force next changes with the clock alone (UTC), or None.

        The earliest start or end of an activation, or issue or expiry of a
        warning, after ``now``: until then :meth:`current_activation` and
        :meth:`current_warnings` answer the same unless someone writes.
        """
        now = now or datetime.now(UTC)
        act, ww = schema.response_activations, schema.weather_warnings
        firsts = [
            sa.select(sa.func.min(column)).where(column > now).scalar_subquery()
            for column in (act.c.starts_at, act.c.ends_at, ww.c.issued_at, ww.c.expires_at)
        ]
        with self.engine.connect() as conn:
            moments = conn.execute(sa.select(*firsts)).one()
        return min((_utc(m) for m in moments if m is not None), default=None)

    # --- writes ----------------------------------------------------------

    def replace_all(self, frames: Mapping[str, pd.DataFrame]) -> dict[str, int]:
        """Replace every layer with ``frames`` (table name -> rows) in one transaction.

        Either all of it is written or nothing is: a bad row leaves the store
        as it was and raises ``ValueError`` naming the table. Every layer's
        revision goes up, so open pages redraw.
        """
        unknown = set(frames) - set(LOAD_ORDER)
        if unknown:
            raise ValueError(f"Not tables of the four maps: {sorted(unknown)}")
        frames = {"material_items": catalogue_frame(), **frames}
        counts: dict[str, int] = {}
        with self.engine.begin() as conn:
            if self.is_postgis:
                # An executemany runs one INSERT per row, and each fires the revision
                # trigger: 250,000 updates of one row took ~9.5 min for the city set.
                # Off for this transaction (ALTER TABLE is transactional), one bump after.
                for table in LOAD_ORDER:
                    conn.execute(sa.text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
            for table in reversed(LOAD_ORDER):
                conn.execute(schema.metadata.tables[table].delete())
            for table in LOAD_ORDER:
                if table not in frames:
                    continue
                rows = _records(frames[table])
                try:
                    for chunk in _chunks(rows, 5000):
                        conn.execute(schema.metadata.tables[table].insert(), chunk)
                except IntegrityError as exc:
                    raise ValueError(
                        f"Rows for {table} break a rule of the store: {exc.orig}"
                    ) from exc
                counts[table] = len(rows)
            if self.is_postgis:
                for table in LOAD_ORDER:
                    conn.execute(sa.text(f"ALTER TABLE {table} ENABLE TRIGGER USER"))
                    if "id" in schema.metadata.tables[table].c:
                        # Rows came with their ids: new rows are numbered after them.
                        conn.execute(
                            sa.text(
                                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                f"COALESCE((SELECT max(id) FROM {table}), 0) + 1, false)"
                            )
                        )
            # Every layer changed (tables left empty too: no trigger fired for those).
            revs = schema.layer_revisions
            conn.execute(
                sa.update(revs).values(
                    revision=revs.c.revision + 1, updated_at=sa.func.current_timestamp()
                )
            )
        if self.is_postgis:
            # Fresh statistics now, not when autovacuum next passes: the ledger's pages
            # and the dispatch queries are planned on them from the first request.
            with self.engine.connect() as conn:
                conn.execution_options(isolation_level="AUTOCOMMIT").execute(
                    sa.text(f"ANALYZE {', '.join(LOAD_ORDER)}")
                )
        return counts

    def execute(self, statement: sa.Executable, params: Mapping | Sequence | None = None) -> None:
        """Run one write in its own transaction (used by tests and tools)."""
        with self.engine.begin() as conn:
            conn.execute(statement, params)


def _frame(result: sa.CursorResult) -> pd.DataFrame:
    # Plain tuples: pandas probes each Row for namedtuple fields, 10x slower at 150k rows.
    return pd.DataFrame([tuple(row) for row in result.all()], columns=list(result.keys()))


def catalogue_frame() -> pd.DataFrame:
    """The material catalogue from DOMAIN.md, as rows of ``material_items``."""
    return pd.DataFrame(
        [
            {
                "code": i.code,
                "name": i.zh,
                "name_en": i.en,
                "unit": i.unit_zh,
                "unit_en": i.unit_en,
                "key_item": i.key,
                "sort_order": n,
            }
            for n, i in enumerate(MATERIAL_CATALOGUE)
        ]
    )


def _records(frame: pd.DataFrame) -> list[dict]:
    frame = pd.DataFrame(frame)  # a GeoDataFrame's geometry becomes a plain column
    if "geom" in frame:
        frame["geom"] = list(shapely.to_wkb(np.asarray(frame["geom"], dtype=object)))
    frame = frame.astype(object).where(frame.notna(), None)
    records = frame.to_dict("records")
    for rec in records:
        for key, value in rec.items():
            if isinstance(value, np.generic):
                rec[key] = value.item()
            elif isinstance(value, pd.Timestamp):
                rec[key] = value.to_pydatetime()
    return records


def _chunks(rows: list[dict], size: int) -> Iterable[list[dict]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def open_store(url: str, *, seed_demo: bool = False) -> Store:
    """Open ``url``, migrate it to the newest schema and, if asked, fill an empty one.

    Raises :class:`StoreUnavailable` with one clear line when it cannot.
    """
    store = Store(url)
    migrate(store.engine)
    if seed_demo and store.is_empty():
        from data.demo import build_demo  # the demo generator is only needed once

        store.replace_all(build_demo())
    return store
