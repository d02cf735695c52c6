"""The documented multi-replica deployment, on loopback: PostgreSQL, two app processes started as
docs/deploy.md says, and nginx with deploy/nginx.conf in front of them, over TLS with a throw-away
certificate the test makes and trusts."""

from __future__ import annotations

import os
import re
import shutil
import signal
import ssl
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from linkage.accounts import sessions
from linkage.accounts.users import SYSTEM, add_user
from linkage.records.importing import import_path
from linkage.store.db import dispose_engine, get_engine
from ui.signin import ROUTE

from ..conftest import create_pg_database, drop_pg_database
from ..documented import block, run_block
from ..helpers import FIXTURE, sign_in_limit
from .conftest import ACCOUNTS, PASSWORD, free_port, new_context, open_unit, session_cookie, sign_in, wait_healthy

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def deployment(pg_admin) -> Iterator[dict[str, str]]:  # type: ignore[no-untyped-def]
    name = create_pg_database(pg_admin)
    url = f"postgresql://postgres@127.0.0.1:5432/{name}"
    processes: list[subprocess.Popen[bytes]] = []
    run_dir = Path(tempfile.mkdtemp(prefix="linkage-nginx-", dir="/tmp"))
    run_dir.chmod(0o755)  # nginx's workers drop to an unprivileged user
    try:
        migrated = run_block("migrate", {"LINKAGE_DATABASE_URL": url})
        assert migrated.returncode == 0, migrated.stderr
        engine = get_engine(url)
        import_path(engine, FIXTURE)
        for username, role, unit, cooperative in ACCOUNTS.values():
            add_user(engine, SYSTEM, username, PASSWORD, role, unit, cooperative)
        venv_bin = str(ROOT / ".venv" / "bin")
        replicas = []
        for _ in range(2):
            port = free_port()
            env = {**os.environ, "PATH": f"{venv_bin}{os.pathsep}{os.environ['PATH']}"}
            env |= {"LINKAGE_DATABASE_URL": url, "PORT": str(port)}
            processes.append(
                subprocess.Popen(
                    ["bash", "-c", block("replica")],
                    cwd=ROOT,
                    env=env,
                    start_new_session=True,  # its own process group, stopped whole below
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
            replicas.append(f"127.0.0.1:{port}")
        proxy_port, http_port = free_port(), free_port()
        certificate(run_dir)
        config = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
        config = config.replace("@RUN_DIR@", str(run_dir)).replace("@PORT@", str(proxy_port))
        config = config.replace("@HTTP_PORT@", str(http_port)).replace("@ADDRESS@", "127.0.0.1")
        config = config.replace("@CERT@", str(run_dir / "cert.pem")).replace("@KEY@", str(run_dir / "key.pem"))
        config = config.replace("@UPSTREAMS@", "\n".join(f"        server {r};" for r in replicas))
        (run_dir / "nginx.conf").write_text(config, encoding="utf-8")
        nginx = shutil.which("nginx", path=f"{os.environ['PATH']}:/usr/sbin:/sbin")
        assert nginx, "Debian's nginx-light is required: `python3.12 tasks.py test` installs it"
        processes.append(
            subprocess.Popen([nginx, "-c", str(run_dir / "nginx.conf"), "-p", str(run_dir), "-g", "daemon off;"])
        )
        for replica in replicas:
            wait_healthy(f"http://{replica}")
        proxy = f"https://127.0.0.1:{proxy_port}"
        TRUSTED.load_verify_locations(run_dir / "cert.pem")
        wait_healthy(proxy, context=TRUSTED)
        yield {
            "proxy": proxy,
            "plain": f"http://127.0.0.1:{http_port}",
            "a": f"http://{replicas[0]}",
            "b": f"http://{replicas[1]}",
            "url": url,
            "log": str(run_dir / "access.log"),
        }
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM) if process.args[0] == "bash" else process.terminate()
        for process in processes:
            process.wait(timeout=30)
        dispose_engine(url)
        drop_pg_database(pg_admin, name)
        shutil.rmtree(run_dir, ignore_errors=True)


TRUSTED = ssl.create_default_context()  # trusts the test's certificate once the deployment made it


def certificate(folder: Path) -> None:
    """A self-signed certificate for 127.0.0.1, valid a day: cert.pem and key.pem in `folder`."""
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"),
            *("-addext", "subjectAltName=IP:127.0.0.1"),
            *("-keyout", str(folder / "key.pem"), "-out", str(folder / "cert.pem")),
        ],
        check=True,
        capture_output=True,
    )
    (folder / "key.pem").chmod(0o644)  # read by nginx's workers, which drop to an unprivileged user


def fetch(deployment: dict[str, str], path: str = "/", cookie: str | None = None) -> tuple[str, str | None]:
    """(the replica that answered, as the proxy's log names it, the route cookie the proxy set) for
    one plain request through the proxy."""
    probe = os.urandom(6).hex()
    separator = "&" if "?" in path else "?"
    request = urllib.request.Request(
        f"{deployment['proxy']}{path}{separator}probe={probe}", headers={"Cookie": cookie} if cookie else {}
    )
    with urllib.request.urlopen(request, timeout=10, context=TRUSTED) as answer:
        set_cookie = answer.headers.get("Set-Cookie") or ""
        found = re.search(r"linkage_route=([^;]+)", set_cookie)
        assert "X-Linkage-Replica" not in answer.headers  # which replica answered is the log's business
    for _ in range(50):  # nginx writes the line as the answer ends
        for line in Path(deployment["log"]).read_text(encoding="utf-8").splitlines():
            if f"probe={probe}" in line:
                return line.split("upstream=")[1].split()[0], found.group(1) if found else None
        time.sleep(0.05)
    raise AssertionError(f"no log line for probe {probe}")


def test_a_browser_stays_on_its_replica_and_new_browsers_are_spread(deployment: dict[str, str]) -> None:
    replica, route = fetch(deployment)
    assert route
    assert {fetch(deployment, "/_stcore/health", f"linkage_route={route}")[0] for _ in range(15)} == {replica}
    assert len({fetch(deployment)[0] for _ in range(30)}) == 2


def test_plain_http_is_sent_to_https_and_every_answer_carries_the_security_headers(deployment: dict[str, str]) -> None:
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            return None

    with pytest.raises(urllib.error.HTTPError) as sent:
        urllib.request.build_opener(NoRedirect).open(f"{deployment['plain']}/coverage?unit=06", timeout=10)
    assert sent.value.code == 308 and sent.value.headers["Location"] == f"{deployment['proxy']}/coverage?unit=06"
    for path in ("/", "/_stcore/health", "/coverage"):
        with urllib.request.urlopen(deployment["proxy"] + path, timeout=10, context=TRUSTED) as answer:
            headers = answer.headers
            assert headers.get_all("Strict-Transport-Security") == ["max-age=31536000"]
            assert headers.get_all("Content-Security-Policy") == ["frame-ancestors 'self'"]
            assert headers.get_all("X-Frame-Options") == ["SAMEORIGIN"]
            assert headers.get_all("X-Content-Type-Options") == ["nosniff"]
            cookies = headers.get_all("Set-Cookie") or []
            assert any(c.startswith("linkage_route=") for c in cookies), cookies
            assert all("; Secure" in c or "; secure" in c for c in cookies), cookies
            assert "nginx/" not in (headers.get("Server") or "")
            assert "X-Linkage-Replica" not in headers


def test_streamlits_metrics_are_closed_at_the_proxy(deployment: dict[str, str]) -> None:
    for path in ("/_stcore/metrics", "/_stcore/metrics?families=session_state"):
        with pytest.raises(urllib.error.HTTPError) as closed:
            urllib.request.urlopen(deployment["proxy"] + path, timeout=10, context=TRUSTED)
        assert closed.value.code == 404


def test_signing_in_through_the_proxy_works_over_its_websocket(deployment: dict[str, str], browser: Browser) -> None:
    context = new_context(browser, ignore_https_errors=True)
    page = context.new_page()
    sign_in(page, deployment["proxy"], "planner")
    # The page's own post of its one-time code passes the route's Origin check through the proxy
    # (which passes the Host on with its port), so the sign-in is kept in the session cookie.
    assert session_cookie(context)["httpOnly"] is True
    open_unit(page, "bac kan", "Tỉnh Bắc Kạn")
    expect(page.get_by_test_id("stMetricValue").first).to_be_visible(timeout=20_000)
    context.close()


def test_a_change_saved_through_one_replica_shows_on_the_other_at_its_next_page_load(
    deployment: dict[str, str], browser: Browser, tmp_path: Path
) -> None:
    reader = new_context(browser, ignore_https_errors=True).new_page()
    sign_in(reader, deployment["b"], "officer")
    open_unit(reader, "thanh pho bac kan", "Thành Phố Bắc Kạn")
    expect(reader.get_by_test_id("stMetricValue").first).to_have_text("50,0%", timeout=20_000)

    writer = new_context(browser, ignore_https_errors=True).new_page()
    sign_in(writer, deployment["a"], "officer")
    writer.get_by_role("link", name="Trao đổi dữ liệu").click()
    upload = tmp_path / "cooperatives.csv"
    upload.write_text("code,name,commune_code\nK90,HTX Nông Thượng Mới,01852\n", encoding="utf-8")
    exchange = writer.get_by_test_id("stFileUploader").filter(has=writer.get_by_label(re.compile("^Tệp trao đổi")))
    exchange.locator("input[type=file]").set_input_files(str(upload))  # not the office lists' uploader
    writer.get_by_role("button", name="Ghi vào cơ sở dữ liệu").click()
    expect(writer.get_by_text("1 mới").or_(writer.get_by_text("1 new"))).to_be_visible(timeout=20_000)

    open_unit(reader, "thanh pho bac kan", "Thành Phố Bắc Kạn")  # the next page load on replica b
    expect(reader.get_by_test_id("stMetricValue").first).to_have_text("100,0%", timeout=20_000)
    reader.context.close()
    writer.context.close()


def test_a_code_posted_from_another_site_through_the_proxy_sets_no_cookie(deployment: dict[str, str]) -> None:
    engine = get_engine(deployment["url"])
    handed = sessions.hand_over(engine, ACCOUNTS["planner"][0])
    request = urllib.request.Request(
        f"{deployment['proxy']}/{ROUTE}",
        data=handed.secret.encode(),
        method="POST",
        headers={"Sec-Fetch-Site": "cross-site", "Origin": "https://attacker.example"},
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10, context=TRUSTED)
    assert refused.value.code == 403 and sessions.COOKIE not in (refused.value.headers.get("Set-Cookie") or "")


def test_posts_to_the_sign_in_route_are_limited_per_address(deployment: dict[str, str]) -> None:
    """A burst of made-up codes from one address: the first 60 are answered (refused: 403), as an
    office's colleagues behind one NAT address signing in together would be; beyond the burst the
    proxy answers 429 without asking any replica. The allowance refills at 60 a minute while the
    burst is sent, so a slow machine sees a few more answered: the bound counts the seconds it took.
    Last in this file: it spends the address's allowance."""
    per_minute, burst = sign_in_limit()
    rate_per_second = per_minute / 60
    answers: list[int] = []
    started = time.monotonic()
    while answers[-5:] != [429] * 5 and len(answers) < 400:
        request = urllib.request.Request(f"{deployment['proxy']}/{ROUTE}", data=b"made-up", method="POST")
        try:
            with urllib.request.urlopen(request, timeout=10, context=TRUSTED) as answer:
                answers.append(answer.status)
        except urllib.error.HTTPError as refused:
            answers.append(refused.code)
    elapsed = time.monotonic() - started
    assert answers[:burst] == [403] * burst and set(answers) == {403, 429}, answers
    # nginx answers the burst, the request that opened it, and one more per second gone by since.
    assert answers.count(403) <= burst + 1 + rate_per_second * elapsed + 1, (elapsed, answers)
    assert answers[-5:] == [429] * 5, answers
