"""Browser fixtures: headless Debian Chromium through Playwright, and the app as a server.

Fixtures
--------
``browser``
    Session-wide Chromium (``/usr/bin/chromium``; never ``playwright install``).
    Skips the test when Chromium or Playwright is missing, except where the
    ``CI`` environment variable is set: there it fails, saying what is missing.
``page``
    A fresh 1920x1080 page in its own context.
``new_page(width=1920, height=1080, *, in_browser=None, **context_options)``
    More pages, of any size (or in another browser); closed at teardown.
``live_server(env=None, script=ROOT / "app.py", ready_path="/", timeout=60)``
    Starts ``python <script>`` on a free port of 127.0.0.1 (``HOST``/``PORT``
    in its environment, plus ``env``), waits for ``GET ready_path`` to answer
    200 and returns the base URL ``http://127.0.0.1:<port>``; stops it at
    teardown. ``run_server`` is the same as a context manager, for wider scopes.

Every page records, as attributes:

- ``page.console_errors``: console errors and uncaught exceptions (text),
  without the software renderer's "GPU stall due to ReadPixels" notes;
- ``page.console_log``: every console message as ``(type, text)``;
- ``page.request_urls``: every URL the page and its workers requested (and
  web sockets it opened), in order;
- ``page.failed_requests``: ``(url, failure)`` of requests that failed.

(Not ``page.requests``/``page.console_messages``: Playwright's Page has methods
of those names, which keep only the last 100 entries.)

Helpers (import from ``tests.browser.conftest``): ``outside_requests(page,
base_url)``, ``wait_for_maps_drawn(page, graph_ids, timeout)`` and
``sign_in(page, base_url, name="admin", password=ADMIN_PASSWORD)``, which signs
the page's browser context in (servers started here get ``ADMIN_PASSWORD``
for their first admin). For the desk's tables: ``centre_js(kind)``,
``open_table(page, kind)``, ``box_select(page, graph, x0, y0, x1, y1)`` and the
module-wide fixture ``desk_site`` (``(base URL, Store)`` of a demo server).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("FOURMAPS_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DEFAULT_SIZE = (1920, 1080)
# Console noise from the software WebGL renderer, not errors of the page.
IGNORED_CONSOLE = ("GPU stall due to ReadPixels",)
# URL schemes that never leave the browser.
LOCAL_SCHEMES = {"data", "blob", "about", "chrome", "chrome-extension", "devtools"}
BROWSER_FIXTURES = {"playwright_session", "browser", "page", "new_page"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)


# --------------------------------------------------------------------------- browser


def _unavailable(reason: str) -> None:
    """Skip, or fail in CI, when the browser cannot run here."""
    if os.environ.get("CI"):
        pytest.fail(
            f"browser tests need {reason} (CI is set, so this fails instead of "
            f"skipping; `scripts/setup.sh --test` installs it as root)",
            pytrace=False,
        )
    pytest.skip(f"browser tests need {reason}")


def launch_chromium(playwright: Any, env: dict[str, str] | None = None) -> Any:
    """Debian's Chromium, headless, with the flags that keep it quiet offline.

    ``env`` is added to the browser's environment (e.g. ``FONTCONFIG_FILE``).
    """
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM),
        args=CHROMIUM_ARGS,
        headless=True,
        env={**os.environ, **env} if env else None,
    )


@pytest.fixture(scope="session")
def playwright_session() -> Iterator[Any]:
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} (Debian package chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package (requirements-dev.txt)")
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright_session: Any) -> Iterator[Any]:
    browser = launch_chromium(playwright_session)
    yield browser
    browser.close()


def record(page: Any) -> Any:
    """Attach console and request recording to a fresh page (see module docstring)."""
    page.console_errors = []
    page.console_log = []
    page.request_urls = []
    page.failed_requests = []

    def on_console(msg: Any) -> None:
        page.console_log.append((msg.type, msg.text))
        if msg.type == "error" and not any(s in msg.text for s in IGNORED_CONSOLE):
            page.console_errors.append(msg.text)

    page.on("console", on_console)
    page.on("pageerror", lambda exc: page.console_errors.append(f"uncaught: {exc}"))
    # Context-level events also see requests of web workers (MapLibre's tiles).
    page.context.on("request", lambda req: page.request_urls.append(req.url))
    page.context.on(
        "requestfailed", lambda req: page.failed_requests.append((req.url, req.failure))
    )
    page.on("websocket", lambda ws: page.request_urls.append(ws.url))
    return page


@pytest.fixture
def new_page(browser: Any) -> Iterator[Callable[..., Any]]:
    """Factory: ``new_page(width=1920, height=1080, *, in_browser=None, **context_options)``.

    Returns a recorded page in a new context of ``in_browser`` (default: the
    session's ``browser``); Playwright ``new_context`` options pass through.
    """
    contexts = []

    def make(
        width: int = DEFAULT_SIZE[0],
        height: int = DEFAULT_SIZE[1],
        *,
        in_browser: Any = None,
        **options: Any,
    ) -> Any:
        options = {
            "locale": "zh-CN",
            "timezone_id": "Asia/Shanghai",
            "service_workers": "block",
            **options,
        }
        context = (in_browser or browser).new_context(
            viewport={"width": width, "height": height}, **options
        )
        contexts.append(context)
        return record(context.new_page())

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: Callable[..., Any]) -> Any:
    """A recorded 1920x1080 page."""
    return new_page()


def outside_requests(page: Any, base_url: str) -> list[str]:
    """URLs the page requested from anywhere but ``base_url``'s origin."""
    base = urlsplit(base_url)
    origin = (base.scheme, base.hostname, base.port)
    outside = []
    for url in page.request_urls:
        parts = urlsplit(url)
        if parts.scheme in LOCAL_SCHEMES:
            continue
        scheme = {"ws": "http", "wss": "https"}.get(parts.scheme, parts.scheme)
        if (scheme, parts.hostname, parts.port) != origin:
            outside.append(url)
    return outside


# --------------------------------------------------------------------------- sign-in

ADMIN_PASSWORD = "browser-tests-admin-password"  # the first admin of servers started here


def sign_in(page: Any, base_url: str, name: str = "admin", password: str = ADMIN_PASSWORD) -> None:
    """Sign the page's browser context in as ``name`` (every later page load is signed in).

    Posts the sign-in form the way the browser would; fails the test if refused.
    """
    response = page.context.request.post(
        f"{base_url}/login", form={"name": name, "password": password}, max_redirects=0
    )
    if response.status != 302:
        pytest.fail(f"sign-in as {name} refused: HTTP {response.status}", pytrace=False)


# --------------------------------------------------------------------------- maps drawn

_MAPS_DRAWN_JS = """
async ({ids, timeoutMs, idleMs}) => {
  const deadline = performance.now() + timeoutMs;
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  // One dcc.Graph: its plotly div, and the MapLibre map of each map subplot.
  const state = (id) => {
    const outer = document.getElementById(id);
    if (!outer) return {why: "no element with this id"};
    const gd = outer.classList.contains("js-plotly-plot")
      ? outer : outer.querySelector(".js-plotly-plot");
    if (!gd || !gd._fullLayout) return {why: "no plot yet"};
    if (gd.classList.contains("dash-graph--pending")) return {why: "Plotly.react running"};
    if (outer.closest('[data-dash-is-loading="true"]')
        || outer.querySelector('[data-dash-is-loading="true"]')) {
      return {why: "a callback to it is running"};
    }
    if ((gd._promises || []).length) return {why: "plotly promises pending"};
    const subplots = (gd._fullLayout._subplots || {}).map || [];
    if (!subplots.length) return {why: "no map subplot"};
    const maps = subplots.map((s) => gd._fullLayout[s] && gd._fullLayout[s]._subplot
                                     && gd._fullLayout[s]._subplot.map);
    if (maps.some((m) => !m)) return {why: "MapLibre map not created"};
    if (!maps.every((m) => m.loaded() && !m.isMoving())) {
      return {why: "MapLibre loading or moving"};
    }
    return {maps};
  };
  // 'idle' fires after a frame that left nothing to load, place or fade.
  const idle = (map, ms) => new Promise((resolve) => {
    let done = false;
    const finish = (ok) => { if (!done) { done = true; map.off("idle", onIdle); resolve(ok); } };
    const onIdle = () => finish(true);
    map.on("idle", onIdle);
    setTimeout(() => finish(false), ms);
    map.triggerRepaint();
  });
  const one = async (id) => {
    let why = "not checked";
    while (performance.now() < deadline) {
      const before = state(id);
      if (!before.maps) { why = before.why; await sleep(50); continue; }
      const left = Math.max(50, Math.min(idleMs, deadline - performance.now()));
      const idled = await Promise.all(before.maps.map((m) => idle(m, left)));
      const after = state(id);
      if (idled.every(Boolean) && after.maps && after.maps.length === before.maps.length
          && after.maps.every((m, i) => m === before.maps[i])) {
        return {id, drawn: performance.now() / 1000};
      }
      why = idled.every(Boolean) ? (after.why || "redrawn meanwhile") : "no idle event";
    }
    return {id, why};
  };
  return Promise.all(ids.map(one));
}
"""


def wait_for_maps_drawn(
    page: Any, graph_ids: Iterable[str], timeout: float = 60.0
) -> dict[str, float]:
    """Wait until each ``dcc.Graph`` in ``graph_ids`` has drawn its map(s) completely.

    A graph counts as drawn when no callback to it and no ``Plotly.react`` is
    running, each of its MapLibre maps is loaded and still, and a repaint
    requested now ends in MapLibre's ``idle`` event (data, glyphs and label
    placement all done). ``plotly_afterplot`` alone comes too early.

    Returns each graph's time of being seen drawn, in seconds since the
    page's navigation started (``performance.now()``); call it right after
    ``page.goto`` for a first-render time accurate to about 0.1 s. Raises
    ``TimeoutError`` naming what each unfinished graph was waiting for.
    """
    ids = list(graph_ids)
    results = page.evaluate(
        _MAPS_DRAWN_JS,
        {
            "ids": ids,
            "timeoutMs": timeout * 1000,
            "idleMs": 5000,
        },
    )
    pending = {r["id"]: r["why"] for r in results if "drawn" not in r}
    if pending:
        raise TimeoutError(
            f"maps not drawn after {timeout:g} s: "
            + ", ".join(f"{graph_id} ({why})" for graph_id, why in pending.items())
        )
    return {r["id"]: r["drawn"] for r in results}


# --------------------------------------------------------------------------- live server


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _tail(path: Path, limit: int = 4000) -> str:
    text = path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
    return text[-limit:] or "(empty)"


def _stop(proc: subprocess.Popen) -> None:
    """Stop the server and anything it started (its own process group)."""
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


@contextlib.contextmanager
def run_server(
    env: dict[str, str] | None = None,
    script: str | Path = ROOT / "app.py",
    *,
    log_dir: Path,
    ready_path: str = "/",
    timeout: float = 60.0,
) -> Iterator[str]:
    """Run ``python script`` on a free port; yield its base URL once ``ready_path`` is 200.

    The server's environment is this process's, plus ``env``, plus ``HOST`` and
    ``PORT``; the repo root is its working directory and on ``PYTHONPATH``.
    Its output goes to ``log_dir/server-<port>.{out,err}``; a server that exits
    or is not ready within ``timeout`` seconds fails the test with its stderr.
    """
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    full_env = {
        **os.environ,
        "FOURMAPS_ADMIN_PASSWORD": ADMIN_PASSWORD,
        **(env or {}),
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "PYTHONUNBUFFERED": "1",
    }
    full_env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(ROOT), full_env.get("PYTHONPATH", "")) if p
    )
    log_dir.mkdir(parents=True, exist_ok=True)
    out_path, err_path = log_dir / f"server-{port}.out", log_dir / f"server-{port}.err"
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        proc = subprocess.Popen(
            [sys.executable, str(script)],
            cwd=ROOT,
            env=full_env,
            stdout=out,
            stderr=err,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    try:
        _wait_ready(proc, base_url + ready_path, timeout, err_path)
        yield base_url
    finally:
        _stop(proc)


def _wait_ready(proc: subprocess.Popen, url: str, timeout: float, err_path: Path) -> None:
    deadline = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(
                f"server {proc.args[-1]} exited with {proc.returncode} before "
                f"answering {url}; its stderr:\n{_tail(err_path)}",
                pytrace=False,
            )
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
                last = f"HTTP {response.status}"
        except urllib.error.HTTPError as exc:
            last = f"HTTP {exc.code}"
        except (urllib.error.URLError, OSError) as exc:
            last = str(getattr(exc, "reason", exc))
        time.sleep(0.2)
    _stop(proc)
    pytest.fail(
        f"server {proc.args[-1]} did not answer 200 at {url} within {timeout:g} s "
        f"(last: {last}); its stderr:\n{_tail(err_path)}",
        pytrace=False,
    )


@pytest.fixture
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., str]]:
    """Factory: ``live_server(env=None, script=ROOT / "app.py", ready_path="/", timeout=60)``.

    Returns the base URL (``http://127.0.0.1:<port>``, no trailing slash);
    every server it started is stopped at teardown.
    """
    with contextlib.ExitStack() as stack:
        log_dir = tmp_path_factory.mktemp("live_server")

        def start(
            env: dict[str, str] | None = None,
            script: str | Path = ROOT / "app.py",
            ready_path: str = "/",
            timeout: float = 60.0,
        ) -> str:
            return stack.enter_context(
                run_server(env, script, log_dir=log_dir, ready_path=ready_path, timeout=timeout)
            )

        yield start


# --------------------------------------------------------------------------- the desk


def centre_js(kind: str) -> str:
    """JavaScript: the centre and zoom of map ``kind``, and whether a row click ringed a
    point on it (the tables' row click: ``ringed``)."""
    return f"""() => {{
  const gd = document.querySelector('#map-{kind} .js-plotly-plot');
  const m = gd._fullLayout.map._subplot.map;
  const c = m.getCenter();
  return {{lon: c.lng, lat: c.lat, zoom: m.getZoom(),
          ringed: gd.data.some((t) => t.name === '__table_pick__')}};
}}"""


@pytest.fixture(scope="module")
def desk_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any]]:
    """The app on a fresh demo SQLite file, polling every 2 s, for one test module:
    ``(base URL, Store of that file)``."""
    from store import Store

    db = tmp_path_factory.mktemp("desk") / "fourmaps.sqlite"
    env = {"DATABASE_URL": f"sqlite:///{db}", "FOURMAPS_POLL_SECONDS": "2"}
    with run_server(env, log_dir=tmp_path_factory.mktemp("logs")) as url:
        store = Store(f"sqlite:///{db}")
        yield url, store
        store.engine.dispose()


def open_table(page: Any, kind: str) -> None:
    """Open map ``kind``'s table beside it (its title's button, unless the tab reopened
    it on load), and wait for its rows."""
    toggle = page.locator(f"#{kind}-table-toggle")
    if toggle.get_attribute("aria-expanded") != "true":
        toggle.click()
    page.wait_for_selector(f"#{kind}-card.with-table #{kind}-table .ag-row[row-id]", timeout=30_000)


def box_select(page: Any, graph: str, x0: float, y0: float, x1: float, y1: float) -> None:
    """Draw a box on a map, in fractions of its size, as a mouse would."""
    page.evaluate(
        f"() => Plotly.relayout(document.querySelector('#{graph} .js-plotly-plot'),"
        " {dragmode: 'select'})"
    )
    plot = page.locator(f"#{graph} .js-plotly-plot")
    plot.scroll_into_view_if_needed()  # the mouse reaches only what is on screen
    box = plot.bounding_box()
    ax, ay = box["x"] + box["width"] * x0, box["y"] + box["height"] * y0
    bx, by = box["x"] + box["width"] * x1, box["y"] + box["height"] * y1
    page.mouse.move(ax, ay)
    page.mouse.down()
    page.mouse.move((ax + bx) / 2, (ay + by) / 2, steps=5)
    page.mouse.move(bx, by, steps=5)
    page.mouse.up()
