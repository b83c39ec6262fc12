"""The sign-in page and signing out: a plain form, no Dash, nothing from outside."""

from __future__ import annotations

import flask
import flask_login

from auth.accounts import Throttled, sign_in
from config import Settings
from store import Store, StoreUnavailable
from web.security import _local, sign_in_session

TEXT = {
    "title": ("应急指挥“四张图” · 登录", "Four maps · Sign in"),
    "name": ("用户名", "User name"),
    "password": ("密码", "Password"),
    "submit": ("登录", "Sign in"),
    "wrong": (
        "用户名或密码不正确，或账号已停用。",
        "Wrong user name or password, or the account is disabled.",
    ),
    "down": (
        "数据库无法连接，暂时无法登录：",
        "The database is unreachable, so nobody can sign in now: ",
    ),
    "throttled": (
        "密码错误次数过多，请 {minutes} 分钟后再试。",
        "Too many wrong passwords: try again in {minutes} min.",
    ),
    "other": ("English", "中文"),
}

PAGE = """<!doctype html>
<html lang="{{ 'en' if lang == 'en' else 'zh-CN' }}">
<head><meta charset="utf-8"><title>{{ text('title') }}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="{{ url_for('signin.stylesheet') }}"></head>
<body class="signin">
<form method="post" class="signin-form"
      action="{{ url_for('signin.login', next=next, lang=lang) }}">
  <h1>{{ text('title') }}</h1>
  {% if message %}<p class="signin-error" role="alert">{{ message }}</p>{% endif %}
  <label>{{ text('name') }}<input name="name" value="{{ name }}" autocomplete="username"
         autofocus required maxlength="60"></label>
  <label>{{ text('password') }}<input name="password" type="password"
         autocomplete="current-password" required></label>
  <button type="submit">{{ text('submit') }}</button>
  <a class="signin-lang" href="{{ url_for('signin.login', next=next,
     lang='zh' if lang == 'en' else 'en') }}">{{ text('other') }}</a>
</form>
</body></html>"""


def blueprint(store: Store, settings: Settings) -> flask.Blueprint:
    """``/login`` (GET the form, POST to sign in) and ``/logout`` (POST)."""
    bp = flask.Blueprint("signin", __name__)

    @bp.route("/login", methods=["GET", "POST"])
    def login() -> flask.Response | str:
        request = flask.request
        lang = request.args.get("lang") if request.args.get("lang") in ("zh", "en") else None
        lang = lang or settings.lang
        target = _local(request.args.get("next") or "/")
        name, message, status, retry_after = "", "", 200, 0
        if request.method == "POST":
            name = request.form.get("name", "")[:60]
            try:
                signed = sign_in(
                    store, name, request.form.get("password", ""), request.remote_addr or ""
                )
            except StoreUnavailable as exc:
                signed, message, status = None, _text("down", lang) + str(exc), 503
            except Throttled as exc:
                retry_after = exc.retry_after
                minutes = max(1, -(-retry_after // 60))
                signed, status = None, 429
                message = _text("throttled", lang).format(minutes=minutes)
            if signed is not None:
                flask.session.clear()
                sign_in_session(signed.principal, signed.epoch)
                return flask.redirect(target)
            if not message:
                message, status = _text("wrong", lang), 401
        html = flask.render_template_string(
            PAGE,
            lang=lang,
            next=target,
            name=name,
            message=message,
            text=lambda key: _text(key, lang),
        )
        response = flask.Response(html, status=status, mimetype="text/html")
        if status == 429:
            response.headers["Retry-After"] = str(retry_after)
        return response

    @bp.route("/logout", methods=["POST"])
    def logout() -> flask.Response:
        flask_login.logout_user()
        flask.session.clear()
        return flask.redirect(flask.url_for("signin.login"))

    @bp.route("/login/style.css")
    def stylesheet() -> flask.Response:
        return flask.Response(CSS, mimetype="text/css")

    return bp


def _text(key: str, lang: str) -> str:
    zh, en = TEXT[key]
    return en if lang == "en" else zh


CSS = """
body.signin { margin: 0; min-height: 100vh; display: grid; place-items: center;
  background: #0b1622; font-family: "Noto Sans CJK SC", "Noto Sans SC", sans-serif; }
.signin-form { background: #fff; padding: 32px 36px; border-radius: 8px; width: 320px;
  display: flex; flex-direction: column; gap: 14px; }
.signin-form h1 { font-size: 20px; margin: 0 0 6px; color: #203040; }
.signin-form label { display: flex; flex-direction: column; gap: 4px; font-size: 14px;
  color: #203040; }
.signin-form input { font-size: 16px; padding: 8px; border: 1px solid #9aa8b6;
  border-radius: 4px; }
.signin-form button { font-size: 16px; padding: 10px; background: #1f5fa8; color: #fff;
  border: 0; border-radius: 4px; cursor: pointer; }
.signin-error { color: #b01010; background: #fde8e8; padding: 8px; border-radius: 4px;
  margin: 0; font-size: 14px; }
.signin-lang { font-size: 13px; color: #1f5fa8; align-self: flex-end; }
"""
