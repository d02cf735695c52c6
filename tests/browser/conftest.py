"""Real headless Chromium (Debian's package) driven by Playwright for Python; no browser download."""

from __future__ import annotations

import shutil
import socket
import ssl
import time
import urllib.request
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from tests import server

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
FINISHED_RUN = "[data-testid='stApp'][data-test-connection-state='CONNECTED'][data-test-script-state='notRunning']"
LOCAL = {"127.0.0.1", "localhost", "[::1]", "::1", ""}


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook reads the groups
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests run one at a time on one worker (`--dist loadgroup`): each starts a server and a
    Chromium, and two such pairs at once on a 2-core machine made waits time out under CI load."""
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.xdist_group("browser"))


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    executable = shutil.which("chromium")
    assert executable, "Debian's chromium package is required: `python3.12 tasks.py test` installs it"
    browser = playwright.chromium.launch(executable_path=executable, args=FLAGS)
    yield browser
    browser.close()


class Watched:
    """A page whose requests, dialogs and console errors are recorded for the test to assert on."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        page.on("pageerror", lambda e: self.errors.append(str(e)))

    @property
    def outside(self) -> list[str]:
        """Requests that leave this machine (anything but file:, data:, blob: and loopback)."""
        found = []
        for url in self.requests:
            parsed = urlparse(url)
            if parsed.scheme in ("file", "data", "blob", "about"):
                continue
            if parsed.hostname not in LOCAL and not (parsed.hostname or "").startswith("127."):
                found.append(url)
        return found


@pytest.fixture
def watched(browser: Browser) -> Iterator[Watched]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield Watched(page)
    context.close()


ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_healthy(base: str, seconds: float = 60, context: ssl.SSLContext | None = None) -> None:
    """Wait for a Streamlit server (or the proxy in front of it, over TLS with `context`) to answer its health check."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=1, context=context) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"{base} did not come up")


def app_server(database_url: str, script: str = "serve.py") -> AbstractContextManager[str]:
    """A real `streamlit run serve.py` (the app with its session-cookie route) on a loopback port,
    with only the project's own settings (.streamlit/config.toml): what a district office starts.
    The same start-up the browser benchmark uses (bench/browser.py)."""
    return server.app_server(database_url, script)


def signed_out(page: Page) -> None:
    """Sign out if the browser is still signed in: a sign-in lasts across reloads (linkage/accounts/sessions.py)."""
    settled(page)
    button = page.get_by_role("button", name="Đăng xuất").or_(page.get_by_role("button", name="Sign out"))
    if button.count():
        button.first.click()
        settled(page)


def settled(page: Page) -> None:
    """Wait until Streamlit has finished running the page: the app has run its script at least once
    since the page loaded (`data-test-script-state` leaves `initial` only then, so a busy server that
    has not started the first run yet is not taken for a finished one) and its 'Running… Stop' status
    is gone."""
    page.wait_for_load_state("load")
    page.wait_for_timeout(400)  # let a rerun that was just triggered show its status first
    page.locator(FINISHED_RUN).wait_for(state="attached", timeout=30_000)
    page.get_by_test_id("stStatusWidget").wait_for(state="detached", timeout=30_000)
    page.wait_for_timeout(300)
