"""Browser benchmark: what users wait for, measured in Debian's Chromium through Playwright.

    python -m bench --browser [--scale province|national] [--repeats 5] [--entry serve.py]
    python -m bench.browser --db sqlite:///scratch.db --repeats 1   # an existing database

On a scratch SQLite database holding the demo data (or the one given with `--db`, which it writes
to: accounts and pending changes), it starts the app with `streamlit run ENTRY` on a loopback port
and times, p95 over the repeats:

- the first page after sign-in on a newly started server (a new server process for every repeat; the
  seconds until it answers are reported beside the table);
- the coverage interactions at national and at province level: the verified toggle on, a new date,
  another ranking, and back (the toggle off again, to the view first shown);
- a district graph and a province graph, until the drawing has settled (or, when it is not drawn,
  until the page has finished and says why), and the district's graph on the ground ("On the map");
- the verification queue with `--pending` changes waiting, created through the domain's write path
  (`forms.save` by the cooperative's account), not by SQL;
- a district office's list of records to settle on today's map.

A step ends when Streamlit has finished running the page (its `data-test-script-state` went
`running` and is back to `notRunning` for 250 ms; a rerun so quick that it never shows `running` ends
with its last change to the page) and, for graphs, when the drawing's "laying out" note is gone. Writes its
table, with the goal and met / not met for each row, as the "In the browser" section of
docs/benchmarks.md, keeping the other sections. Goals are checked here, never by timed tests.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import re
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import col

from linkage.accounts.demo_accounts import DemoAccount, create_demo_accounts
from linkage.accounts.users import SYSTEM, Actor, add_user
from linkage.demo import generate
from linkage.geo.maps import NEW_MAP
from linkage.geo.units import NATIONAL_CODE
from linkage.records import forms
from linkage.records.catalog import init
from linkage.records.history import pending as waiting
from linkage.records.history import verifier_of
from linkage.store.db import get_engine, read_session
from linkage.store.models import Cooperative
from tests.server import app_server

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page  # lazy: a dev-only package, needed only when the browser is driven

ROOT = Path(__file__).resolve().parent.parent
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
SECTION = "## In the browser"
QUIET_MS = 250  # a run that ends and starts again (st.rerun) within this is one step
# The sign-in form is typed as a person types it, a quick typist's key every 60 ms (a name and password of
# 40 keys: 2.4 s), not filled at once: what the page does while the user types is part of what they wait for.
TYPING_MS = 60
NATIONAL = f"bench.vn.{secrets.token_hex(3)}"  # a national planner made for this run only
PASSWORD = secrets.token_urlsafe(18)
VERIFIER = f"bench.office.{secrets.token_hex(3)}"  # made for this run when the verifying office has no account

# The rows of the table, in order, with their goals in seconds.
ROWS: list[tuple[str, str, float]] = [
    ("shared_national", "coverage of the country from a shared link, after sign-in", 1.0),
    ("shared_province", "coverage of a province from a shared link, after sign-in", 1.0),
    ("shared_district", "coverage of a district (2025-01) from a shared link, after sign-in", 1.0),
    ("shared_commune", "coverage of a commune (2025-07) from a shared link, after sign-in", 1.0),
    ("national_verified", "coverage, national: verified toggle", 0.5),
    ("national_date", "coverage, national: a new date", 0.5),
    ("national_ranking", "coverage, national: another ranking", 0.5),
    ("national_back", "coverage, national: back (toggle off)", 0.5),
    ("province_verified", "coverage, province: verified toggle", 0.5),
    ("province_date", "coverage, province: a new date (its map redrawn)", 0.5),
    ("province_ranking", "coverage, province: another ranking", 0.5),
    ("province_back", "coverage, province: back (toggle off)", 0.5),
    ("district_graph", "district graph, drawn", 1.0),
    ("district_ground", "district graph on the ground (On the map), drawn", 1.5),
    ("province_graph", "province graph, drawn", 1.5),
    ("verification_queue", "verification queue with {pending} pending changes", 0.5),
    ("settling_list", "a district office's list of records to settle on 2025-07 (from the sidebar)", 1.0),
    ("list_preview", "an office's list of {list_rows} cooperatives by address: its preview after the upload", 3.0),
]
LIST_ROWS = 5000  # the office list uploaded (bench/office_lists.py writes it)
# Where a step's time goes, as the page sees it (ms since the click): until the server starts the run
# (`wait`), the run itself with its output streamed to the page (`run`), the page still changing
# after the run ended (`draw`: charts, tables and the graph's frame being put on the page).
PHASES = ("wait", "run", "draw")

WATCH = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  window.__benchStart = 0;
  window.__benchEnd = 0;
  window.__benchChanged = 0;
  if (window.__benchApp !== app) {
    window.__benchApp = app;
    new MutationObserver((changes) => {
      const state = app.getAttribute('data-test-script-state');
      if (changes.some((c) => c.target === app && c.attributeName === 'data-test-script-state')) {
        if (state === 'running') { if (!window.__benchStart) window.__benchStart = Date.now(); }
        else if (window.__benchStart) window.__benchEnd = Date.now();
      }
      // the page's output: elements or text, not the styles a click itself changes
      if (changes.some((c) => c.type !== 'attributes')) window.__benchChanged = Date.now();
    }).observe(app, {attributes: true, childList: true, subtree: true, characterData: true});
  }
  return Date.now();
}"""
# A step is over when the script is not running and the page has not changed for QUIET_MS; a rerun
# so quick that it never shows `running` ends with its last change to the page.
FINISHED = f"""() => {{
  const app = document.querySelector('[data-testid="stApp"]');
  if (app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  const end = Math.max(window.__benchEnd, window.__benchChanged);
  return end > 0 && (window.__benchEnd > 0 || !window.__benchStart) && Date.now() - end >= {QUIET_MS};
}}"""
# A graph's drawing is over when its frame's document (a new one: the page may already hold a drawing)
# is the drawing's page, loaded, and its "laying out" note is gone. The moment is taken by the page itself, at the first
# animation frame that sees it, from before the click: waiting first for the step to finish (above) and
# only then asking the frame would count the 250 ms of quiet after the page's last change, and the
# round trips to Playwright, as drawing.
SETTLED_IN = (  # the drawing's own page (a new frame holds about:blank first), loaded, its note gone
    "(doc) => !!doc.getElementById('graph') && doc.readyState === 'complete' && !doc.getElementById('settling')"
)
SETTLED = f"() => ({SETTLED_IN})(document)"
DRAWN_WATCH = f"""() => {{
  const frameDocument = () => (document.querySelector('iframe') || {{}}).contentDocument || null;
  const before = frameDocument();
  const settled = {SETTLED_IN};
  window.__benchDrawn = 0;
  (function look() {{
    const shown = frameDocument();
    if (shown && shown !== before && settled(shown)) {{ window.__benchDrawn = Date.now(); return; }}
    requestAnimationFrame(look);
  }})();
}}"""
ENDED = """() => ({start: window.__benchStart, end: window.__benchEnd,
  last: Math.max(window.__benchEnd, window.__benchChanged)})"""


@dataclass
class Row:
    key: str
    what: str
    goal: float
    samples: list[float] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    phases: list[dict[str, float]] = field(default_factory=list)  # seconds per phase (PHASES), per sample

    @property
    def p95(self) -> float | None:
        """The 95th percentile by nearest rank (seconds); None when nothing was measured."""
        if not self.samples:
            return None
        ordered = sorted(self.samples)
        return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]

    @property
    def met(self) -> bool:
        return self.p95 is not None and round(self.p95, 2) <= self.goal  # as the table shows it


@dataclass(frozen=True)
class Accounts:
    national: str  # a planner of the whole country
    province: str  # a planner of the demo's province
    officer: str  # the officer of the busiest cooperative's district (before the reform)
    verifier: str  # the office that verifies that cooperative's changes today: its commune's, else its province's
    admin: str  # who uploads an office's list
    passwords: dict[str, str]
    links: dict[str, str]  # the shared link of each level's coverage page, by row key


def prepare(engine: Engine, pending: int) -> Accounts:
    """Accounts for each role measured, and `pending` changes waiting in the verifying office's queue
    (today's office of the busiest cooperative), written through the domain's write path as that
    cooperative reports them."""

    demo: dict[str, DemoAccount] = {}
    made_now = create_demo_accounts(engine)
    for account in made_now:
        demo.setdefault(account.role, account)  # the programme's accounts come first: officer.demo, …
    if not demo:
        raise RuntimeError("the database holds no cooperative in a linkage: load the demo data first")
    with read_session(engine) as session:
        commune = session.execute(
            sa.select(col(Cooperative.commune_code)).where(col(Cooperative.code) == demo["cooperative"].scope)
        ).scalar_one()
    add_user(engine, SYSTEM, NATIONAL, PASSWORD, "planner", "VN")
    coop = Actor(demo["cooperative"].username, "cooperative", cooperative_code=demo["cooperative"].scope)
    # Changes reported now go to today's office (`verifier_of`), not to the district's of before the
    # reform: its account among the demo's, else one made for this run for the unit the rule names.
    unit = verifier_of(engine, coop)
    if unit is None:
        raise RuntimeError(f"cooperative {coop.cooperative_code} is placed nowhere: no office verifies it")
    made = next(
        (a for a in made_now if a.role == "officer" and (a.scope, a.unit_map) == (unit.code, unit.map)),
        None,
    )
    verifier = made.username if made is not None else VERIFIER
    if made is None:
        add_user(engine, SYSTEM, VERIFIER, PASSWORD, "officer", unit.code, None, unit.map)
    officer = Actor(verifier, "officer", unit.code, unit_map=unit.map)
    missing = pending - len(waiting(engine, officer, status="reported"))
    for n in range(max(0, missing)):
        values = {
            "code": f"BENCH{n:05d}",
            "name": f"Hộ thử nghiệm {n}",
            "commune_code": commune,
            "kind": "household",
            "cooperative_code": coop.cooperative_code or "",
        }
        forms.save(engine, coop, "producers", values)
    passwords = {a.username: a.password for a in demo.values()} | {NATIONAL: PASSWORD}
    passwords |= {made.username: made.password} if made is not None else {VERIFIER: PASSWORD}
    # The shared links: the country, and the units of the demo's accounts (province and commune on
    # today's map, the district on the map before the reform).
    units = {a.username: a for a in made_now}
    province, district, commune = (units[n] for n in ("planner.tinh.demo", "officer.demo", "officer.xa.demo"))
    links = {
        "shared_national": f"/coverage?map={NEW_MAP}&unit={NATIONAL_CODE}",
        "shared_province": f"/coverage?map={province.unit_map}&unit={province.scope}",
        "shared_district": f"/coverage?map={district.unit_map}&unit={district.scope}",
        "shared_commune": f"/coverage?map={commune.unit_map}&unit={commune.scope}",
    }
    return Accounts(
        NATIONAL, demo["planner"].username, demo["officer"].username, verifier, demo["admin"].username, passwords, links
    )


@dataclass(frozen=True)
class Timing:
    """One step: seconds from the click until the page was idle, and where they went (PHASES)."""

    seconds: float
    phases: dict[str, float]


def _arm(page: Page) -> int:
    return int(page.evaluate(WATCH))


def _timing(page: Page, started: int, idle: int | None = None) -> Timing:
    """The step begun at `started` (the page's clock, ms), idle at `idle` (default: its last change)."""
    seen = page.evaluate(ENDED)
    start, end, last = int(seen["start"]), int(seen["end"]), int(seen["last"])
    idle = last if idle is None else max(idle, last)
    if not start:  # a run too quick to show `running`: all of it counts as the run
        start = end = last
    phases = {"wait": start - started, "run": end - start, "draw": idle - end}
    return Timing(max(0, idle - started) / 1000, {k: max(0, v) / 1000 for k, v in phases.items()})


def _finished(page: Page, started: int, timeout_ms: float) -> Timing:
    page.wait_for_function(FINISHED, timeout=timeout_ms, polling=50)
    return _timing(page, started)


def sign_in(page: Page, base: str, username: str, password: str, timeout_ms: float, path: str = "") -> Timing:
    """Open the app (at `path`, a shared link, or its home page), sign in and time the click on the
    button until the page it opens on is idle."""
    page.goto(base + path)
    if not path:
        page.get_by_role("link", name="Đăng nhập").first.click()
    page.get_by_label("Tên đăng nhập").press_sequentially(username, delay=TYPING_MS)
    page.get_by_label("Mật khẩu").press_sequentially(password, delay=TYPING_MS)
    started = _arm(page)
    page.get_by_role("button", name="Đăng nhập").click()
    timing = _finished(page, started, timeout_ms)
    page.get_by_text(f"Đăng nhập: {username}").first.wait_for(timeout=timeout_ms)
    return timing


def step(page: Page, action: Callable[[], None], timeout_ms: float) -> Timing:
    started = _arm(page)
    action()
    return _finished(page, started, timeout_ms)


def open_page(page: Page, name: str, timeout_ms: float) -> Timing:
    return step(page, lambda: page.get_by_test_id("stSidebarNav").get_by_role("link", name=name).click(), timeout_ms)


def graph_drawn(
    page: Page, name: str, timeout_ms: float, click: Callable[[], None] | None = None
) -> tuple[Timing, str]:
    """The click on the graph page (or `click`, on the page already open) until its drawing has
    settled (the `draw` phase runs to then), and what it shows."""
    started = _arm(page)
    page.evaluate(DRAWN_WATCH)
    (click or page.get_by_test_id("stSidebarNav").get_by_role("link", name=name).click)()
    page.wait_for_function(FINISHED, timeout=timeout_ms, polling=50)
    frame = page.locator("iframe").first.element_handle(timeout=timeout_ms).content_frame()
    assert frame is not None
    frame.wait_for_function(SETTLED, timeout=timeout_ms, polling="raf")
    page.wait_for_function("() => window.__benchDrawn > 0", timeout=timeout_ms, polling="raf")
    drawn = int(page.evaluate("() => window.__benchDrawn"))
    shown = frame.evaluate(
        "() => document.body.getAttribute('data-stabilized') === 'true' ? 'drawn' : "
        "(document.querySelector('[role=alert]') || document.body).textContent.trim().slice(0, 120)"
    )
    return _timing(page, started, drawn), str(shown)


def coverage_steps(page: Page, prefix: str, repeat: int, timeout_ms: float) -> dict[str, Timing]:
    """The four coverage interactions on the coverage page already open."""
    toggle = page.get_by_text("Chỉ số liệu đã xác nhận", exact=True)
    times = {f"{prefix}_verified": step(page, toggle.click, timeout_ms)}

    def new_date() -> None:
        page.get_by_role("spinbutton", name="day, Tính đến ngày").click()
        page.keyboard.type(f"3112{2024 - repeat % 3}")  # day, month, year: the field moves on by itself
        page.keyboard.press("Escape")

    new_date()
    times[f"{prefix}_date"] = step(page, lambda: page.get_by_role("heading").first.click(), timeout_ms)
    # the ranking's choice, not the trend's reading below it: the group that names an indicator
    ranking = page.get_by_role("radiogroup").filter(has_text="Liên kết vùng nguyên liệu").locator("label")
    checked = ranking.evaluate_all("labels => labels.findIndex(l => l.querySelector('input').checked)")
    other = 1 if checked == 0 else 0
    times[f"{prefix}_ranking"] = step(page, ranking.nth(other).click, timeout_ms)
    times[f"{prefix}_back"] = step(page, toggle.click, timeout_ms)
    return times


Attempt = Callable[[list[str], Callable[[], dict[str, Timing]]], None]


def measure(
    url: str, repeats: int, entry: str, accounts: Accounts, timeout_s: float = 120
) -> tuple[dict[str, Row], list[float]]:
    """Every row of the table, each with `repeats` samples (or notes saying why a sample is missing),
    and the seconds each new server took from its start until it answered."""
    from playwright.sync_api import sync_playwright  # lazy: a dev-only package, needed only when the browser is driven

    timeout_ms = timeout_s * 1000
    rows = {key: Row(key, what, goal) for key, what, goal in ROWS}
    starts: list[float] = []

    def attempt(keys: list[str], fn: Callable[[], dict[str, Timing]]) -> None:
        try:
            for key, timing in fn().items():
                rows[key].samples.append(timing.seconds)
                rows[key].phases.append(timing.phases)
                parts = ", ".join(f"{k} {v:.2f}" for k, v in timing.phases.items())
                print(f"  {key}: {timing.seconds:.2f} s ({parts})", flush=True)
        except Exception as error:  # a broken step is reported in the table, the others still run
            for key in keys:
                rows[key].notes.append(f"{type(error).__name__}: {str(error).splitlines()[0][:160]}")
            print(f"  {', '.join(keys)}: {rows[keys[0]].notes[-1]}", flush=True)

    executable = shutil.which("chromium")
    if not executable:
        raise RuntimeError("Debian's chromium package is required (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=FLAGS)
        try:
            for repeat in range(repeats):
                print(f"repeat {repeat + 1} of {repeats}", flush=True)
                starting = time.perf_counter()
                with app_server(url, entry) as base:  # a new server for every repeat
                    starts.append(time.perf_counter() - starting)
                    _shared_links(browser, base, accounts, timeout_ms, attempt)
                    _levels(browser, base, accounts, repeat, timeout_ms, attempt)
        finally:
            browser.close()
    return rows, starts


def _shared_links(browser: Browser, base: str, accounts: Accounts, timeout_ms: float, attempt: Attempt) -> None:
    """Each level's coverage page opened from a shared link by a browser not signed in, the first of
    them on the newly started server: the click on "sign in" until the page is idle."""
    for key, path in accounts.links.items():

        def shared(path: str = path, key: str = key) -> dict[str, Timing]:
            page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
            try:
                password = accounts.passwords[accounts.national]
                return {key: sign_in(page, base, accounts.national, password, timeout_ms, path)}
            finally:
                page.context.close()

        attempt([key], shared)


def _levels(
    browser: Browser,
    base: str,
    accounts: Accounts,
    repeat: int,
    timeout_ms: float,
    attempt: Attempt,
) -> None:
    def signed_in(username: str) -> Page:
        page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        sign_in(page, base, username, accounts.passwords[username], timeout_ms)
        return page

    for prefix, username in (("national", accounts.national), ("province", accounts.province)):
        keys = [f"{prefix}_{s}" for s in ("verified", "date", "ranking", "back")]

        def interactions(username: str = username, prefix: str = prefix) -> dict[str, Timing]:
            page = signed_in(username)
            try:
                open_page(page, "Mức độ đạt chỉ tiêu", timeout_ms)
                return coverage_steps(page, prefix, repeat, timeout_ms)
            finally:
                page.context.close()

        attempt(keys, interactions)

    shown: dict[str, str] = {}
    for key, username in (("district_graph", accounts.officer), ("province_graph", accounts.province)):

        def graph(username: str = username, key: str = key) -> dict[str, Timing]:
            page = signed_in(username)
            try:
                timing, shown[key] = graph_drawn(page, "Sơ đồ liên kết", timeout_ms)
                if shown[key] != "drawn":
                    raise RuntimeError(f"not drawn ({timing.seconds:.1f} s): {shown[key]}")
                return {key: timing}
            finally:
                page.context.close()

        attempt([key], graph)

    def ground() -> dict[str, Timing]:
        """The district's graph, then the same on the ground: from the click on "On the map" until drawn."""
        page = signed_in(accounts.officer)
        try:
            graph_drawn(page, "Sơ đồ liên kết", timeout_ms)
            on_map = page.get_by_text("Trên bản đồ", exact=True).click
            timing, drawn = graph_drawn(page, "Sơ đồ liên kết", timeout_ms, on_map)
            if drawn != "drawn":
                raise RuntimeError(f"not drawn ({timing.seconds:.1f} s): {drawn}")
            return {"district_ground": timing}
        finally:
            page.context.close()

    attempt(["district_ground"], ground)

    def queue() -> dict[str, Timing]:
        page = signed_in(accounts.verifier)
        try:
            return {"verification_queue": open_page(page, "Xác nhận", timeout_ms)}
        finally:
            page.context.close()

    attempt(["verification_queue"], queue)

    def settling() -> dict[str, Timing]:
        """A district office of 2025-01 opens its records placed above the commune on today's map: the
        page reads the country's placements and keeps those in its scope."""
        page = signed_in(accounts.officer)
        try:
            timing = open_page(page, "Xác định xã", timeout_ms)
            page.get_by_text("Bản ghi cần xác định xã").first.wait_for(timeout=timeout_ms)  # the page, listed or not
            return {"settling_list": timing}
        finally:
            page.context.close()

    attempt(["settling_list"], settling)

    def office_list() -> dict[str, Timing]:
        """The upload of an office's list on the data exchange page until its preview is shown: every
        row's commune found, or the rows that need a decision listed."""
        from bench.office_lists import address_list

        page = signed_in(accounts.admin)
        try:
            open_page(page, "Trao đổi dữ liệu", timeout_ms)
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / "danh-sach-htx.xlsx"
                path.write_bytes(address_list(LIST_ROWS)[0])
                upload = page.locator("input[type=file]").nth(1)
                timing = step(page, lambda: upload.set_input_files(str(path)), timeout_ms)
            page.get_by_text(re.compile("Chưa ghi được|Ghi cả")).first.wait_for(timeout=timeout_ms)
            return {"list_preview": timing}
        finally:
            page.context.close()

    attempt(["list_preview"], office_list)


def section(rows: dict[str, Row], repeats: int, pending: int, described: str, starts: Sequence[float] = ()) -> str:
    """The "In the browser" section of docs/benchmarks.md."""
    lines = [
        SECTION,
        "",
        f"`python -m bench --browser` on {date.today().isoformat()}: {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, embedded SQLite, Debian's Chromium through "
        f"Playwright, one user at a time. {described} p95 of {repeats} repeats (nearest rank), each on a newly "
        "started server; a step runs from the click until the page is idle: Streamlit has finished running "
        f"it and nothing on the page has changed for {QUIET_MS} ms (not counted), and, for graphs, the drawing "
        f"has settled; the sign-in form is typed at {TYPING_MS} ms a key. Where the time went, median of the "
        "samples, as the page saw it: `wait` until the server "
        "started the run, `run` the run with its output streamed to the page, `draw` the page still changing "
        "after the run (charts, tables, the graph's frame drawn)."
        + (
            f" A new server answered its health check {min(starts):.1f}–{max(starts):.1f} s after it was started: "
            "it reads every record, counts today's figures and the trends and compiles the charts before it "
            "answers (ui/startup.py)."
            if starts
            else ""
        ),
        "",
        "| what | p95 | samples (s) | wait · run · draw (s) | goal | |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows.values():
        what = row.what.format(pending=f"{pending:,}", list_rows=f"{LIST_ROWS:,}")
        samples = ", ".join(f"{s:.2f}" for s in row.samples) or "—"
        p95 = "—" if row.p95 is None else f"{row.p95:.2f} s"
        verdict = "met" if row.met else "**not met**"
        if row.notes:
            verdict += " (" + "; ".join(sorted(set(row.notes))).replace("|", "/") + ")"
        phases = " · ".join(f"{statistics.median(p[k] for p in row.phases):.2f}" for k in PHASES) if row.phases else "—"
        lines.append(f"| {what} | {p95} | {samples} | {phases} | ≤ {row.goal:g} s | {verdict} |")
    lines.append("")
    return "\n".join(lines)


def write_section(path: Path, text: str) -> None:
    """Put `text` in place of the file's "In the browser" section (or after the others)."""
    old = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    kept = keep_other_sections(old)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(kept.rstrip("\n") + "\n\n" + text.rstrip("\n") + "\n", encoding="utf-8")


def keep_other_sections(text: str) -> str:
    """`text` without its "In the browser" section."""
    out: list[str] = []
    skipping = False
    for line in text.splitlines():
        if line.startswith("## "):
            skipping = line.strip() == SECTION
        if not skipping:
            out.append(line)
    return "\n".join(out).rstrip("\n") + "\n"


def browser_section(text: str) -> str:
    """The "In the browser" section of `text`, or an empty string."""
    return section_of(text, SECTION)


def section_of(text: str, heading: str) -> str:
    """The section of `text` under the `## ` line `heading`, up to the next one, or an empty string."""
    lines = text.splitlines()
    if heading not in lines:
        return ""
    start = lines.index(heading)
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    return "\n".join(lines[start:end]).rstrip("\n") + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--db", help="an existing database to use (it gets accounts and pending changes)")
    parser.add_argument("--scale", choices=["province", "national"], default="province")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--pending", type=int, default=1000)
    parser.add_argument("--entry", default="serve.py", help="the app's entry file")
    parser.add_argument("--note", default="", help="a sentence on the conditions, put in the section")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
    args = parser.parse_args(argv)

    url = args.db
    described = "Database given with --db."
    if url is None:
        url = f"sqlite:///{Path(tempfile.mkdtemp(prefix='linkage-bench-browser-')) / 'demo.db'}"
        init(get_engine(url))
        described = generate(get_engine(url), scale=args.scale, seed=1).describe()
    started = time.perf_counter()
    accounts = prepare(get_engine(url), args.pending)
    print(f"accounts and {args.pending} pending changes ready in {time.perf_counter() - started:.1f} s", flush=True)
    get_engine(url).dispose()
    rows, starts = measure(url, args.repeats, args.entry, accounts)
    text = section(rows, args.repeats, args.pending, f"{described} {args.note}".strip(), starts)
    write_section(args.out, text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
