"""Sign-in on every face: pages, Dash's endpoints; cookies, cross-site posts, walls' tokens."""

from __future__ import annotations

from auth import system_principal
from auth.accounts import (
    add_user,
    create_api_token,
    create_wall_token,
    list_tokens,
    revoke_token,
    set_active,
)
from store import StoreUnavailable
from tests.web.conftest import PASSWORD, component, filter_callback, page_request

ADMIN = system_principal("tests")
DASH = "/_dash-update-component"


def test_nothing_is_shown_without_signing_in(site):
    client = site.client()
    for path in ("/", "/wall", "/wall?level=2"):
        response = client.get(path, headers={"Accept": "text/html"})
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith("/login?next=")
    response = client.post(DASH, json=filter_callback(["major"]))
    assert response.status_code == 401
    assert response.json["error"].startswith("sign in first")
    assert client.get("/_dash-layout").status_code == 401
    assert client.get("/login").status_code == 200  # the form itself is public


def test_signing_in_gives_an_httponly_samesite_cookie_and_goes_back(site):
    client = site.client()
    response = client.post(
        "/login?next=/wall%3Flevel%3D2", data={"name": "user-viewer", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/wall?level=2"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert client.get("/wall").status_code == 200
    answer = client.post(DASH, json=filter_callback(["major"]))
    assert answer.status_code == 200
    assert answer.json["response"]["filter"]["data"]["grades"] == ["major"]


def test_a_wrong_password_says_so_and_signs_nobody_in(site):
    client = site.client()
    response = client.post("/login", data={"name": "user-viewer", "password": "wrong one!"})
    assert response.status_code == 401
    assert "用户名或密码不正确" in response.get_data(as_text=True)
    assert client.post(DASH, json=filter_callback([])).status_code == 401


def test_guessing_a_password_is_throttled_with_a_clear_message(site):
    client = site.client()
    for _ in range(5):
        response = client.post("/login", data={"name": "user-planner", "password": "guess!"})
        assert response.status_code == 401
    response = client.post("/login", data={"name": "user-planner", "password": PASSWORD})
    assert response.status_code == 429 and int(response.headers["Retry-After"]) > 800
    assert "密码错误次数过多，请 15 分钟后再试" in response.get_data(as_text=True)
    assert client.post(DASH, json=filter_callback([])).status_code == 401
    site.store.accounts.clear_failures("user-planner")  # the other tests sign in as them


def test_next_never_leaves_the_site(site):
    client = site.client()
    for target in (
        "//evil.example/x",
        "/\\evil.example",
        "https://evil.example/",
        "javascript:alert(1)",
    ):
        response = client.post(
            "/login", query_string={"next": target},
            data={"name": "user-viewer", "password": PASSWORD},
        )  # fmt: skip
        assert response.headers["Location"] == "/", target


def test_cross_site_posts_are_refused_even_when_signed_in(site):
    client = site.client("admin")
    body = filter_callback(["low"])
    evil = client.post(DASH, json=body, headers={"Origin": "http://evil.example"})
    assert evil.status_code == 403 and "cross-site" in evil.json["error"]
    fetch = client.post(DASH, json=body, headers={"Sec-Fetch-Site": "cross-site"})
    assert fetch.status_code == 403
    own = client.post(DASH, json=body, headers={"Origin": "http://localhost"})
    assert own.status_code == 200
    # the sign-in form too: no signing a victim's browser into an attacker's account
    login = client.post(
        "/login", data={"name": "admin", "password": "x"}, headers={"Origin": "http://evil.example"}
    )
    assert login.status_code == 403


def test_a_disabled_user_is_signed_out_at_once(site):
    add_user(site.store, ADMIN, "leaver", "planner", PASSWORD)
    client = site.client()
    client.post("/login", data={"name": "leaver", "password": PASSWORD})
    assert client.post(DASH, json=filter_callback([])).status_code == 200
    set_active(site.store, ADMIN, "leaver", False)
    assert client.post(DASH, json=filter_callback([])).status_code == 401
    assert client.get("/", headers={"Accept": "text/html"}).status_code == 302


def test_a_wall_url_signs_in_as_a_viewer_until_its_token_is_revoked(site):
    token = create_wall_token(site.store, ADMIN, "tests wall")
    wall = site.app.server.test_client()
    assert wall.get(f"/wall?token={token}&level=2").status_code == 200
    assert wall.post(DASH, json=filter_callback(["major"])).status_code == 200
    (row,) = [t for t in list_tokens(site.store, ADMIN) if t["label"] == "tests wall"]
    revoke_token(site.store, ADMIN, row["id"])
    assert wall.post(DASH, json=filter_callback(["major"])).status_code == 401
    again = wall.get(f"/wall?token={token}", headers={"Accept": "text/html"})
    assert again.status_code == 302  # to the sign-in page


def test_a_forged_or_api_token_in_a_url_signs_nobody_in(site):
    client = site.app.server.test_client()
    response = client.get("/wall?token=fw_forged.abc", headers={"Accept": "text/html"})
    assert response.status_code == 302


def test_the_desk_names_who_is_signed_in_and_offers_to_sign_out(site):
    answer = site.client("planner").post(DASH, json=page_request("/"))
    page = answer.json["response"]["page"]["children"]
    assert component(page, "signed-in-as")["props"]["children"] == "user-planner（规划维护员）"
    english = site.client("planner").post(DASH, json=page_request("/", "?lang=en"))
    who = component(english.json["response"]["page"]["children"], "signed-in-as")
    assert who["props"]["children"] == "user-planner (Planner)"


def test_signing_out_ends_the_session(site):
    client = site.client("viewer")
    assert client.post("/logout").status_code == 302
    assert client.post(DASH, json=filter_callback([])).status_code == 401


def test_a_bearer_token_while_the_store_is_away_is_503_not_401(site, monkeypatch):
    """A script must not be told its token is wrong when the database cannot be asked."""
    token = create_api_token(site.store, ADMIN, "user-viewer", "outage")

    def away(*_args: object) -> None:
        raise StoreUnavailable("Cannot reach the database")

    monkeypatch.setattr(site.store.accounts, "token_by_hash", away)
    response = site.client().get("/ogc/collections", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 503, response.get_data(as_text=True)
    assert "Cannot reach" in response.json["error"]
