"""The app factory: one Dash app serving the desk screen (/) and the wall (/wall)."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

import dash
from dash import Input, Output, State, dcc, html
from dash.development.base_component import Component

from api import files as files_api
from api import hidden_dangers as hidden_dangers_api
from api import incidents as incidents_api
from api import ogc
from auth import Principal
from auth.accounts import ensure_first_admin
from config import ROOT, Settings
from dashboard import (
    editor,
    history,
    ids,
    imports,
    incidents,
    ledger_table,
    maps,
    overview,
    record_tables,
    wall,
)
from dashboard.account import user_bar
from dashboard.i18n import LANGS, t
from dashboard.screen import page_data, unreachable_page, url_note
from store import Store, StoreUnavailable, open_store
from web import callbacks, security, sheet, signin
from web.security import current_principal

SCREENS = {"/wall": ("wall", wall.layout), "/": ("overview", overview.layout)}


def _query(search: str | None) -> dict[str, str]:
    return dict(parse_qsl((search or "").lstrip("?")))


def lang_links(
    pathname: str, query: dict[str, str], lang: str, account: list | None = None
) -> html.Div:
    """中文 | English: links to the same page in the other language (after ``account``)."""
    links = list(account or [])
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


def _first_admin(store: Store, settings: Settings) -> None:
    """On the first start, an ``admin`` with a random password, printed once."""
    password = ensure_first_admin(store, settings.instance_dir, settings.admin_password)
    if password and not settings.admin_password:
        path = settings.instance_dir / "initial-admin-password"
        print(
            f"\n  First start: created the user 'admin' with the password\n\n      {password}\n\n"
            f"  (also in {path}, readable by this account only). Sign in and add users:\n"
            "  python manage.py user add NAME --role planner\n",
            flush=True,
        )


def render_page(
    store: Store,
    settings: Settings,
    pathname: str | None,
    search: str | None,
    viewport: dict | None = None,
    principal: Principal | None = None,
) -> tuple[html.Div, str]:
    """The page a URL names, fresh from the store, and its language; the desk screen
    shows who is signed in (``principal``).

    A URL parameter the page cannot use (``?level=99``, a township code that
    does not exist, ``?lang=fr``) is ignored, with a small note saying so: the
    page itself opens as it would without it, never blank.
    """
    query = _query(search)
    ignored: dict[str, str] = {}
    lang = query.get("lang", settings.lang)
    if lang not in LANGS:
        ignored["lang"], lang = lang, settings.lang
    name, build = SCREENS.get((pathname or "/").rstrip("/") or "/", SCREENS["/"])
    data = page_data(store, settings, query, lang, {"name": name, "viewport": viewport})
    if data is None:
        try:
            store.check()
            message = t("stale", lang).format(time="—")
        except StoreUnavailable as exc:
            message = str(exc)
        return unreachable_page(message, lang), lang
    page = (
        build(data, settings, lang, principal)
        if name == "overview"
        else build(data, settings, lang)
    )
    account = user_bar(principal, lang) if name == "overview" else None
    note = url_note({**data.ignored, **ignored}, lang)
    page.children[0:0] = [
        lang_links(pathname or "/", query, lang, account),
        *([note] if note else []),
    ]
    return page, lang


def prepare_store(settings: Settings, store: Store | None = None) -> Store:
    """The store opened from ``settings`` (unless given), migrated, seeded if asked, with
    its first admin: what must happen once before any request is served.

    gunicorn runs it in its master process before the workers fork
    (``gunicorn.conf.py``), so two workers never migrate or seed a new store at
    once; each worker's own call then finds nothing left to do.
    """
    if store is None:
        embedded = settings.database_url.startswith("sqlite")
        store = open_store(settings.database_url, seed_demo=settings.seed_demo and embedded)
    if store.is_empty():
        raise StoreUnavailable(
            f"{store.url} holds no townships yet: load them first, e.g. "
            "python manage.py load demo (or set FOURMAPS_SEED_DEMO=1 on an embedded store)"
        )
    _first_admin(store, settings)
    return store


DATA_PROPS = ("figure", "rowData", "data")  # what a page's layout carries of the store


def bare(layout: Component) -> Component:
    """``layout`` without its data: the validation layout only needs each component's
    id and type.

    Dash sends the validation layout inline in every page (``_dash-config``), and
    built from a sample page at city scale it held the first figures and the
    tables' rows: 13.8 MB of JSON, 1 MB compressed, in each desk and wall load.
    """
    for component in (layout, *(c for c in layout._traverse() if isinstance(c, Component))):
        for prop in DATA_PROPS:
            if prop in component._prop_names and getattr(component, prop, None) is not None:
                delattr(component, prop)
    return layout


def create_app(settings: Settings | None = None, store: Store | None = None) -> dash.Dash:
    """Build the app on ``store`` (opened from ``settings`` when not given).

    Raises ``StoreUnavailable`` with one readable line when the store cannot
    be opened.
    """
    settings = settings or Settings.from_env()
    store = prepare_store(settings, store)
    app = dash.Dash(
        __name__,
        assets_folder=str(ROOT / "assets"),
        title="应急指挥四张图 · Four maps",
        update_title=None,
        compress=True,
        serve_locally=True,
    )
    security.install(app.server, store, settings)
    callbacks.install(app)
    app.server.register_blueprint(signin.blueprint(store, settings))
    app.server.register_blueprint(ogc.blueprint(store, settings))
    app.server.register_blueprint(incidents_api.blueprint(store, settings))
    app.server.register_blueprint(hidden_dangers_api.blueprint(store, settings))
    app.server.register_blueprint(files_api.blueprint(store, settings))
    app.server.register_blueprint(sheet.blueprint(store, settings))
    app.layout = html.Div(
        [
            dcc.Location(id=ids.URL, refresh=False),
            dcc.Store(id=ids.LANG, data=settings.lang),
            dcc.Store(id=ids.VIEWPORT),
            html.Div(id=ids.PAGE),
        ]
    )
    # The window's size first, so the page is built to fit it (see Theme.fitted).
    app.clientside_callback(
        "function () { return {w: window.innerWidth, h: window.innerHeight}; }",
        Output(ids.VIEWPORT, "data"),
        Input(ids.URL, "pathname"),
        Input(ids.URL, "search"),
    )

    @app.callback(
        Output(ids.PAGE, "children"),
        Output(ids.LANG, "data"),
        Input(ids.VIEWPORT, "data"),
        State(ids.URL, "pathname"),
        State(ids.URL, "search"),
    )
    def route(viewport: dict | None, pathname: str | None, search: str | None) -> tuple:
        """Build the page the URL names, fresh from the store at each load."""
        return render_page(store, settings, pathname, search, viewport, current_principal())

    sample = page_data(store, settings, {}, settings.lang, {"name": "overview"})
    app.validation_layout = bare(
        html.Div(
            [
                app.layout,
                unreachable_page("", settings.lang),
                *editor.validation_components(),
                *incidents.validation_components(),
                *imports.validation_components(),
                *(
                    [
                        overview.layout(sample, settings, settings.lang),
                        wall.layout(sample, settings, settings.lang),
                    ]
                    if sample
                    else []
                ),
            ]
        )
    )
    app.clientside_callback(  # the "database unreachable" page retries by reloading
        "function (n) { if (n) { window.location.reload(); }"
        " return window.dash_clientside.no_update; }",
        Output("retry", "id"),
        Input("retry", "n_intervals"),
        prevent_initial_call=True,
    )
    maps.register(app, store, settings)
    overview.register(app)
    editor.register(app, store, settings)
    incidents.register(app, store, settings)
    ledger_table.register(app, store, settings)
    record_tables.register(app, store)
    imports.register(app, store, settings)
    history.register(app, store, settings)
    wall.register(app, settings)
    return app
