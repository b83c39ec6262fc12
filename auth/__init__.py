"""Who may do what: users, roles, tokens and the one check every operation makes.

No Flask or Dash here. Every face (the pages, the HTTP API, ``manage.py``)
turns its request into a :class:`Principal` and passes it to the operation,
and the operation calls :func:`require` itself, so a hand-made POST to any
endpoint meets the same rule as the page.
"""

from auth.roles import (
    PERMISSIONS,
    Forbidden,
    Principal,
    Unauthenticated,
    can,
    require,
    system_principal,
)

__all__ = [
    "PERMISSIONS",
    "Forbidden",
    "Principal",
    "Unauthenticated",
    "can",
    "require",
    "system_principal",
]
