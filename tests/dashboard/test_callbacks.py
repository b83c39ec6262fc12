"""The app's callbacks answered over HTTP as a browser would call them, without a browser.

Dash's test client posts to ``/_dash-update-component`` what the page would
post: the page routing for a URL, and the poll. A callback that raises
answers 500 and the page stays blank, which is what ``/wall?level=99`` did.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from config import Settings
from dashboard import ids
from dashboard.app import create_app
from dashboard.figures import MAP_KINDS
from dashboard.maps import data_state, revisions_state
from layers import Filter
from layers.snapshot import snapshot
from store import Store, open_store
from tests.conftest import statements
from tests.handmade import handmade_frames

ROUTE = f"..{ids.PAGE}.children...{ids.LANG}.data.."
POLL = f"..{ids.REVS}.data...{ids.STATUS}.children...{ids.LAST_OK}.data.."
HAN = re.compile(r"[\u3400-\u9fff]")
ADMIN_PASSWORD = "callback tests admin password"


class DashClient:
    """Calls an app's callbacks by their outputs, with the inputs and state a page sends."""

    def __init__(self, app) -> None:
        self.client = app.server.test_client()
        signed_in = self.client.post("/login", data={"name": "admin", "password": ADMIN_PASSWORD})
        assert signed_in.status_code == 302, signed_in.data
        self.callbacks = {d["output"]: d for d in self.client.get("/_dash-dependencies").json}

    def call(
        self, output: str, values: dict[str, object], changed: str | None = None
    ) -> tuple[int, dict]:
        """(HTTP status, {output id: {property: value}}); ``values`` by "id.property",
        ``changed`` the input that fired (default the first)."""
        spec = self.callbacks[output]
        outputs = [
            dict(zip(("id", "property"), part.rsplit(".", 1), strict=True))
            for part in output.strip(".").split("...")
        ]

        def given(items: list[dict]) -> list[dict]:
            return [{**i, "value": values.get(f"{i['id']}.{i['property']}")} for i in items]

        inputs = given(spec["inputs"])
        answer = self.client.post(
            "/_dash-update-component",
            json={
                "output": output,
                "outputs": outputs if len(outputs) > 1 else outputs[0],
                "inputs": inputs,
                "state": given(spec["state"]),
                "changedPropIds": [changed or f"{inputs[0]['id']}.{inputs[0]['property']}"],
            },
        )
        body = answer.get_json(silent=True) or {}
        return answer.status_code, body.get("response", {})

    def page(self, url: str) -> tuple[dict, str]:
        """The page and language the routing callback builds for ``url``."""
        path, _, search = url.partition("?")
        status, response = self.call(
            ROUTE,
            {
                f"{ids.VIEWPORT}.data": {"w": 1920, "h": 1080},
                f"{ids.URL}.pathname": path,
                f"{ids.URL}.search": f"?{search}" if search else "",
            },
        )
        assert status == 200, f"{url}: the routing callback answered {status}"
        return response[ids.PAGE]["children"], response[ids.LANG]["data"]


def find(tree: object, component_id: str) -> dict | None:
    """The serialised component with this id in a page, or None."""
    if isinstance(tree, list):
        for item in tree:
            if (hit := find(item, component_id)) is not None:
                return hit
    elif isinstance(tree, dict):
        props = tree.get("props", {})
        if props.get("id") == component_id:
            return tree
        return find(props.get("children"), component_id)
    return None


def texts(tree: object) -> str:
    """Every text of a page (not of its figures), joined."""
    if isinstance(tree, str):
        return tree
    if isinstance(tree, list):
        return " ".join(texts(item) for item in tree)
    if isinstance(tree, dict) and "props" in tree:
        return texts(tree["props"].get("children"))
    return ""


def opened_with(page: dict) -> dict:
    return find(page, ids.FILTER)["props"]["data"]


def note(page: dict) -> str | None:
    found = find(page, ids.URL_NOTE)
    return None if found is None else found["props"]["children"]


def settings_for(store, instance: Path, **env: str) -> Settings:
    return Settings.from_env(
        {
            "DATABASE_URL": store.url,
            "FOURMAPS_ADMIN_PASSWORD": ADMIN_PASSWORD,
            "FOURMAPS_INSTANCE_DIR": str(instance),
            **env,
        }
    )


@pytest.fixture(scope="module")
def tiny_store(tmp_path_factory) -> Iterator[Store]:
    """The hand-made district on SQLite: routing and polling are the same on both stores."""
    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('app') / 'fourmaps.sqlite'}")
    store.replace_all(handmade_frames())
    yield store
    store.engine.dispose()


@pytest.fixture(scope="module")
def instance(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("instance")


@pytest.fixture(scope="module")
def client(tiny_store, instance) -> DashClient:
    return DashClient(create_app(settings_for(tiny_store, instance), tiny_store))


# The hand-made district's response in force is level III.
AS_OPENED = {"townships": [], "level": 3, "grades": None}


def as_opened(path: str) -> dict:
    """The filter a page opens with when its URL asks nothing it can use: a wall then
    follows the level in force, whatever it becomes; the desk keeps what it opened with."""
    return AS_OPENED | ({"follow": True} if path == "/wall" else {})


@pytest.mark.parametrize("path", ["/wall", "/"])
@pytest.mark.parametrize("level", ["99", "5", "II", "abc"])
def test_a_level_that_does_not_exist_is_ignored_with_a_note(client, path, level):
    page, lang = client.page(f"{path}?level={level}")
    assert lang == "zh"
    for kind in MAP_KINDS:  # the page itself, as without the parameter
        assert find(page, ids.map_graph(kind)) is not None, kind
    assert opened_with(page) == as_opened(path)
    assert note(page) == f"已忽略网址参数：level={level}（响应级别应为 1–4 或 all）"


@pytest.mark.parametrize("path", ["/wall", "/"])
def test_unknown_township_codes_are_ignored_with_a_note(client, path):
    page, _ = client.page(f"{path}?township=a,b")
    assert opened_with(page) == as_opened(path)  # the whole district
    assert note(page) == "已忽略网址参数：township=a,b（无此乡镇编码）"
    page, _ = client.page(f"{path}?township=T2,nowhere&level=2&lang=en")
    assert opened_with(page) == {"townships": ["T2"], "level": 2, "grades": None}
    assert note(page) == "Ignored in the address: township=nowhere (no township has this code)"


def test_good_parameters_leave_no_note(client):
    page, lang = client.page("/wall?township=T1,T2&level=all&lang=en")
    assert lang == "en"
    assert opened_with(page) == {"townships": ["T1", "T2"], "level": None, "grades": None}
    assert note(page) is None
    assert find(client.page("/")[0], ids.URL_NOTE) is None


def test_a_language_that_does_not_exist_is_ignored_with_a_note(client):
    page, lang = client.page("/wall?lang=fr&level=2")
    assert lang == "zh"
    assert opened_with(page)["level"] == 2
    assert note(page) == "已忽略网址参数：lang=fr（语言应为 zh 或 en）"


def test_the_language_links_keep_the_other_parameters(client):
    page, _ = client.page("/wall?township=T2&level=2")
    assert find(page, "lang-en")["props"]["href"] == "/wall?township=T2&level=2&lang=en"
    assert find(page, "lang-zh")["props"]["href"] == "/wall?township=T2&level=2&lang=zh"
    page, _ = client.page("/?lang=en&level=all")
    assert find(page, "lang-zh")["props"]["href"] == "/?lang=zh&level=all"


def test_fourmaps_lang_en_makes_every_page_english(tiny_store, instance):
    settings = settings_for(tiny_store, instance, FOURMAPS_LANG="en")
    english = DashClient(create_app(settings, tiny_store))
    for path in ("/wall", "/"):
        page, lang = english.page(path)
        assert lang == "en"
        text = texts(page)
        assert "Emergency command: the four maps" in text
        assert "III Emergency response" in text
        assert HAN.findall(text) == list("中文"), text  # only the switch to Chinese
    page, lang = english.page("/wall?lang=zh")
    assert lang == "zh" and "Ⅲ级 应急响应" in texts(page)


def poll_values(store, seen: dict, drawn: dict) -> dict:
    return {
        f"{ids.POLL}.n_intervals": 3,
        f"{ids.REVS}.data": seen,
        f"{ids.LAST_OK}.data": datetime.now(UTC).isoformat(),
        f"{ids.LANG}.data": "zh",
        f"{ids.STATE}.data": drawn,
    }


def of_data(sent: list[str]) -> list[str]:
    """The statements about the four maps' data, not the sign-in's check of the session
    (which every request makes, see web/security.py)."""
    return [sql for sql in sent if not re.search(r"\bFROM (users|api_tokens)\b", sql)]


def test_a_poll_is_one_query_and_wakes_the_maps_only_on_a_change(client, tiny_store):
    snap = snapshot(tiny_store)
    drawn = data_state(snap, Filter.of(level=3))
    seen = {**revisions_state(snap), "due": None}
    sent = statements(tiny_store)
    status, response = client.call(POLL, poll_values(tiny_store, seen, drawn))
    assert status == 200 and ids.REVS not in response  # nothing changed: the maps sleep
    assert len(of_data(sent)) == 1, sent

    older = {**seen, "revs": {**seen["revs"], "forces": seen["revs"]["forces"] - 1}}
    status, response = client.call(POLL, poll_values(tiny_store, older, drawn))
    assert response[ids.REVS]["data"]["revs"] == seen["revs"]  # a write: the maps wake

    # The clock reaching the drawn page's `due` (an activation or warning starts or
    # ends) wakes them too, once; still one query a poll.
    past = (datetime.now(UTC) - timedelta(seconds=1)).isoformat()
    del sent[:]
    status, response = client.call(POLL, poll_values(tiny_store, seen, {**drawn, "due": past}))
    assert response[ids.REVS]["data"] == {**seen, "due": past}
    assert len(of_data(sent)) == 1, sent
    woken = {**seen, "due": past}
    status, response = client.call(POLL, poll_values(tiny_store, woken, {**drawn, "due": past}))
    assert ids.REVS not in response


def test_the_banners_are_redrawn_when_the_clock_passes_due(client, tiny_store):
    snap = snapshot(tiny_store)
    drawn = data_state(snap, Filter.of(level=3))
    past = (datetime.now(UTC) - timedelta(seconds=1)).isoformat()
    outputs = next(output for output in client.callbacks if f"{ids.RESPONSE}.children" in output)
    values = {
        f"{ids.FILTER}.data": drawn["filter"],
        f"{ids.REVS}.data": {**revisions_state(snap), "due": past},
        f"{ids.STATE}.data": {**drawn, "due": past},
        f"{ids.LANG}.data": "zh",
        f"{ids.SCREEN}.data": {"name": "wall", "viewport": {"w": 1920, "h": 1080}},
    }
    status, response = client.call(outputs, values, changed=f"{ids.REVS}.data")  # the poll
    assert status == 200
    assert "Ⅲ级 应急响应" in texts(response[ids.RESPONSE]["children"])
    assert "暴雨" in texts(response[ids.WARNING]["children"])
    assert response[ids.STATE]["data"]["due"] is None  # nothing else is due in the district
    assert all(ids.map_graph(kind) not in response for kind in MAP_KINDS)  # maps untouched
