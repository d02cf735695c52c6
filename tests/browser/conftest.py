"""Real headless Chromium (Debian's package) driven by Playwright for Python; no browser download."""

from __future__ import annotations

import json
import re
import shutil
import socket
import ssl
import time
import urllib.request
from collections.abc import Iterator
from contextlib import AbstractContextManager
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, Playwright, expect, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from sqlalchemy.engine import Engine

from linkage.accounts import sessions
from linkage.accounts.demo_accounts import DemoAccount, create_demo_accounts
from linkage.accounts.users import SYSTEM, Actor, add_user
from linkage.demo import generate
from linkage.records.catalog import init
from linkage.records.history import verifier_of
from linkage.records.importing import import_path
from linkage.store.db import get_engine
from tests import server as app_process
from tests.helpers import FIXTURE, linkage

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
LOCAL = {"127.0.0.1", "localhost", "[::1]", "::1", ""}
FIRST_RUN = 90_000  # ms: the first run after a start imports everything, on a busy machine too
WAIT = 30_000  # ms: any later run
PHONE = {"width": 390, "height": 844}  # a phone's screen, in CSS pixels


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
    context = new_context(browser, viewport={"width": 1280, "height": 900})
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
    return app_process.app_server(database_url, script)


def signed_out(page: Page) -> None:
    """Sign out if the browser is still signed in: a sign-in lasts across reloads (linkage/accounts/sessions.py)."""
    settled(page)
    button = page.get_by_role("button", name="Đăng xuất").or_(page.get_by_role("button", name="Sign out"))
    link = page.get_by_test_id("stSidebarNav").get_by_role("link", name=re.compile("^(Đăng nhập|Sign in)$"))
    expect(button.or_(link).first).to_be_visible(timeout=FIRST_RUN)  # the page has said who is here
    if button.count():
        button.first.click()
        expect(link).to_be_visible(timeout=FIRST_RUN)  # signed out: the sign-in page is offered again
        settled(page)


# Installed in every page before its own scripts (`new_context`): it watches Streamlit's websocket and
# the page's requests, so that `settled` waits on what happened rather than for a fixed time. Each
# message is read as protocol buffers far enough to know its top-level fields: the client's
# `rerun_script` (BackMsg field 11) asks for a run; the server's `script_finished` (ForwardMsg field 6)
# ends one, and one that ends only to run again at once (status 2, FINISHED_EARLY_FOR_RERUN) is not
# the last. Heartbeats and the uploader's file requests are other BackMsgs: they count as activity,
# never as runs asked for, so nothing waits for a run that is not coming.
WATCH_RUNS = """(() => {
  if (window.__linkageRuns) return;
  const runs = window.__linkageRuns = {
    asked: 0, lastAsked: -1, lastFinished: -1, finished: 0, activity: 0, requests: 0, seen: 0,
  };
  const busy = () => { runs.activity = performance.now(); };
  const bytes = (data) => data instanceof ArrayBuffer ? new Uint8Array(data)
    : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : null;
  // The top-level fields of a protocol buffers message: [number, varint value or undefined].
  const fields = (b) => {
    const found = [];
    let i = 0;
    const varint = () => {
      let value = 0, scale = 1;
      for (;;) {
        const byte = b[i++];
        value += (byte & 0x7f) * scale;
        if (byte < 0x80 || i >= b.length) return value;
        scale *= 128;
      }
    };
    while (i < b.length) {
      const key = varint(), number = Math.floor(key / 8), type = key % 8;
      if (type === 0) found.push([number, varint()]);
      else if (type === 2) { const length = varint(); found.push([number, undefined]); i += length; }
      else if (type === 1) { found.push([number, undefined]); i += 8; }
      else if (type === 5) { found.push([number, undefined]); i += 4; }
      else break;
    }
    return found;
  };
  const Native = window.WebSocket;
  class Watched extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (event) => {
        busy();
        const b = bytes(event.data);
        if (!b) return;
        for (const [number, value] of fields(b)) {
          if (number === 6 && value !== 2) { runs.finished += 1; runs.lastFinished = performance.now(); }
        }
      });
    }
    send(data) {
      busy();
      const b = bytes(data);
      if (b && fields(b).some(([number]) => number === 11)) { runs.asked += 1; runs.lastAsked = performance.now(); }
      return super.send(data);
    }
  }
  window.WebSocket = Watched;
  // What the page draws: elements added, removed or retexted, or a widget enabled or disabled.
  runs.drawn = 0;
  new MutationObserver(() => { runs.drawn = performance.now(); }).observe(document, {
    subtree: true, childList: true, characterData: true, attributes: true,
    attributeFilter: ['disabled', 'aria-disabled', 'data-stale', 'data-test-script-state'],
  });
  // Uploads, and anything else the page fetches from its server, are activity while under way.
  const started = () => { runs.requests += 1; busy(); };
  const ended = () => { runs.requests -= 1; busy(); };
  const fetch = window.fetch;
  window.fetch = function (...args) {
    started();
    return fetch.apply(this, args).finally(ended);
  };
  const sendRequest = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.send = function (...args) {
    started();
    this.addEventListener('loadend', ended, {once: true});
    return sendRequest.apply(this, args);
  };
})();"""

# Finished: connected, the app says `notRunning` with no 'Running…' status, the page has seen a run
# end since it loaded, the last run asked for has ended (a run's end recorded after the last
# request), no request is under way and nothing came or went for QUIET ms, and the page has drawn
# what arrived (no element left stale, nothing redrawn for QUIET ms). If no run was asked for since
# the last wait (`seen`), a click's request may not have left yet: give it GRACE ms to show.
QUIET, GRACE, DRAWN = 150, 250, 2_000
SETTLED = f"""(since) => {{
  const runs = window.__linkageRuns;
  const app = document.querySelector('[data-testid="stApp"]');
  if (!runs || !app) return false;
  if (app.getAttribute('data-test-connection-state') !== 'CONNECTED') return false;
  if (app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (document.querySelector('[data-testid="stStatusWidget"]')) return false;
  const now = performance.now();
  if (runs.finished === 0 || runs.lastFinished < runs.lastAsked || runs.requests > 0) return false;
  if (now - runs.activity < {QUIET}) return false;
  // The page has drawn what came: nothing stale left and nothing redrawn for QUIET ms (not waited
  // for past DRAWN ms after the run's end, for a page that keeps changing).
  if (now - runs.lastFinished < {DRAWN}) {{
    if (document.querySelector('[data-stale="true"]')) return false;
    if (now - runs.drawn < {QUIET}) return false;
  }}
  if (runs.asked === runs.seen && now - since < {GRACE}) return false;
  runs.seen = runs.asked;
  return true;
}}"""


def new_context(browser: Browser, **options: Any) -> BrowserContext:
    """A browser context whose pages `settled` can wait on (its watch installed before any script)."""
    context = browser.new_context(**options)
    context.add_init_script(WATCH_RUNS)
    return context


def settled(page: Page, timeout: float = WAIT) -> None:
    """Wait until Streamlit has finished running the page: the runs the page asked for have ended
    (one asked for and not yet started keeps it waiting) and its 'Running… Stop' status is gone.
    The page must come from `new_context`."""
    page.wait_for_load_state("load")
    assert page.evaluate("() => Boolean(window.__linkageRuns)"), "a page settled waits on comes from new_context"
    since = page.evaluate("() => performance.now()")
    page.wait_for_function(SETTLED, arg=since, timeout=timeout, polling=50)


class ProvinceApp:
    """The province demo (Đắk Lắk, `linkage demo --scale province --seed 1`) with its demo accounts,
    served by one app for a test module."""

    def __init__(self, url: str, base: str, accounts: dict[str, DemoAccount]) -> None:
        self.url, self.base, self.accounts = url, base, accounts


@pytest.fixture(scope="module")
def province_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProvinceApp]:
    url = f"sqlite:///{tmp_path_factory.mktemp('province') / 'demo.db'}"
    engine = get_engine(url)
    init(engine)
    generate(engine, scale="province", seed=1)
    accounts = {a.username: a for a in create_demo_accounts(engine)}
    engine.dispose()
    with app_server(url) as base:
        yield ProvinceApp(url, base, accounts)


@pytest.fixture
def phone(browser: Browser) -> Iterator[Watched]:
    """A page on a phone's screen (390×844, touch)."""
    context = new_context(browser, viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    page = context.new_page()
    yield Watched(page)
    context.close()


def sign_in_as(page: Page, app: ProvinceApp, username: str) -> None:
    """Sign in with a demo account's password on the sign-in page (signing out first if still signed in)."""
    page.goto(app.base)
    expect(page.get_by_role("link", name="Đăng nhập").or_(page.get_by_text("Đăng nhập:"))).to_be_visible(
        timeout=FIRST_RUN
    )
    signed_out(page)
    page.goto(f"{app.base}/login")
    settled(page)
    page.get_by_label("Tên đăng nhập").fill(username, timeout=WAIT)
    page.get_by_label("Mật khẩu").fill(app.accounts[username].password)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_text(f"Đăng nhập: {username}")).to_be_visible(timeout=WAIT)
    settled(page)
    expect(page.get_by_test_id("stException")).to_have_count(0)


def download(page: Page, label: str) -> bytes:
    """The bytes of the file the button named `label` downloads, as Chromium saved it."""
    with page.expect_download(timeout=WAIT) as started:
        page.get_by_role("button", name=label).click()
    return Path(started.value.path()).read_bytes()


def cli_coverage(url: str, day: date, on: str) -> dict[tuple[str, str, str], dict[str, object]]:
    """`linkage coverage --format json` run as its own process, by (indicator, level, unit code): the
    command line's figures, to hold a page's or a file's against."""
    command = ["coverage", "--as-of", day.isoformat(), "--map", on, "--format", "json", "--db", url]
    done = linkage(*command)
    assert done.returncode == 0, done.stderr
    return {(r["indicator"], r["level"], r["unit_code"]): r for r in json.loads(done.stdout)}


# ---- the Bắc Kạn fixture's app: one account per role, and moving around its pages ----

PASSWORD = "mật-khẩu-thử"
ACCOUNTS = {
    "admin": ("quantri", "admin", None, None),
    "planner": ("kehoach", "planner", "06", None),
    "officer": ("canbo058", "officer", "058", None),
    "cooperative": ("htx_c1", "cooperative", None, "C1"),
    "other_cooperative": ("htx_c5", "cooperative", None, "C5"),
}
# The office that verifies C1's changes today (after the reform): its commune's office of map
# 2025-07 when that has an account, else its province's department; made by `add_verifier`.
VERIFIER = ("xacnhan", "lúa nương Dương Quang chín vàng")
LOGINS = {who: (username, PASSWORD) for who, (username, *_) in ACCOUNTS.items()} | {"verifier": VERIFIER}


def add_verifier(engine: Engine) -> None:
    """An account for the office that verifies C1's changes, read with the routing rule (`verifier_of`):
    the fixture has no officer of today's map, so it is the province's department."""
    unit = verifier_of(engine, Actor("htx_c1", "cooperative", cooperative_code="C1"))
    assert unit is not None and unit.map == "2025-07"
    add_user(engine, SYSTEM, VERIFIER[0], VERIFIER[1], "officer", unit.code, None, unit.map)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """The app on a loopback port, on a database with the Bắc Kạn fixture and one account per role."""
    url = f"sqlite:///{tmp_path_factory.mktemp('app') / 'app.db'}"
    engine = get_engine(url)
    init(engine)
    import_path(engine, FIXTURE)
    for username, role, unit, cooperative in ACCOUNTS.values():
        add_user(engine, SYSTEM, username, PASSWORD, role, unit, cooperative)
    add_verifier(engine)
    with app_server(url) as base:
        yield base, url


def fill_sign_in(page: Page, who: str) -> None:
    username, password = LOGINS[who]
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_text(f"Đăng nhập: {username}")).to_be_visible(timeout=20_000)
    session_cookie(page.context)  # signed in for the next page load too, as a user's next click finds it


def sign_in(page: Page, base: str, who: str) -> None:
    page.goto(base)
    signed_out(page)  # another user may still be signed in in this browser
    page.get_by_role("link", name="Đăng nhập").click()
    fill_sign_in(page, who)


def open_page(page: Page, name: str) -> None:
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=name).click()
    settled(page)


def exchange_files(page: Page) -> Locator:
    """The exchange page's uploader of exchange files (not the one of office lists beside it)."""
    widget = page.get_by_test_id("stFileUploader").filter(has=page.get_by_label(re.compile("^Tệp trao đổi")))
    return widget.locator("input[type=file]")


def on_old_map(page: Page) -> None:
    """The coverage page's map set to the one before the reform (it follows today's date until set)."""
    page.get_by_label("Bản đồ hành chính").click()
    page.get_by_role("option", name=re.compile(r"\(2025-01\)$")).click()
    settled(page)


def open_unit(page: Page, query: str, name: str) -> None:
    """The coverage page of one unit of the map before the reform, found by a search typed without diacritics."""
    open_page(page, "Mức độ đạt chỉ tiêu")
    on_old_map(page)
    page.get_by_label("Tìm đơn vị").fill(query)
    page.get_by_label("Tìm đơn vị").press("Enter")
    page.get_by_role("button", name=re.compile(f"^{re.escape(name)}( — .*)? \\(\\d+, 2025-01\\)$")).first.click()
    expect(page.get_by_text(f"{name} tính đến")).to_be_visible(timeout=20_000)


# ---- any app: signing in with a name and a password, visiting a page, nothing gone wrong ----

Demo = tuple[str, Engine, dict[str, DemoAccount]]


def sign_in_with(page: Page, username: str, password: str, timeout: float = WAIT) -> None:
    """The sign-in form, wherever it shows (the sign-in page, or a deep link opened signed out)."""
    page.get_by_label("Tên đăng nhập").fill(username, timeout=timeout)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_text(f"Đăng nhập: {username}")).to_be_visible(timeout=WAIT)
    settled(page)


def choose(page: Page, box: Locator, typed: str, option: Locator | None = None) -> None:
    """A Streamlit select box set as a person does it: typing part of the option, then picking the
    option that holds it (or `option`). On a busy machine a run that redraws the box can drop what was
    typed, and an Enter pressed before the list has narrowed takes its first option: the typing is
    done again until the option shows, and the pick is checked in the field before its run is waited for."""
    wanted = option or page.get_by_role("option").filter(has_text=typed).first
    box.scroll_into_view_if_needed(timeout=FIRST_RUN)  # a first run on a busy machine
    deadline = time.monotonic() + FIRST_RUN / 1000
    while True:
        box.click()
        box.press("Control+a")
        box.press_sequentially(typed)
        try:
            wanted.wait_for(timeout=10_000)
            break
        except PlaywrightTimeout:
            if time.monotonic() > deadline:
                raise
            page.keyboard.press("Escape")
    wanted.click()
    expect(box).to_have_value(re.compile(re.escape(typed)), timeout=10_000)
    settled(page)


def visit(page: Page, name: str) -> None:
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=name).click()
    settled(page)
    expect(page.get_by_test_id("stException")).to_have_count(0)


def quiet(watched: Watched) -> None:
    """Nothing left the machine, no script error, no dialog, no exception shown."""
    expect(watched.page.get_by_test_id("stException")).to_have_count(0)
    assert watched.outside == [], watched.outside
    assert watched.errors == [] and watched.dialogs == [], (watched.errors, watched.dialogs)


# ---- what a reader sees ----

SHOWN = """e => {
    const style = getComputedStyle(e);
    if (style.fontSize !== '0px') return e.innerText;
    const after = getComputedStyle(e, '::after').content;
    return after === 'none' ? '' : JSON.parse(after);
}"""

READABLE = """() => {
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const seen = [];
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const e = node.parentElement;
        if (!e || !node.textContent.trim() || e.closest('[aria-hidden="true"], script, style')) continue;
        const style = getComputedStyle(e);
        if (style.fontSize === '0px' || style.visibility === 'hidden' || !e.getClientRects().length) continue;
        seen.push(node.textContent.trim());
    }
    return seen.join('\\n');
}"""


def shown(element: Locator) -> str:
    """What a reader sees in the element: its text, or what the stylesheet shows in its place."""
    return str(element.evaluate(SHOWN))


def readable(page: Page) -> str:
    return str(page.evaluate(READABLE))


def session_cookie(context: BrowserContext) -> dict[str, object]:
    """The browser's session cookie, once the signing-in tab has traded its code for it."""
    for _ in range(100):
        found = [c for c in context.cookies() if c["name"] == sessions.COOKIE]
        if found:
            return dict(found[0])
        context.pages[0].wait_for_timeout(100)
    raise AssertionError("the session cookie was never set")


def url_with(*parts: str, without: tuple[str, ...] = ()) -> re.Pattern[str]:
    """An address holding every part and none of `without`, for `expect(page).to_have_url`: it waits
    for the address a run sets, where reading `page.url` at once may see the one before."""
    holds = "".join(f"(?=.*{re.escape(part)})" for part in parts)
    lacks = "".join(f"(?!.*{re.escape(part)})" for part in without)
    return re.compile(f"^{holds}{lacks}")
