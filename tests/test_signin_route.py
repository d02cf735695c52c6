"""The app's cookie route (serve.py → ui.signin.routes): a one-time code becomes an HttpOnly cookie,
once; DELETE ends the session and clears the cookie."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine
from starlette.applications import Starlette
from starlette.testclient import TestClient

from linkage.accounts import sessions
from linkage.accounts.users import SYSTEM, add_user
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
