"""Settings, read once from the environment. Every option is documented here.

| variable | default | meaning |
|---|---|---|
| DATABASE_URL | sqlite file under ``instance/`` | the store; ``postgresql://...`` for PostGIS |
| HOST / PORT | 127.0.0.1 / 8050 | where the app listens |
| FOURMAPS_TILE_URL | (none) | optional raster tiles, e.g. ``http://tiles.local/{z}/{x}/{y}.png`` |
| FOURMAPS_TILE_ATTRIBUTION | (none) | attribution shown with those tiles |
| FOURMAPS_LANG | zh | interface language: ``zh`` or ``en`` |
| FOURMAPS_POLL_SECONDS | 5 | how often open pages look for changed data |
| FOURMAPS_SEED_DEMO | 1 | create and fill an empty embedded store with the demo data |
| FOURMAPS_DEBUG | 0 | Dash debug mode (never on a wall or server) |
| FOURMAPS_LINKED_VIEWS | 0 | panning or zooming one map moves the other three |
| FOURMAPS_TIMEZONE | Asia/Shanghai | the time zone clocks and "updated at" are shown in |
| FOURMAPS_INSTANCE_DIR | ``instance/`` | where the first admin's password is written |
| FOURMAPS_ADMIN_PASSWORD | (none) | the first admin's password (else a random one, printed once) |
| FOURMAPS_SECRET_KEY | (kept in the store) | signs session cookies; shared by every worker |
| FOURMAPS_SESSION_HOURS | 12 | how long a sign-in lasts (walls sign in again from their URL) |
| FOURMAPS_SECURE_COOKIES | 0 | send the session cookie over HTTPS only (behind a TLS proxy) |
| FOURMAPS_PUBLIC_URL | http://HOST:PORT | the app's address as walls reach it (wall URLs) |
| FOURMAPS_THREADS | 8 | request threads per server process (waitress, or a gunicorn worker) |
| FOURMAPS_WORKERS | 2 | worker processes of ``gunicorn app:server`` (``gunicorn.conf.py``) |
| FOURMAPS_DB_CONNECT_TIMEOUT | 3 | seconds to open a PostgreSQL connection before giving up |
| FOURMAPS_DB_POOL_TIMEOUT | 10 | seconds a request waits for a free pooled connection |
| FOURMAPS_DB_STATEMENT_TIMEOUT | 60 | seconds one PostgreSQL statement may run (0: no limit) |
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent
DEFAULT_INSTANCE = ROOT / "instance"
DEFAULT_SQLITE = DEFAULT_INSTANCE / "fourmaps.sqlite"


def _flag(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class DatabaseTimeouts:
    """How long a request may wait on PostgreSQL, so none hangs when the database is away.

    Without them a request could wait 30 s for a pooled connection (SQLAlchemy's
    default) and a statement on a stuck server without end; an answer that says
    "cannot reach the store" within seconds lets walls show their stale banner
    and officers retry.
    """

    connect: float = 3.0
    pool: float = 10.0
    statement: float = 60.0  # long enough for the city set's bulk load (5,000-row chunks)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> DatabaseTimeouts:
        """The ``FOURMAPS_DB_*_TIMEOUT`` variables, in seconds."""
        env = dict(os.environ if env is None else env)
        base = cls()
        return cls(
            connect=float(env.get("FOURMAPS_DB_CONNECT_TIMEOUT") or base.connect),
            pool=float(env.get("FOURMAPS_DB_POOL_TIMEOUT") or base.pool),
            statement=float(env.get("FOURMAPS_DB_STATEMENT_TIMEOUT") or base.statement),
        )


@dataclass(frozen=True)
class Settings:
    """Everything the app can be told; tests build their own."""

    database_url: str = f"sqlite:///{DEFAULT_SQLITE}"
    host: str = "127.0.0.1"
    port: int = 8050
    tile_url: str | None = None
    tile_attribution: str = ""
    lang: str = "zh"
    poll_seconds: float = 5.0
    seed_demo: bool = True
    debug: bool = False
    timezone: str = "Asia/Shanghai"
    linked_views: bool = False
    instance_dir: Path = DEFAULT_INSTANCE
    admin_password: str | None = None
    secret_key: str | None = None
    session_hours: float = 12.0
    secure_cookies: bool = False
    public_url: str | None = None
    threads: int = 8
    workers: int = 2
    db: DatabaseTimeouts = field(default_factory=lambda: DatabaseTimeouts())

    @property
    def base_url(self) -> str:
        """Where walls and people reach the app."""
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        """Read the environment (or a given mapping), falling back to defaults."""
        env = dict(os.environ if env is None else env)
        base = cls()
        lang = env.get("FOURMAPS_LANG", base.lang).strip().lower()
        return cls(
            database_url=env.get("DATABASE_URL") or base.database_url,
            host=env.get("HOST", base.host),
            port=int(env.get("PORT", base.port)),
            tile_url=env.get("FOURMAPS_TILE_URL") or None,
            tile_attribution=env.get("FOURMAPS_TILE_ATTRIBUTION", ""),
            lang=lang if lang in {"zh", "en"} else base.lang,
            poll_seconds=float(env.get("FOURMAPS_POLL_SECONDS", base.poll_seconds)),
            seed_demo=_flag(env.get("FOURMAPS_SEED_DEMO", "1")),
            debug=_flag(env.get("FOURMAPS_DEBUG", "0")),
            timezone=env.get("FOURMAPS_TIMEZONE", base.timezone),
            linked_views=_flag(env.get("FOURMAPS_LINKED_VIEWS", "0")),
            instance_dir=Path(env.get("FOURMAPS_INSTANCE_DIR") or base.instance_dir),
            admin_password=env.get("FOURMAPS_ADMIN_PASSWORD") or None,
            secret_key=env.get("FOURMAPS_SECRET_KEY") or None,
            session_hours=float(env.get("FOURMAPS_SESSION_HOURS") or base.session_hours),
            secure_cookies=_flag(env.get("FOURMAPS_SECURE_COOKIES", "0")),
            public_url=env.get("FOURMAPS_PUBLIC_URL") or None,
            threads=int(env.get("FOURMAPS_THREADS") or base.threads),
            workers=int(env.get("FOURMAPS_WORKERS") or base.workers),
            db=DatabaseTimeouts.from_env(env),
        )
