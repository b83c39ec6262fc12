"""Users and tokens: adding, signing in, disabling, revoking.

Passwords are hashed with argon2 (argon2-cffi, the hash the Password Hashing
Competition chose); tokens are 32 random bytes, stored as their SHA-256
(they are not guessable, so a fast digest is enough and lets every request
be checked with one indexed lookup).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import math
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from auth.roles import Principal, require
from domain import ROLES, keys
from store import Store
from store.accounts import NameTaken

MIN_PASSWORD = 10
_hasher = PasswordHasher()
# Verified against when the name is unknown, so a wrong name costs what a wrong
# password costs and timing does not tell which names exist.
_DUMMY_HASH = _hasher.hash("not a password anyone has")

__all__ = ["NameTaken"]


class BadAccount(ValueError):
    """A request about accounts that cannot be done (message for a person)."""


def _check_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > 60 or any(c.isspace() for c in name):
        raise BadAccount("a user name is 1-60 characters with no spaces")
    return name


def _check_role(role: str) -> str:
    if role not in keys(ROLES):
        raise BadAccount(f"unknown role {role!r}: use one of {', '.join(keys(ROLES))}")
    return role


def _check_password(password: str) -> str:
    if len(password or "") < MIN_PASSWORD:
        raise BadAccount(f"a password needs at least {MIN_PASSWORD} characters")
    return password


def add_user(store: Store, actor: Principal, name: str, role: str, password: str) -> dict:
    """A new user who can sign in with ``password``."""
    require(actor, "admin")
    name, role = _check_name(name), _check_role(role)
    digest = _hasher.hash(_check_password(password))
    user = store.accounts.add_user(name, role, digest, created_by=actor.name)
    return _public(user)


def list_users(store: Store, actor: Principal) -> list[dict]:
    require(actor, "admin")
    return [_public(u) for u in store.accounts.users()]


def set_active(store: Store, actor: Principal, name: str, active: bool) -> dict:
    """Disable (or enable again) a user: a disabled user's sessions and tokens stop at once."""
    require(actor, "admin")
    user = store.accounts.user(name=name)
    if user is None:
        raise BadAccount(f"no user named {name!r}")
    store.accounts.update_user(user["id"], active=active, end_sessions=not active)
    return _public(store.accounts.user(user_id=user["id"]))


def set_password(store: Store, actor: Principal, name: str, password: str) -> None:
    """A new password (for oneself, or anyone's by an admin); other sessions end."""
    if actor.user_name != name:
        require(actor, "admin")
    user = store.accounts.user(name=name)
    if user is None:
        raise BadAccount(f"no user named {name!r}")
    digest = _hasher.hash(_check_password(password))
    store.accounts.update_user(user["id"], password_hash=digest, end_sessions=True)


def _public(user: dict) -> dict:
    return {k: v for k, v in user.items() if k != "password_hash"}


@dataclass(frozen=True)
class SignedIn:
    """A signed-in user as the session remembers them."""

    principal: Principal
    epoch: int


class Throttled(Exception):
    """Too many wrong passwords lately: no password is tried until ``retry_after`` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many failed sign-ins; try again in {retry_after} s")
        self.retry_after = retry_after


# Wrong passwords allowed per account, and per address (many names from one
# machine), within the window, before sign-in waits for the oldest to age out.
NAME_FAILURES, ADDRESS_FAILURES, FAILURE_WINDOW = 5, 20, timedelta(minutes=15)


def sign_in(
    store: Store, name: str, password: str, address: str = "", now: datetime | None = None
) -> SignedIn | None:
    """The user, when ``name`` and ``password`` match an active account; else None.

    Guessing is throttled in the store, so every worker and instance counts the
    same failures: after ``NAME_FAILURES`` wrong passwords for one name, or
    ``ADDRESS_FAILURES`` from one address, within ``FAILURE_WINDOW``, this raises
    :class:`Throttled` (even for the right password) until the oldest ages out.
    """
    name = (name or "").strip()
    now = now or datetime.now(UTC)
    wait = _wait(store.accounts.failures_since(name, address, now - FAILURE_WINDOW), now)
    if wait:
        raise Throttled(wait)
    user = store.accounts.user(name=name)
    digest = user["password_hash"] if user and user["password_hash"] else _DUMMY_HASH
    try:
        _hasher.verify(digest, password or "")
        ok = user is not None and bool(user["active"]) and digest is not _DUMMY_HASH
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok:
        store.accounts.add_failure(name, address, now, forget_before=now - FAILURE_WINDOW)
        return None
    store.accounts.clear_failures(name)
    return SignedIn(_user_principal(user), user["session_epoch"])


def _wait(failures: dict[str, list[datetime]], now: datetime) -> int:
    """Seconds until sign-in may be tried again (0: now)."""
    waits = [
        failures[key][-limit] + FAILURE_WINDOW - now
        for key, limit in (("name", NAME_FAILURES), ("address", ADDRESS_FAILURES))
        if len(failures[key]) >= limit
    ]
    return max((math.ceil(w.total_seconds()) for w in waits), default=0)


def session_user(store: Store, user_id: int, epoch: int) -> Principal | None:
    """The user a session cookie names, if they are still active and it is still valid."""
    user = store.accounts.user(user_id=user_id)
    if user is None or not user["active"] or user["session_epoch"] != epoch:
        return None
    return _user_principal(user)


def _user_principal(user: dict) -> Principal:
    return Principal(
        name=user["name"],
        role=user["role"],
        kind="user",
        user_id=user["id"],
        user_name=user["name"],
    )


# --- tokens -------------------------------------------------------------------


def token_digest(token: str) -> str:
    """What the store keeps of a token."""
    return hashlib.sha256(token.strip().encode()).hexdigest()


def create_api_token(store: Store, actor: Principal, user_name: str, label: str = "") -> str:
    """A bearer token acting as ``user_name`` (with their role, while they are active).

    Returns the token itself: shown once, stored only as its digest.
    """
    require(actor, "admin")
    user = store.accounts.user(name=user_name)
    if user is None:
        raise BadAccount(f"no user named {user_name!r}")
    token = "fm_" + secrets.token_urlsafe(32)
    store.accounts.add_token(
        "api", token_digest(token), user["role"], label or user_name, actor.name, user_id=user["id"]
    )
    return token


def signing_key(store: Store) -> str:
    """The app's own secret (session cookies, wall tokens), made on first use and shared
    by every worker and instance through the store."""
    return store.accounts.setting_or_create("session_secret", lambda: secrets.token_hex(32))


def _wall_signature(key: str, body: str) -> str:
    mac = hmac.new(key.encode(), f"wall:{body}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")[:22]


def create_wall_token(store: Store, actor: Principal, label: str) -> str:
    """A viewer token for a wall URL: it survives power cuts and can be revoked.

    It is signed with :func:`signing_key`, so that a wall restarted while the
    database is down can still be let in to show its last data
    (:func:`wall_token_is_genuine`); revocation is checked whenever the store answers.
    """
    require(actor, "admin")
    body = secrets.token_urlsafe(24)
    token = f"fw_{body}.{_wall_signature(signing_key(store), body)}"
    store.accounts.add_token("wall", token_digest(token), "viewer", label, actor.name)
    return token


def wall_token_is_genuine(key: str, token: str) -> bool:
    """Whether ``token`` is a wall token this app made (not whether it is still live)."""
    body, _, signature = token.strip().removeprefix("fw_").rpartition(".")
    return (
        token.startswith("fw_")
        and bool(body)
        and hmac.compare_digest(signature, _wall_signature(key, body))
    )


def token_principal(store: Store, token: str | None) -> Principal | None:
    """Who a bearer or wall token acts as; None when unknown, revoked or its user disabled."""
    return token_digest_principal(store, token_digest(token)) if token else None


def token_digest_principal(store: Store, digest: str) -> Principal | None:
    """The same, from the token's digest (what a session keeps of a wall's token)."""
    row = store.accounts.token_by_hash(digest)
    return None if row is None else _token_principal(row)


def token_by_id(store: Store, token_id: int) -> Principal | None:
    """The same for a session that signed in with a token (a wall), by the token's id."""
    row = store.accounts.token(token_id)
    return None if row is None or row["revoked_at"] is not None else _token_principal(row)


def _token_principal(row: dict) -> Principal | None:
    if row["kind"] == "wall":
        return Principal(name=f"wall#{row['id']}", role="viewer", kind="wall", token_id=row["id"])
    if not row["user_active"]:
        return None
    return Principal(
        name=f"{row['user_name']} (token#{row['id']})",
        role=row["user_role"],
        kind="api",
        user_id=row["user_id"],
        token_id=row["id"],
        user_name=row["user_name"],
    )


def list_tokens(store: Store, actor: Principal, *, include_revoked: bool = False) -> list[dict]:
    require(actor, "admin")
    return [
        {k: v for k, v in t.items() if k != "token_hash"}
        for t in store.accounts.tokens(include_revoked=include_revoked)
    ]


def revoke_token(store: Store, actor: Principal, token_id: int) -> None:
    require(actor, "admin")
    if not store.accounts.revoke_token(token_id, actor.name):
        raise BadAccount(f"no live token #{token_id}")


# --- the first start -------------------------------------------------------------


def ensure_first_admin(store: Store, instance_dir: Path, password: str | None = None) -> str | None:
    """On a store with no users, create ``admin`` and return its password; else None.

    The password is ``password`` (``FOURMAPS_ADMIN_PASSWORD``) or a random one,
    written to ``instance_dir/initial-admin-password`` readable by its owner
    only, as Jenkins and Grafana do. Several workers starting at once create
    one admin between them.
    """
    if store.accounts.count_users():
        return None
    secret = password or secrets.token_urlsafe(12)
    try:
        store.accounts.add_user(
            "admin", "admin", _hasher.hash(_check_password(secret)), created_by="first start"
        )
    except NameTaken:
        return None  # another worker was first
    if not password:
        instance_dir.mkdir(parents=True, exist_ok=True)
        path = instance_dir / "initial-admin-password"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secret + "\n")
        os.chmod(path, 0o600)
    return secret
