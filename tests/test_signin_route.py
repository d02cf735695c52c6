"""The app's cookie route (serve.py → ui.signin.routes): a one-time code becomes an HttpOnly cookie,
once; DELETE ends the session and clears the cookie."""

from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from starlette.applications import Starlette
from starlette.testclient import TestClient

from linkage.accounts import sessions
from linkage.accounts.users import SYSTEM, add_user
from linkage.records.catalog import init
from linkage.store.db import dispose_engine, get_engine
from tests.server import app_server
from ui.signin import ROUTE, routes


@pytest.fixture
def client(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> TestClient:
    monkeypatch.setenv("LINKAGE_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    add_user(engine, SYSTEM, "lan", "mật-khẩu-dài", "admin")
    return TestClient(Starlette(routes=routes()), base_url="http://127.0.0.1")


def test_a_code_becomes_an_httponly_strict_cookie_once(engine: Engine, client: TestClient) -> None:
    handed = sessions.hand_over(engine, "lan")
    answer = client.post(f"/{ROUTE}", content=handed.secret)
    assert answer.status_code == 204
    header = answer.headers["set-cookie"]
    assert header.startswith(f"{sessions.COOKIE}=")
    for attribute in ("HttpOnly", "SameSite=strict", "Path=/", f"Max-Age={int(sessions.LIFETIME.total_seconds())}"):
        assert attribute in header
    assert "Secure" not in header  # plain http on loopback: a Secure cookie would never come back
    token = header.split(";")[0].split("=", 1)[1]
    found = sessions.resolve(engine, token)
    assert found is not None and found.session_id == handed.session_id
    again = client.post(f"/{ROUTE}", content=handed.secret)
    assert again.status_code == 403 and "set-cookie" not in again.headers


def test_behind_a_tls_proxy_the_cookie_is_secure(engine: Engine, client: TestClient) -> None:
    handed = sessions.hand_over(engine, "lan")
    answer = client.post(f"/{ROUTE}", content=handed.secret, headers={"X-Forwarded-Proto": "https"})
    assert "Secure" in answer.headers["set-cookie"]


def test_an_unknown_code_sets_nothing(client: TestClient) -> None:
    answer = client.post(f"/{ROUTE}", content="made-up")
    assert answer.status_code == 403 and "set-cookie" not in answer.headers


def test_delete_ends_the_session_and_clears_the_cookie(engine: Engine, client: TestClient) -> None:
    issued = sessions.issue(engine, "lan")
    client.cookies.set(sessions.COOKIE, issued.secret)
    answer = client.delete(f"/{ROUTE}")
    assert answer.status_code == 204
    assert 'linkage_session="";' in answer.headers["set-cookie"] or "Max-Age=0" in answer.headers["set-cookie"]
    assert sessions.resolve(engine, issued.secret) is None


SAME_ORIGIN = {"Sec-Fetch-Site": "same-origin", "Origin": "http://127.0.0.1"}


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site", "Origin": "https://attacker.example"},
        {"Sec-Fetch-Site": "same-site", "Origin": "http://other.127.0.0.1"},  # another page of the same site
        {"Sec-Fetch-Site": "same-site"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Origin": "https://attacker.example"},  # a browser that sends no Sec-Fetch-Site
        {"Origin": "http://127.0.0.1:8502"},  # another port of the same host is another origin
        {"Origin": "null"},  # a sandboxed frame or a local file
        {"Sec-Fetch-Site": "same-origin", "Origin": "https://attacker.example"},
    ],
    ids=[
        "cross-site",
        "same-site page",
        "same-site only",
        "cross-site only",
        "foreign origin",
        "other port",
        "null origin",
        "origin contradicts",
    ],
)
def test_a_code_posted_from_another_site_signs_nobody_in(
    engine: Engine, client: TestClient, headers: dict[str, str]
) -> None:
    """A page elsewhere posts the attacker's own one-time code: the victim's browser must not get
    the attacker's session cookie. The code stays unused (the route refuses before it is read)."""
    handed = sessions.hand_over(engine, "lan")
    answer = client.post(f"/{ROUTE}", content=handed.secret, headers=headers)
    assert answer.status_code == 403 and "set-cookie" not in answer.headers
    assert sessions.redeem(engine, handed.secret) is not None  # not spent by the refused post


@pytest.mark.parametrize(
    "headers",
    [
        SAME_ORIGIN,
        {"Sec-Fetch-Site": "same-origin"},
        {"Origin": "http://127.0.0.1:80"},  # the default port, said aloud
        {"Sec-Fetch-Site": "none"},
        {},  # no browser: a client that holds the code itself
    ],
    ids=["same origin", "same-origin only", "default port", "typed by the user", "no browser"],
)
def test_a_code_posted_by_the_apps_own_page_is_traded(
    engine: Engine, client: TestClient, headers: dict[str, str]
) -> None:
    handed = sessions.hand_over(engine, "lan")
    answer = client.post(f"/{ROUTE}", content=handed.secret, headers=headers)
    assert answer.status_code == 204 and answer.headers["set-cookie"].startswith(f"{sessions.COOKIE}=")


def test_the_origin_is_compared_with_the_host_the_browser_asked_for(engine: Engine, client: TestClient) -> None:
    """Behind the proxy the host has a name and a port of its own; Origin must name the same."""
    handed = sessions.hand_over(engine, "lan")
    wrong = {"Host": "linkage.so-nnmt.gov.vn:8443", "Origin": "https://linkage.so-nnmt.gov.vn"}
    assert client.post(f"/{ROUTE}", content=handed.secret, headers=wrong).status_code == 403
    right = {"Host": "Linkage.so-nnmt.gov.vn:8443", "Origin": "https://linkage.so-nnmt.gov.vn:8443"}
    assert (
        client.post(f"/{ROUTE}", content=handed.secret, headers=right | {"Sec-Fetch-Site": "same-origin"}).status_code
        == 204
    )


def test_another_site_cannot_sign_the_browser_out(engine: Engine, client: TestClient) -> None:
    issued = sessions.issue(engine, "lan")
    client.cookies.set(sessions.COOKIE, issued.secret)
    answer = client.delete(f"/{ROUTE}", headers={"Sec-Fetch-Site": "cross-site", "Origin": "https://attacker.example"})
    assert answer.status_code == 403 and "set-cookie" not in answer.headers
    assert sessions.resolve(engine, issued.secret) is not None
    assert client.delete(f"/{ROUTE}", headers=SAME_ORIGIN).status_code == 204
    assert sessions.resolve(engine, issued.secret) is None


def test_the_served_app_refuses_a_cross_site_code_and_trades_its_own(tmp_path: Path) -> None:
    """The route as `streamlit run serve.py` serves it, asked over plain HTTP as a browser would."""
    url = f"sqlite:///{tmp_path / 'served.db'}"
    engine = get_engine(url)
    init(engine)
    add_user(engine, SYSTEM, "lan", "mật-khẩu-dài", "admin")
    with app_server(url, "serve.py") as base:

        def post(code: str, headers: dict[str, str]) -> tuple[int, str | None]:
            request = urllib.request.Request(f"{base}/{ROUTE}", data=code.encode(), method="POST", headers=headers)
            try:
                with urllib.request.urlopen(request, timeout=30) as answer:
                    return answer.status, answer.headers.get("Set-Cookie")
            except urllib.error.HTTPError as refused:
                return refused.code, refused.headers.get("Set-Cookie")

        handed = sessions.hand_over(engine, "lan")
        attacker = {"Sec-Fetch-Site": "cross-site", "Origin": "https://attacker.example"}
        assert post(handed.secret, attacker) == (403, None)
        assert post(handed.secret, {"Sec-Fetch-Site": "same-site", "Origin": "http://localhost:1"}) == (403, None)
        status, cookie = post(handed.secret, {"Sec-Fetch-Site": "same-origin", "Origin": base})
        assert status == 204 and cookie is not None and cookie.startswith(f"{sessions.COOKIE}=")
    dispose_engine(url)
