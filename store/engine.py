"""Opening a store: the engine, the connection check and the migrations."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from config import DatabaseTimeouts

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class StoreUnavailable(RuntimeError):
    """The store cannot be reached or used; the message is one line for a person."""


def _normalise(url: str) -> sa.URL:
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreUnavailable(
            f"DATABASE_URL is not a database URL ({url!r}): expected sqlite:///path "
            "or postgresql://user@host:port/dbname"
        ) from exc
    if parsed.drivername in {"postgresql", "postgres"}:
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def _safe(url: sa.URL) -> str:
    return url.render_as_string(hide_password=True)


def create_engine(url: str, timeouts: DatabaseTimeouts | None = None) -> Engine:
    """An engine for ``url`` with the settings each store needs; nothing is opened yet.

    PostgreSQL gets ``timeouts`` (else ``FOURMAPS_DB_*_TIMEOUT``, see config.py), and TCP
    keepalives so a connection to a server that vanished without a word is found dead
    in about 20 s instead of the kernel's 15 minutes.
    """
    parsed = _normalise(url)
    try:
        if parsed.get_backend_name() == "sqlite":
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            engine = sa.create_engine(parsed, connect_args={"timeout": 10})
            sa.event.listen(engine, "connect", _sqlite_pragmas)
            return engine
        if parsed.get_backend_name() == "postgresql":
            timeouts = timeouts or DatabaseTimeouts.from_env()
            options = f"-c statement_timeout={int(timeouts.statement * 1000)}"
            return sa.create_engine(
                parsed,
                pool_pre_ping=True,
                pool_size=5,
                max_overflow=5,
                pool_timeout=timeouts.pool,
                connect_args={
                    "connect_timeout": max(1, round(timeouts.connect)),  # libpq: whole seconds
                    "options": options,
                    "keepalives": 1,
                    "keepalives_idle": 10,
                    "keepalives_interval": 5,
                    "keepalives_count": 2,
                },
            )
    except NoSuchModuleError as exc:
        raise StoreUnavailable(f"No driver for {_safe(parsed)}: {exc}") from exc
    raise StoreUnavailable(
        f"Unsupported DATABASE_URL {_safe(parsed)}: use sqlite:///path or postgresql://..."
    )


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # noqa: ANN001 - DB-API objects
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def check_connection(engine: Engine) -> None:
    """Fail with one clear line when the database cannot be reached."""
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except DBAPIError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise StoreUnavailable(
            f"Cannot reach the database at {_safe(engine.url)}: {reason}. "
            "Check DATABASE_URL, that the server is running and accepts connections."
        ) from exc


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision``, by default the newest (creating it on an empty store)."""
    check_connection(engine)
    if engine.dialect.name == "postgresql":
        try:
            with engine.begin() as conn:
                conn.execute(sa.text("CREATE EXTENSION IF NOT EXISTS postgis"))
        except DBAPIError as exc:
            reason = str(exc.orig).strip().splitlines()[0]
            raise StoreUnavailable(
                f"PostGIS is not available in {_safe(engine.url)}: {reason}. "
                "Install the postgresql-<version>-postgis-3 package or ask the DBA to "
                "run CREATE EXTENSION postgis."
            ) from exc
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)
