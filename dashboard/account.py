"""Who is signed in, shown on the desk screen, with the way out."""

from __future__ import annotations

from dash import html

from auth import Principal
from dashboard.i18n import t, term_label
from domain import ROLES, term


def user_bar(principal: Principal | None, lang: str) -> list:
    """``planner1（规划维护员）· 退出``: the account and a sign-out button (a POST form)."""
    if principal is None:
        return []
    role = term_label(term(ROLES, principal.role), lang)
    return [
        html.Span(f"{principal.name}（{role}）" if lang == "zh" else f"{principal.name} ({role})",
                  id="signed-in-as", className="signed-in"),
        html.Form(
            html.Button(t("sign_out", lang), type="submit", className="sign-out"),
            action="/logout",
            method="POST",
            className="sign-out-form",
        ),
    ]  # fmt: skip
