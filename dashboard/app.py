"""The app factory: one Dash app serving the desk screen and the wall."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

import dash
from dash import Input, Output, dcc, html

from config import ROOT, Settings
from dashboard import ids, overview
from store import Store, open_store


def _query(search: str | None) -> dict[str, str]:
    return dict(parse_qsl((search or "").lstrip("?")))


def lang_links(pathname: str, query: dict[str, str], lang: str) -> html.Div:
    """中文 | English: links to the same page in the other language."""
    links = []
    for code, label in (("zh", "中文"), ("en", "English")):
        href = f"{pathname}?{urlencode({**query, 'lang': code})}"
        links.append(
            dcc.Link(
                label,
                href=href,
                id=f"lang-{code}",
                className="lang-link active" if code == lang else "lang-link",
            )
        )
    return html.Div(links, className="lang-links")


def create_app(settings: Settings | None = None, store: Store | None = None) -> dash.Dash:
    """Build the app on ``store`` (opened from ``settings`` when not given).

    Raises ``StoreUnavailable`` with one readable line when the store cannot
    be opened.
    """
    settings = settings or Settings.from_env()
    if store is None:
        embedded = settings.database_url.startswith("sqlite")
        store = open_store(settings.database_url, seed_demo=settings.seed_demo and embedded)
    app = dash.Dash(
        __name__,
        assets_folder=str(ROOT / "assets"),
        title="应急指挥四张图 · Four maps",
        update_title=None,
        compress=True,
        serve_locally=True,
    )
    app.layout = html.Div(
        [
            dcc.Location(id=ids.URL, refresh=False),
            dcc.Store(id=ids.LANG, data=settings.lang),
            html.Div(id=ids.PAGE),
        ]
    )

    @app.callback(
        Output(ids.PAGE, "children"),
        Output(ids.LANG, "data"),
        Input(ids.URL, "pathname"),
        Input(ids.URL, "search"),
    )
    def route(pathname: str | None, search: str | None) -> tuple[html.Div, str]:
        """Build the page the URL names, fresh from the store at each load."""
        query = _query(search)
        lang = query.get("lang") if query.get("lang") in ("zh", "en") else settings.lang
        page = overview.layout(store, settings, query, lang)
        page.children.insert(0, lang_links(pathname or "/", query, lang))
        return page, lang

    app.validation_layout = html.Div(
        [
            app.layout,
            overview.layout(store, settings, {}, settings.lang),
        ]
    )
    overview.register(app, store, settings)
    return app
