"""Many rows into one table inside the caller's transaction, without per-row SQLAlchemy work.

An import writes each record with its history row: 300,000 rows for a city's
risk points. SQLAlchemy's executemany builds a parameter dict per row and runs
each value through its type's processor; that cost alone doubled an import's
commit. Here the rows are tuples in a fixed column order: PostgreSQL takes them
by ``COPY ... FROM STDIN`` (psycopg), SQLite by one prepared ``INSERT``
executemany. The values stored are the same as through SQLAlchemy: SQLite's
bind processors (dates as text) run once per column, geometries go as WKB
(SQLite) or hex EWKB with SRID 4326 (PostGIS's text input).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import shapely
import sqlalchemy as sa

from store.types import SRID, Geom


def bulk_insert(
    conn: sa.Connection, table: sa.Table, columns: Sequence[str], values: list[list[Any]]
) -> None:
    """Insert rows given column by column (``values[i]`` holds ``columns[i]`` of every row).

    Geometry columns hold shapely geometries (or None). Database errors come out as
    SQLAlchemy's (``IntegrityError``, ``DataError`` ...), as from ``conn.execute``.
    """
    if not values or not values[0]:
        return
    dialect = conn.dialect
    postgres = dialect.name == "postgresql"
    prepared = []
    for name, column in zip(columns, values, strict=True):
        kind = table.c[name].type
        if isinstance(kind, Geom):
            prepared.append(_geometries(column, postgres))
            continue
        process = None if postgres else kind._cached_bind_processor(dialect)
        prepared.append(column if process is None else [process(v) for v in column])
    rows = list(zip(*prepared, strict=True))
    names = ", ".join(dialect.identifier_preparer.quote(c) for c in columns)
    target = dialect.identifier_preparer.format_table(table)
    if not postgres:
        marks = ", ".join("?" for _ in columns)
        conn.exec_driver_sql(f"INSERT INTO {target} ({names}) VALUES ({marks})", rows)
        return
    sql = f"COPY {target} ({names}) FROM STDIN"
    raw = conn.connection.driver_connection
    try:
        with raw.cursor() as cursor, cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
    except dialect.loaded_dbapi.Error as error:  # as conn.execute would raise it
        raise sa.exc.DBAPIError.instance(sql, None, error, dialect.loaded_dbapi.Error) from error


def _geometries(column: list[Any], postgres: bool) -> list[Any]:
    geoms = np.array(column, dtype=object)
    if postgres:
        return list(shapely.to_wkb(shapely.set_srid(geoms, SRID), hex=True, include_srid=True))
    return list(shapely.to_wkb(geoms))
