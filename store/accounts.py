"""Users, tokens and the app's own settings: their SQL, on either store.

Passwords arrive hashed and tokens as digests: the store never sees a
secret it could leak.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError

from store import schema
from store.engine import StoreUnavailable, _safe


class NameTaken(ValueError):
    """A user of that name exists already."""


class Accounts:
    """The ``users``, ``api_tokens`` and ``app_settings`` tables of one store."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def _run(self, fn: Any, *, write: bool = False) -> Any:
        try:
            with self.engine.begin() if write else self.engine.connect() as conn:
                return fn(conn)
        except IntegrityError:
            raise
        except DBAPIError as exc:
            raise StoreUnavailable(f"Cannot reach {_safe(self.engine.url)}: {exc.orig}") from exc

    # --- users -------------------------------------------------------------

    def count_users(self) -> int:
        return self._run(
            lambda c: c.execute(sa.select(sa.func.count()).select_from(schema.users)).scalar_one()
        )

    def add_user(self, name: str, role: str, password_hash: str, created_by: str) -> dict:
        """Insert a user; raises :class:`NameTaken` when the name is in use."""
        users = schema.users

        def insert(conn: sa.Connection) -> dict:
            row = conn.execute(
                users.insert()
                .values(
                    name=name,
                    role=role,
                    password_hash=password_hash,
                    created_by=created_by,
                    created_at=datetime.now(UTC),
                )
                .returning(*users.c)
            )
            return dict(row.mappings().one())

        try:
            return self._run(insert, write=True)
        except IntegrityError as exc:
            raise NameTaken(f"a user named {name!r} exists already") from exc

    def user(self, *, name: str | None = None, user_id: int | None = None) -> dict | None:
        users = schema.users
        query = sa.select(users).where(
            users.c.name == name if name is not None else users.c.id == user_id
        )
        return self._run(lambda c: _first(c.execute(query)))

    def users(self) -> list[dict]:
        query = sa.select(schema.users).order_by(schema.users.c.name)
        return self._run(lambda c: [dict(r) for r in c.execute(query).mappings()])

    def update_user(self, user_id: int, **values: Any) -> bool:
        """Change a user; ``end_sessions=True`` also signs them out everywhere."""
        users = schema.users
        if values.pop("end_sessions", False):
            values["session_epoch"] = users.c.session_epoch + 1
        statement = users.update().where(users.c.id == user_id).values(**values)
        return self._run(lambda c: c.execute(statement).rowcount == 1, write=True)

    # --- tokens ------------------------------------------------------------

    def add_token(
        self,
        kind: str,
        token_hash: str,
        role: str,
        label: str,
        created_by: str,
        user_id: int | None = None,
    ) -> dict:
        tokens = schema.api_tokens
        statement = (
            tokens.insert()
            .values(
                kind=kind,
                token_hash=token_hash,
                role=role,
                label=label,
                created_by=created_by,
                user_id=user_id,
                created_at=datetime.now(UTC),
            )
            .returning(*tokens.c)
        )
        return self._run(lambda c: dict(c.execute(statement).mappings().one()), write=True)

    def token_by_hash(self, token_hash: str) -> dict | None:
        """A live token with its user's name, role and state (one query per request)."""
        tokens, users = schema.api_tokens, schema.users
        query = (
            sa.select(
                tokens,
                users.c.name.label("user_name"),
                users.c.role.label("user_role"),
                users.c.active.label("user_active"),
            )
            .select_from(tokens.outerjoin(users, users.c.id == tokens.c.user_id))
            .where(tokens.c.token_hash == token_hash, tokens.c.revoked_at.is_(None))
        )
        return self._run(lambda c: _first(c.execute(query)))

    def token(self, token_id: int) -> dict | None:
        tokens, users = schema.api_tokens, schema.users
        query = (
            sa.select(
                tokens,
                users.c.name.label("user_name"),
                users.c.role.label("user_role"),
                users.c.active.label("user_active"),
            )
            .select_from(tokens.outerjoin(users, users.c.id == tokens.c.user_id))
            .where(tokens.c.id == token_id)
        )
        return self._run(lambda c: _first(c.execute(query)))

    def tokens(self, *, include_revoked: bool = False) -> list[dict]:
        tokens, users = schema.api_tokens, schema.users
        query = (
            sa.select(tokens, users.c.name.label("user_name"))
            .select_from(tokens.outerjoin(users, users.c.id == tokens.c.user_id))
            .order_by(tokens.c.id)
        )
        if not include_revoked:
            query = query.where(tokens.c.revoked_at.is_(None))
        return self._run(lambda c: [dict(r) for r in c.execute(query).mappings()])

    def revoke_token(self, token_id: int, revoked_by: str) -> bool:
        tokens = schema.api_tokens
        statement = (
            tokens.update()
            .where(tokens.c.id == token_id, tokens.c.revoked_at.is_(None))
            .values(revoked_at=datetime.now(UTC), revoked_by=revoked_by)
        )
        return self._run(lambda c: c.execute(statement).rowcount == 1, write=True)

    # --- failed sign-ins ------------------------------------------------------

    def failures_since(self, name: str, address: str, since: datetime) -> dict[str, list]:
        """When ``name`` and ``address`` last failed to sign in, since ``since``, oldest first."""
        table = schema.sign_in_failures

        def read(conn: sa.Connection) -> dict[str, list]:
            out = {}
            for key, column, value in (
                ("name", table.c.name, name),
                ("address", table.c.address, address),
            ):
                query = sa.select(table.c.at).where(column == value, table.c.at >= since)
                out[key] = sorted(
                    _aware(at) for at in conn.execute(query.order_by(table.c.at)).scalars()
                )
            return out

        return self._run(read)

    def add_failure(self, name: str, address: str, at: datetime, forget_before: datetime) -> None:
        """Record one failed sign-in, and forget those too old to matter."""
        table = schema.sign_in_failures

        def write(conn: sa.Connection) -> None:
            conn.execute(table.delete().where(table.c.at < forget_before))
            conn.execute(table.insert().values(name=name[:60], address=address[:64], at=at))

        self._run(write, write=True)

    def clear_failures(self, name: str) -> None:
        table = schema.sign_in_failures
        self._run(lambda c: c.execute(table.delete().where(table.c.name == name)), write=True)

    # --- settings ------------------------------------------------------------

    def setting(self, key: str, default: str | None = None) -> str | None:
        query = sa.select(schema.app_settings.c.value).where(schema.app_settings.c.key == key)
        value = self._run(lambda c: c.execute(query).scalar_one_or_none())
        return default if value is None else value

    def setting_or_create(self, key: str, make: Any) -> str:
        """The stored value of ``key``, storing ``make()`` first if there is none.

        Several workers starting at once all end with the same value: the
        first insert wins, the others read it back.
        """
        value = self.setting(key)
        if value is not None:
            return value
        with contextlib.suppress(IntegrityError):  # another worker stored it first
            self._run(
                lambda c: c.execute(schema.app_settings.insert().values(key=key, value=make())),
                write=True,
            )
        return self.setting(key)  # type: ignore[return-value]


def _aware(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; every time here is UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _first(result: sa.CursorResult) -> dict | None:
    row = result.mappings().first()
    return None if row is None else dict(row)
