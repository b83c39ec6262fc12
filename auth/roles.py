"""Roles, what each may do, and the principal an operation runs as."""

from __future__ import annotations

from dataclasses import dataclass

from domain import ROLES, keys

# What each role may do. Admins may do everything.
PERMISSIONS: dict[str, frozenset[str]] = {
    "viewer": frozenset({"read"}),
    # incidents, dispatch, the response in force, weather warnings, ledger steps
    "duty_officer": frozenset({"read", "respond"}),
    # the layers: edit records, import files
    "planner": frozenset({"read", "edit"}),
    # users, tokens, restoring deleted records and reverting changes
    "admin": frozenset({"read", "respond", "edit", "admin"}),
}
assert set(PERMISSIONS) == set(keys(ROLES))


class Unauthenticated(PermissionError):
    """Nobody is signed in (HTTP 401)."""


class Forbidden(PermissionError):
    """Signed in, but this role may not do this (HTTP 403)."""

    def __init__(self, principal: Principal, permission: str) -> None:
        super().__init__(
            f"{principal.name} ({principal.role}) may not {permission}: "
            f"that needs one of the roles {', '.join(roles_with(permission))}"
        )
        self.permission = permission


@dataclass(frozen=True)
class Principal:
    """Who an operation runs as: a signed-in user, a script's token or a wall's token.

    ``name`` is what the history records (``admin``, ``token:sync#3 (planner1)``,
    ``wall#7``).
    """

    name: str
    role: str
    kind: str = "user"  # "user", "api" (a user's token), "wall" (a viewer token), "system"
    user_id: int | None = None
    token_id: int | None = None
    user_name: str | None = None  # the account, for users and their tokens


def can(principal: Principal | None, permission: str) -> bool:
    """Whether ``principal`` may do ``permission`` (nobody may do anything)."""
    return principal is not None and permission in PERMISSIONS.get(principal.role, ())


def require(principal: Principal | None, permission: str) -> Principal:
    """Raise unless ``principal`` may do ``permission``; every operation starts here."""
    if principal is None:
        raise Unauthenticated("sign in first")
    if not can(principal, permission):
        raise Forbidden(principal, permission)
    return principal


def roles_with(permission: str) -> list[str]:
    """The roles that may do ``permission``, in the order of :data:`domain.ROLES`."""
    return [role for role in keys(ROLES) if permission in PERMISSIONS[role]]


def system_principal(name: str = "manage.py") -> Principal:
    """The command line, run by whoever may run commands on the server (an admin)."""
    return Principal(name=name, role="admin", kind="system")
