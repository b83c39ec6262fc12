"""Every request signed in, cross-site writes refused, and who is asking.

* Pages, Dash's own endpoints and the API all need sign-in; only the
  sign-in page and the static assets it uses are public. A page load without
  it is sent to ``/login``; anything else gets 401 with a JSON reason.
* A request is signed in by its session cookie (HttpOnly, SameSite=Lax,
  signed with a key kept in the store so every worker and instance accepts
  it), by ``Authorization: Bearer TOKEN``, or, for a wall, by ``?token=`` in
  the page's URL: a wall nobody touches signs itself in again after a power
  cut, and revoking the token ends it.
* A write (POST, PUT, PATCH, DELETE) carried by a cookie must come from the
  app's own pages: a cross-site ``Origin`` or ``Sec-Fetch-Site`` is refused
  (Dash has no CSRF protection of its own).
* The session is checked against the store on every request, so disabling a
  user or revoking a token takes effect at once. While the store is
  unreachable the signed cookie is trusted as it was last checked, so a wall
  keeps showing its last data (nothing can be written then anyway).
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from urllib.parse import urlsplit

import flask
import flask_login

from auth import Principal
from auth.accounts import (
    session_user,
    signing_key,
    token_by_id,
    token_digest,
    token_digest_principal,
    token_principal,
    wall_token_is_genuine,
)
from config import Settings
from store import Store, StoreUnavailable

PUBLIC_PREFIXES = ("/login", "/assets/", "/_favicon.ico")
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class SessionUser(flask_login.UserMixin):
    """Flask-Login's user: a principal, and the session id that names it."""

    def __init__(self, principal: Principal, session_id: str) -> None:
        self.principal = principal
        self.session_id = session_id

    def get_id(self) -> str:
        return self.session_id


def session_id(principal: Principal, epoch: int = 0) -> str:
    """What the session cookie stores: a user and their session epoch, or a token id."""
    if principal.kind == "user":
        return f"u:{principal.user_id}:{epoch}"
    return f"t:{principal.token_id}"


def current_principal() -> Principal | None:
    """Who the current request runs as (None when nobody is signed in)."""
    # The real object, not the LocalProxy: a proxy's bool() takes any RuntimeError for
    # "no request" and answers False, and StoreUnavailable is one, so a bearer request
    # during an outage was told 401 "sign in first" instead of 503 (found by issue 19's
    # load benchmark); the guard turns the raised StoreUnavailable into that 503.
    user = flask_login.current_user._get_current_object()
    return user.principal if user is not None and user.is_authenticated else None


def install(server: flask.Flask, store: Store, settings: Settings) -> None:
    """Put the sign-in rules on ``server`` (the Flask app under Dash)."""
    server.config.update(
        SECRET_KEY=settings.secret_key or signing_key(store),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        SESSION_COOKIE_NAME="fourmaps_session",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=settings.session_hours),
        REMEMBER_COOKIE_HTTPONLY=True,
    )
    wall_key = signing_key(store)
    manager = flask_login.LoginManager()
    manager.session_protection = None  # walls move between networks; the store decides
    manager.init_app(server)

    @manager.user_loader
    def load_user(sid: str) -> SessionUser | None:
        try:
            kind, *rest = sid.split(":")
            if kind == "u":
                principal = session_user(store, int(rest[0]), int(rest[1]))
            elif kind == "t":
                principal = token_by_id(store, int(rest[0]))
            elif kind == "w":
                principal = token_digest_principal(store, rest[0])
            else:
                return None
        except (ValueError, IndexError):
            return None
        except StoreUnavailable:
            principal = _remembered(sid)
        return None if principal is None else SessionUser(principal, sid)

    @manager.request_loader
    def load_bearer(request: flask.Request) -> SessionUser | None:
        header = request.headers.get("Authorization", "")
        if not header.lower().startswith("bearer "):
            return None
        principal = token_principal(store, header[7:])
        return None if principal is None else SessionUser(principal, session_id(principal))

    @server.before_request
    def guard() -> flask.Response | None:
        request = flask.request
        if request.method in WRITE_METHODS and _cross_site(request):
            return _refuse(403, "cross-site request refused")
        if request.path.startswith(PUBLIC_PREFIXES):
            return None
        token = request.args.get("token") if request.method == "GET" else None
        try:
            if token:
                _sign_in_with_url_token(store, token)
        except StoreUnavailable as exc:
            if current_principal() is None:
                if not wall_token_is_genuine(wall_key, token):
                    return _refuse(503, str(exc))
                # A wall restarted during an outage: let it show its last data. The
                # session keeps the token's digest; the store checks it as soon as
                # it answers again, and ends the session if the token was revoked.
                unchecked = Principal("wall (unchecked)", "viewer", "wall")
                sign_in_session(unchecked, sid=f"w:{token_digest(token)}")
        try:
            if current_principal() is not None:
                return None
        except StoreUnavailable as exc:  # a bearer token, and nobody to ask about it
            return _refuse(503, str(exc))
        if _wants_page(request):
            return flask.redirect(flask.url_for("signin.login", next=_local(request.full_path)))
        return _refuse(401, "sign in first (a session, or Authorization: Bearer TOKEN)")


def sign_in_session(principal: Principal, epoch: int = 0, sid: str | None = None) -> None:
    """Start a session for ``principal`` (who it is is also kept in the signed cookie,
    for when the store cannot be asked)."""
    flask.session.permanent = True
    sid = sid or session_id(principal, epoch)
    flask.session["who"] = {"sid": sid, **dataclasses.asdict(principal)}
    flask_login.login_user(SessionUser(principal, sid))


def _remembered(sid: str) -> Principal | None:
    who = flask.session.get("who") or {}
    if who.get("sid") != sid:
        return None
    fields = {f.name for f in dataclasses.fields(Principal)}
    return Principal(**{k: v for k, v in who.items() if k in fields})


def _sign_in_with_url_token(store: Store, token: str) -> None:
    """A wall URL's token signs the browser in as that wall (people keep their own session;
    only wall tokens go in URLs, which end up in logs and bookmarks)."""
    current = current_principal()
    if current is not None and current.kind != "wall":
        return
    principal = token_principal(store, token)
    if principal is None or principal.kind != "wall":
        if current is not None:
            flask_login.logout_user()
        return
    if current is None or current.token_id != principal.token_id:
        sign_in_session(principal)


def _cross_site(request: flask.Request) -> bool:
    if request.headers.get("Authorization", "").lower().startswith("bearer "):
        return False  # no ambient credential: a script, not a browser tricked into it
    if request.headers.get("Sec-Fetch-Site") == "cross-site":
        return True
    origin = request.headers.get("Origin")
    if not origin or origin == "null":
        return origin == "null"
    parts = urlsplit(origin)
    return (parts.scheme, parts.netloc) != (request.scheme, request.host)


def _wants_page(request: flask.Request) -> bool:
    if request.method != "GET" or request.path.startswith(("/_dash", "/ogc", "/api")):
        return False
    return "text/html" in request.headers.get("Accept", "text/html") or request.path == "/"


def _local(path: str) -> str:
    """Only paths on this site may be a ``next`` target (no open redirect)."""
    path = path.rstrip("?")
    # "//host" and "/\\host" are other sites to a browser
    return path if path.startswith("/") and path[1:2] not in ("/", "\\") else "/"


def _refuse(status: int, reason: str) -> flask.Response:
    response = flask.jsonify({"status": status, "error": reason})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="fourmaps"'
    return response
