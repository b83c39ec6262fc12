"""The store: the one place that knows SQL, the schema and the engine.

``Store(url)`` works the same on the embedded SQLite file and on PostGIS.
Reads return pandas/GeoPandas frames in EPSG:4326; writes take frames.
"""

from store.engine import StoreUnavailable
from store.store import Revision, Store, open_store

__all__ = ["Revision", "Store", "StoreUnavailable", "open_store"]
