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
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent
DEFAULT_SQLITE = ROOT / "instance" / "fourmaps.sqlite"


def _flag(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


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
        )
