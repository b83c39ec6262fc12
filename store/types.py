"""A geometry column that works on both stores.

On PostgreSQL it is a real PostGIS ``geometry(<type>, 4326)`` with a GiST
index (GeoAlchemy2 creates it); on SQLite, which has no spatial extension
here, it is the geometry's WKB in a plain BLOB. Either way a query returns
WKB bytes, which ``shapely.from_wkb`` turns into geometries in one
vectorised call; shapely geometries or WKB bytes are accepted on write.
"""

from __future__ import annotations

from typing import Any

import shapely
from geoalchemy2 import Geometry, WKBElement
from sqlalchemy.engine import Dialect
from sqlalchemy.types import LargeBinary, TypeDecorator, TypeEngine

SRID = 4326


class Geom(TypeDecorator):
    """PostGIS geometry on PostgreSQL, WKB BLOB elsewhere (EPSG:4326)."""

    impl = LargeBinary
    cache_ok = True
    # GeoAlchemy2's DDL hooks read these to create the GiST index.
    spatial_index = True
    use_N_D_index = False

    def __init__(self, geometry_type: str = "GEOMETRY") -> None:
        super().__init__()
        self.geometry_type = geometry_type

    def load_dialect_impl(self, dialect: Dialect | None) -> TypeEngine[Any]:
        if dialect is not None and dialect.name == "postgresql":
            return dialect.type_descriptor(
                Geometry(self.geometry_type, srid=SRID, spatial_index=True)
            )
        # GeoAlchemy2 asks with no dialect while deciding what it manages.
        return LargeBinary() if dialect is None else dialect.type_descriptor(LargeBinary())

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        wkb = value if isinstance(value, (bytes, memoryview)) else shapely.to_wkb(value)
        if dialect.name == "postgresql":
            return WKBElement(bytes(wkb), srid=SRID)
        return bytes(wkb)

    def process_result_value(self, value: Any, dialect: Dialect) -> bytes | None:
        if value is None:
            return None
        if isinstance(value, WKBElement):
            return bytes(value.data)
        return bytes(value)
