"""Sign-in through an OpenID Connect provider (Streamlit's `st.login`), against a local mock
provider (oidc-provider-mock on 127.0.0.1), in real headless Chromium: the provider's identity
opens the local account linked to it, kept across a reload like any sign-in; an identity linked to
no account signs nobody in."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Browser, BrowserContext, Route, expect

from linkage.accounts import sessions
from linkage.accounts.identity import link
from linkage.accounts.users import SYSTEM, add_user
from linkage.records.catalog import init
from linkage.records.importing import import_path
from linkage.store.db import get_engine

from ..helpers import FIXTURE
from .conftest import ROOT, free_port, new_context, settled, wait_healthy

pytestmark = pytest.mark.browser
LINKED = {"sub": "idp-kehoach", "email": "kehoach@so-nn.gov.vn", "email_verified": True}
STRANGER = {"sub": "idp-stranger", "email": "stranger@example.org", "email_verified": True}


def started(command: list[str], env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app (serve.py) with an `[auth]` section pointing at a mock provider, both on loopback."""
    folder = tmp_path_factory.mktemp("oidc")
    url = f"sqlite:///{folder / 'app.db'}"
    engine = get_engine(url)
    init(engine)
    import_path(engine, FIXTURE)
    add_user(engine, SYSTEM, "kehoach", "mật-khẩu-thử", "planner", "06")
    link(engine, SYSTEM, "kehoach", email="KeHoach@So-NN.gov.vn")
    provider_port, app_port = free_port(), free_port()
    provider = started(
        [
            sys.executable,
            "-m",
            "oidc_provider_mock",
            "--port",
            str(provider_port),
            "--user-claims",
            json.dumps(LINKED),
            "--user-claims",
            json.dumps(STRANGER),
        ]
    )
    secrets = folder / "secrets.toml"
    secrets.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{app_port}/oauth2callback"\n'
        'cookie_secret = "a-long-random-secret-for-the-test-only"\n'
        'client_id = "linkage-tracker"\n'
        'client_secret = "not-a-secret"\n'
        f'server_metadata_url = "http://127.0.0.1:{provider_port}/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )
    app = started(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "serve.py",
            "--server.port",
            str(app_port),
            "--server.address",
            "127.0.0.1",
            "--secrets.files",
            str(secrets),
        ],
        env={**os.environ, "LINKAGE_DATABASE_URL": url},
    )
    base = f"http://127.0.0.1:{app_port}"
    try:
        wait_healthy(base)
        yield base
    finally:
        for process in (app, provider):
            process.terminate()
            process.wait(timeout=20)


def loopback_only(route: Route) -> None:
    """The mock provider's page links a stylesheet on a public CDN: nothing may leave the machine."""
    host = urlparse(route.request.url).hostname or ""
    if host.startswith("127.") or host == "localhost":
        route.continue_()
    else:
        route.abort()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = new_context(browser, viewport={"width": 1280, "height": 900})
    context.route("**/*", loopback_only)
    yield context
    context.close()


def sign_in_at_provider(context: BrowserContext, base: str, subject: str) -> None:
    page = context.pages[0] if context.pages else context.new_page()
    page.goto(base)
    settled(page)
    page.get_by_role("link", name="Đăng nhập").click()
    page.get_by_role("button", name="Đăng nhập bằng tài khoản cơ quan").click()
    page.get_by_role("button", name=subject).click()  # the mock provider's predefined user
    page.wait_for_url(f"{base}/**", timeout=30_000)
    settled(page)


def test_the_providers_identity_opens_the_account_linked_by_email_and_is_kept(
    deployment: str, context: BrowserContext
) -> None:
    sign_in_at_provider(context, deployment, LINKED["sub"])
    page = context.pages[0]
    expect(page.get_by_text("Đăng nhập: kehoach")).to_be_visible(timeout=20_000)
    for _ in range(100):  # the session cookie follows, as after a sign-in with a password
        if any(c["name"] == sessions.COOKIE and c["httpOnly"] for c in context.cookies()):
            break
        page.wait_for_timeout(100)
    else:
        raise AssertionError("the session cookie was never set")
    page.reload()
    settled(page)
    expect(page.get_by_text("Đăng nhập: kehoach")).to_be_visible(timeout=20_000)

    page.get_by_role("button", name="Đăng xuất").click()
    # Signing out ends the provider's session too: its end-session page asks, then sends the browser back.
    page.wait_for_url("**/oauth2/end_session**", timeout=30_000)
    page.get_by_role("button", name="End session").click()
    page.wait_for_url(f"{deployment}/**", timeout=30_000)
    settled(page)
    expect(page.get_by_role("link", name="Đăng nhập")).to_be_visible(timeout=20_000)
    expect(page.get_by_role("button", name="Đăng xuất")).to_have_count(0)


def test_an_identity_linked_to_no_account_signs_nobody_in(deployment: str, context: BrowserContext) -> None:
    sign_in_at_provider(context, deployment, STRANGER["sub"])
    page = context.pages[0]
    expect(page.get_by_text("chưa có tài khoản trong Linkage Tracker", exact=False)).to_be_visible(timeout=20_000)
    expect(page.get_by_role("button", name="Đăng xuất")).to_have_count(0)
