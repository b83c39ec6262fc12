"""The migrations: a store of the first revision holding data upgrades to the newest,
and the newest is exactly what ``store/schema.py`` describes, on both stores.

Written against "the first revision" and "head", so they keep working as
migrations are added.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

import manage
from store import Store, open_store, schema
from store.engine import MIGRATIONS, create_engine, migrate
from store.types import Geom
from tests.conftest import STORE_KINDS
from tests.handmade import T1, T2, handmade_frames, utc

FIRST = "0001"


def head() -> str:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config).get_current_head()


@pytest.fixture(params=STORE_KINDS)
def bare_url(request, tmp_path) -> str:
    """The URL of a database with nothing in it yet (PostGIS: a fresh database)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'fourmaps.sqlite'}"
    return request.getfixturevalue("postgis_server").new_database_url()


@pytest.fixture
def bare(bare_url) -> Iterator[sa.Engine]:
    engine = create_engine(bare_url)
    yield engine
    engine.dispose()


def version(engine: sa.Engine) -> str:
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one()


# Rows written at the first revision: only the columns it had, the way a store of
# that time was filled (each insert fires that revision's triggers).
FIRST_COLUMNS = {
    "jurisdictions": ("code", "name", "name_en", "level", "geom"),
    "townships": ("code", "name", "name_en", "jurisdiction_code", "geom"),
    "material_items": ("code", "name", "name_en", "unit", "unit_en", "key_item", "sort_order"),
    "risk_points": (
        "code", "name", "category", "kind", "grade", "township_code", "geom",
        "rectification_status",
    ),
    "depots": ("code", "name", "level", "township_code", "geom", "mobilise_level"),
    "depot_stock": ("depot_code", "item_code", "quantity"),
    "forces": ("code", "name", "type", "township_code", "geom", "headcount", "mobilise_level"),
    "command_nodes": (
        "code", "name", "level", "parent_code", "township_code", "geom", "mobilise_level",
    ),
    "response_activations": ("id", "level", "starts_at", "ends_at", "reason"),
    "activation_townships": ("activation_id", "township_code"),
    "weather_warnings": ("identifier", "event", "colour", "issued_at", "expires_at"),
}  # fmt: skip


def fill_first_revision(engine: sa.Engine) -> dict[str, int]:
    """The hand-made district written into a store at the first revision; its row counts."""
    from store.store import _records, catalogue_frame

    frames = {"material_items": catalogue_frame(), **handmade_frames()}
    counts = {}
    with engine.begin() as conn:
        for table, columns in FIRST_COLUMNS.items():
            head_table = schema.metadata.tables[table]
            light = sa.table(table, *(sa.column(c, head_table.c[c].type) for c in columns))
            rows = [{c: rec[c] for c in columns} for rec in _records(frames[table])]
            conn.execute(sa.insert(light), rows)
            counts[table] = len(rows)
    return counts


def test_a_store_of_the_first_revision_holding_data_upgrades_to_head(bare):
    migrate(bare, FIRST)
    assert version(bare) == FIRST
    counts = fill_first_revision(bare)
    store = Store(bare.url.render_as_string(hide_password=False))
    before = store.revisions()
    assert all(rev.revision > 0 for rev in before.values())  # the first triggers counted

    migrate(bare)
    assert version(bare) == head()
    for table, n in counts.items():
        assert len(store.read(table)) == n, table
    risk = store.read("risk_points").set_index("code")
    assert risk.loc["R3", "township_code"] == T2
    assert (risk.loc["R3"].geom.x, risk.loc["R3"].geom.y) == (112.13, 30.03)
    assert store.current_activation(utc(2026, 12, 1))["townships"] == [T2]
    after = store.revisions()  # later migrations may add layers, starting at 0
    assert {k: after[k].revision for k in before} == {k: v.revision for k, v in before.items()}, (
        "upgrading is not a change of the data"
    )
    # The newest triggers are in place: a transaction of two writes bumps its layer,
    # once per transaction on PostGIS (0002).
    forces = schema.forces
    with store.engine.begin() as conn:
        conn.execute(sa.update(forces).where(forces.c.code == "F4").values(headcount=1))
        conn.execute(sa.update(forces).where(forces.c.code == "F3").values(headcount=2))
    bumped = store.revisions()["forces"].revision - before["forces"].revision
    assert bumped == (1 if store.is_postgis else 2)
    assert store.read("townships", where={"code": T1})["name"].tolist() == ["甲镇"]
    store.engine.dispose()


def _server_default_differs(
    _context, _inspected_column, _metadata_column, inspected, _metadata, rendered
) -> bool | None:
    """SQLite reports a default as written in its DDL (``('')``, ``'4'``, ``(false)``);
    compare the values. PostgreSQL: Alembic's own comparison."""
    if _context.dialect.name != "sqlite":
        return None

    def value(text: str | None) -> str | None:
        if text is None:
            return None
        text = text.strip()
        while text.startswith("(") and text.endswith(")"):
            text = text[1:-1].strip()
        text = text.strip("'")
        return {"false": "0", "true": "1"}.get(text.lower(), text)

    return value(inspected) != value(rendered)


def _ours(_object, name, type_, reflected, _compare_to) -> bool:
    # PostGIS's own table of coordinate systems is not the four maps'.
    return not (type_ == "table" and reflected and name == "spatial_ref_sys")


def test_schema_py_and_the_migrations_describe_the_same_tables(empty_store):
    """Autogenerate against a store migrated to head finds nothing to do: no table,
    column, type, nullability, default, index, unique or foreign key differs."""
    with empty_store.engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={
                "compare_type": True,
                "compare_server_default": _server_default_differs,
                "include_object": _ours,
            },
        )
        assert compare_metadata(context, schema.metadata) == []
        # Autogenerate does not compare check constraints: compare their names.
        inspector = sa.inspect(conn)
        for table in schema.metadata.sorted_tables:
            declared = {
                c.name for c in table.constraints if isinstance(c, sa.CheckConstraint) and c.name
            }
            found = {c["name"] for c in inspector.get_check_constraints(table.name)}
            assert found == declared, table.name


def test_every_geometry_has_a_gist_index_on_postgis(postgis_server):
    store = open_store(postgis_server.new_database_url())
    with store.engine.connect() as conn:
        indexed = set(
            conn.execute(
                sa.text(
                    "SELECT tablename FROM pg_indexes WHERE schemaname = 'public' "
                    "AND indexdef LIKE '%USING gist (geom)%'"
                )
            ).scalars()
        )
        types = dict(
            conn.execute(
                sa.text("SELECT f_table_name, type FROM geometry_columns WHERE srid = 4326")
            ).all()
        )
    store.engine.dispose()
    geometric = {
        table.name: table.c.geom.type.geometry_type
        for table in schema.metadata.sorted_tables
        if "geom" in table.c and isinstance(table.c.geom.type, Geom)
    }
    assert indexed == set(geometric)
    assert types == geometric  # real geometry(<type>, 4326) columns


def test_manage_py_migrate_and_load_city(tmp_path, monkeypatch, capsys):
    url = f"sqlite:///{tmp_path / 'fourmaps.sqlite'}"
    assert manage.main(["--database-url", url, "migrate"]) == 0
    assert "up to date" in capsys.readouterr().out
    engine = create_engine(url)
    assert version(engine) == head()

    # `load city` with the city generator replaced by the hand-made district:
    # the command's wiring (which generator, the seed, one transaction), not 150,000 points.
    import data.city

    seeds = []
    monkeypatch.setattr(
        data.city, "build_city", lambda seed=0: seeds.append(seed) or handmade_frames()
    )
    assert manage.main(["--database-url", url, "load", "city", "--seed", "7"]) == 0
    out = capsys.readouterr().out
    assert seeds == [7]
    assert out.startswith("Loaded city into sqlite:///") and "risk_points 7" in out
    store = Store(url)
    assert sorted(store.read("forces")["code"]) == ["F1", "F2", "F3", "F4"]
    store.engine.dispose()
    engine.dispose()
    # a bad store: one line, exit code 2
    assert manage.main(["--database-url", "postgresql://nobody@127.0.0.1:1/x", "migrate"]) == 2
    assert "Cannot reach the database" in capsys.readouterr().err
