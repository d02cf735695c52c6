"""The `linkage` command line as other programs drive it: exit codes, stdout, stderr (docs/command-line.md)."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from .helpers import FIXTURE, linkage, url


def test_import_export_coverage_round_trip(engine: Engine, tmp_path: Path) -> None:
    db = url(engine)
    assert linkage("init", "--db", db).returncode == 0
    done = linkage("import", str(FIXTURE), "--db", db)
    assert done.returncode == 0, done.stderr
    assert "Imported 46 rows: 46 new" in done.stdout
    out = linkage(
        "coverage", "--level", "province", "--as-of", "2025-12-31", "--map", "2025-01", "--format", "json", "--db", db
    )
    rows = json.loads(out.stdout)
    assert {r["level"] for r in rows} == {"province"} and len(rows) == 63 * 3
    bac_kan = next(
        r for r in rows if r["unit_code"] == "06" and r["indicator"] == "raw_material_linkages_with_digital_tech"
    )
    assert bac_kan == {
        "indicator": "raw_material_linkages_with_digital_tech",
        "level": "province",
        "unit_code": "06",
        "unit_name": "Tỉnh Bắc Kạn",
        "numerator": 2,
        "denominator": 2,
        "ratio": 1.0,
        "target": 0.5,
        "met": True,
        "map": "2025-01",
        "unplaced": 0,
    }
    csv_out = linkage("coverage", "--level", "national", "--format", "csv", "--as-of", "2025-12-31", "--db", db)
    assert (
        csv_out.stdout.splitlines()[0]
        == "indicator,level,unit_code,unit_name,numerator,denominator,ratio,target,met,map,unplaced"
    )
    table = linkage("coverage", "--level", "national", "--as-of", "2025-12-31", "--db", db)
    assert "Việt Nam" in table.stdout and "66.7%" in table.stdout
    assert linkage("export", str(tmp_path / "out"), "--format", "xlsx", "--db", db).returncode == 0
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["linkage-tracker.xlsx"]


def test_a_refused_import_exits_non_zero_with_one_line_per_problem(engine: Engine, tmp_path: Path) -> None:
    db = url(engine)
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "producers.csv").write_text(
        "code,name,commune_code,kind\nP1,Hộ A,01849,smallholder\nP2,Hộ B,1849,farm\nP3,,01849,\n", encoding="utf-8"
    )
    done = linkage("import", str(tmp_path / "bad"), "--db", db)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert lines[0].startswith("producers.csv, row 2, column kind:")
    assert lines[1].startswith("producers.csv, row 4, column name:")
    assert lines[-1] == "Import refused, nothing was written: 2 problem(s)."


def test_the_environment_variable_selects_the_database(engine: Engine) -> None:
    done = linkage("coverage", "--level", "national", "--format", "json", env={"LINKAGE_DATABASE_URL": url(engine)})
    assert done.returncode == 0 and json.loads(done.stdout)[0]["unit_code"] == "VN"


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (["coverage", "--as-of", "31/12/2025"], 2, "not a date"),
        (["coverage", "--level", "ward"], 2, "invalid choice"),
        (["graph", "K01", "--out", "x.html"], 1, "not the code of a province or district on map 2025-01"),
        (["graph", "999", "--out", "x.html"], 1, "not the code of a province or district on map 2025-01"),
    ],
)
def test_usage_errors_are_plain(engine: Engine, args: list[str], code: int, words: str) -> None:
    done = linkage(*args, "--db", url(engine))
    assert done.returncode == code and words in done.stderr and "Traceback" not in done.stderr


def test_a_database_that_was_never_initialised_says_to_run_init(tmp_path: Path) -> None:
    done = linkage("coverage", "--db", f"sqlite:///{tmp_path / 'empty.db'}")
    assert done.returncode == 1
    assert "linkage init" in done.stderr and "Traceback" not in done.stderr


def test_an_unreachable_database_is_a_plain_error(tmp_path: Path) -> None:
    done = linkage("init", "--db", "postgresql://nobody@127.0.0.1:1/none")
    assert done.returncode == 1 and "cannot use the database" in done.stderr and "Traceback" not in done.stderr


def test_init_twice_on_a_new_database_then_a_dry_run_writes_nothing(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'new.db'}"
    first = linkage("init", "--db", db)
    assert first.returncode == 0 and "added 10810 geography units" in first.stdout.replace(",", "")
    second = linkage("init", "--db", db)
    assert second.returncode == 0 and "added 0 geography units, 0 products, 0 technologies" in second.stdout
    dry = linkage("import", str(FIXTURE), "--dry-run", "--db", db)
    assert dry.returncode == 0 and "Dry run, nothing was written: 46 rows valid, 46 would be new" in dry.stdout
    out = linkage("export", str(tmp_path / "out"), "--db", db)
    assert out.returncode == 0
    assert (tmp_path / "out" / "cooperatives.csv").read_text(encoding="utf-8-sig").splitlines() == [
        "code,name,commune_code,commune_code_2025_07,established_on,dissolved_on,members"
    ]


def test_a_csv_export_writes_every_exchange_file_with_its_header(engine: Engine, tmp_path: Path) -> None:
    db = url(engine)
    assert linkage("import", str(FIXTURE), "--db", db).returncode == 0
    done = linkage("export", str(tmp_path / "out"), "--format", "csv", "--db", db)
    assert done.returncode == 0 and "Wrote 9 file(s)" in done.stdout
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == sorted(f"{n}.csv" for n in [*(p.stem for p in FIXTURE.iterdir()), "products"])
    coops = (tmp_path / "out" / "cooperatives.csv").read_text(encoding="utf-8-sig").splitlines()
    assert coops[0] == "code,name,commune_code,commune_code_2025_07,established_on,dissolved_on,members"
    assert "C4,HTX Bành Trạch,01891,,2023-06-30,,12" in coops  # a day-first date comes back in ISO form


@pytest.mark.parametrize(
    ("encoding", "words"), [("utf-16", "UTF-16"), ("cp1258", "not UTF-8"), ("utf-32", "UTF-16 or UTF-32")]
)
def test_a_file_in_another_encoding_is_refused_with_how_to_save_it(
    engine: Engine, tmp_path: Path, encoding: str, words: str
) -> None:
    (tmp_path / "cooperatives.csv").write_bytes("code,name,commune_code\nK1,HTX Dương Quang,01849\n".encode(encoding))
    done = linkage("import", str(tmp_path / "cooperatives.csv"), "--db", url(engine))
    assert done.returncode == 1 and words in done.stderr and "Traceback" not in done.stderr
    assert "CSV UTF-8" in done.stderr or "UTF-8" in done.stderr


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["init", "--db", "foo"], "not a database URL"),
        (["init", "--db", "mysql://u@h/db"], "not a database URL"),
        (["init", "--db", "sqlite:////proc/no/such.db"], "No such file or directory"),
        # `coverage` reads through the driver alone (linkage.store.driver): the same refusals, in its words
        (["coverage", "--db", "foo"], "not a database URL"),
        (["coverage", "--db", "mysql://u@h/db"], "not a database URL"),
        (["coverage", "--db", "sqlite:////proc/no/such.db"], "run `linkage init` first"),
        (["coverage", "--db", "postgresql://nobody:secret@127.0.0.1:1/none"], "cannot use the database"),
        (["coverage", "--db", "postgresql://postgres@127.0.0.1:5432/linkage_no_such_db"], "does not exist"),
    ],
)
def test_a_wrong_database_url_is_a_plain_error(args: list[str], words: str) -> None:
    done = linkage(*args)
    assert done.returncode == 1 and words in done.stderr and "Traceback" not in done.stderr
    assert "secret" not in done.stderr  # a password in the URL is never printed
    assert len(done.stderr.strip().splitlines()) == 1


def test_coverage_of_a_file_that_is_no_database_or_no_file_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "notes.db").write_text("not a database", encoding="utf-8")
    done = linkage("coverage", "--db", f"sqlite:///{tmp_path / 'notes.db'}")
    assert done.returncode == 1 and "cannot use the database" in done.stderr and "Traceback" not in done.stderr
    assert (tmp_path / "notes.db").read_text(encoding="utf-8") == "not a database"
    done = linkage("coverage", "--db", f"sqlite:///{tmp_path / 'typo.db'}")
    assert done.returncode == 1 and "linkage init" in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.db"]  # no empty database made for a typo


@pytest.mark.parametrize("form", ["json", "csv"])
def test_coverage_loads_neither_sqlalchemy_the_models_nor_pandas(engine: Engine, form: str) -> None:
    # Loading them cost `linkage coverage` more than reading and counting (docs/benchmarks.md).
    heavy = (
        "sqlalchemy",
        "sqlmodel",
        "pydantic",
        "linkage.store.models",
        "linkage.store.db",
        "pandas",
        "numpy",
    )
    script = (
        "import sys; from linkage.cli import main; code = main(sys.argv[1:]);"
        f"heavy = sorted(m for m in {heavy!r} if m in sys.modules); print(code, heavy, file=sys.stderr)"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, "coverage", "--format", form, "--db", url(engine)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.stderr.strip().splitlines()[-1] == "0 []"
    header, first = list(csv.reader(done.stdout.splitlines()[:2])) if form == "csv" else ([], [])
    first = json.loads(done.stdout)[0] if form == "json" else dict(zip(header, first, strict=True))
    assert first["unit_code"] == "VN"


def test_exporting_into_a_file_instead_of_a_folder_is_a_plain_error(engine: Engine, tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    done = linkage("export", str(tmp_path / "afile"), "--db", url(engine))
    assert done.returncode == 1 and "exists" in done.stderr and "Traceback" not in done.stderr


def test_graph_writes_one_offline_file_and_takes_filters(engine: Engine, tmp_path: Path) -> None:
    db = url(engine)
    assert linkage("import", str(FIXTURE), "--db", db).returncode == 0
    short = linkage("graph", "61", "--out", str(tmp_path / "g.html"), "--as-of", "2023-06-29", "--db", db)
    assert short.returncode == 1 and "Phường Hàng Bạc" in short.stderr  # 00061 too: type 061
    done = linkage("graph", "061", "--out", str(tmp_path / "g.html"), "--as-of", "2023-06-29", "--db", db)
    assert done.returncode == 0, done.stderr
    assert "Huyện Ba Bể" in done.stdout and "nodes" in done.stdout
    page = (tmp_path / "g.html").read_text(encoding="utf-8")
    assert "Chuỗi chè Phúc Lộc" in page and "Chuỗi hồi Chợ Rã" in page
    tea = linkage(
        "graph", "061", "--out", str(tmp_path / "tea.html"), "--as-of", "2023-06-29", "--product", "TEA", "--db", db
    )
    assert tea.returncode == 0, tea.stderr
    only_tea = (tmp_path / "tea.html").read_text(encoding="utf-8")
    assert "Chuỗi chè Phúc Lộc" in only_tea and "Chuỗi hồi Chợ Rã" not in only_tea
    bad = linkage("graph", "061", "--out", str(tmp_path / "x.html"), "--technology", "telepathy", "--db", db)
    assert bad.returncode == 2 and "invalid choice" in bad.stderr


def test_user_add_list_disable_and_the_password_never_printed(engine: Engine) -> None:
    db = url(engine)
    assert linkage("import", str(FIXTURE), "--db", db).returncode == 0
    secret = "mật-khẩu-rất-dài"
    added = subprocess.run(
        [
            sys.executable,
            "-m",
            "linkage",
            "user",
            "add",
            "Lan",
            "--role",
            "officer",
            "--unit",
            "058",
            "--map",
            "2025-01",
            "--password-stdin",
            "--db",
            db,
        ],
        input=f"{secret}\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert added.returncode == 0, added.stderr
    assert (
        "Added officer account lan (scope Thành Phố Bắc Kạn, Tỉnh Bắc Kạn (058, 2025-01))" in added.stdout
        and secret not in added.stdout + added.stderr
    )
    with engine.connect() as conn:  # the product's cost, whatever the tests' own processes hash at (conftest.py)
        stored = conn.execute(sa.text("SELECT password_hash FROM user_account WHERE username = 'lan'")).scalar_one()
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$"), stored
    wrong = linkage(
        "user", "add", "minh", "--role", "officer", "--unit", "VN", "--password-stdin", "--db", db, stdin=f"{secret}\n"
    )
    assert wrong.returncode == 1 and "district of map 2025-01" in wrong.stderr and "Traceback" not in wrong.stderr
    named = "Thành Phố Bắc Kạn, Tỉnh Bắc Kạn (058, 2025-01)"
    assert linkage("user", "list", "--db", db).stdout.splitlines() == [f"lan\tofficer\t058\t2025-01\tactive\t{named}"]
    assert linkage("user", "disable", "lan", "--db", db).returncode == 0
    assert linkage("user", "list", "--db", db).stdout.splitlines() == [f"lan\tofficer\t058\t2025-01\tdisabled\t{named}"]


def test_user_add_reads_the_unit_on_todays_map_unless_told_and_names_the_map_it_refuses(engine: Engine) -> None:
    from linkage.geo.maps import map_data

    db = url(engine)
    new = map_data("2025-07")
    commune = next(c for c in new.communes if c not in map_data("2025-01").communes)  # a code only 2025-07 has
    district = next(d for d in map_data("2025-01").districts if d.zfill(5) not in new.communes)

    def add(name: str, *options: str):  # type: ignore[no-untyped-def]
        return linkage("user", "add", name, "--role", "officer", *options, "--db", db, stdin="mật-khẩu-dài\n")

    done = add("xa", "--unit", commune)
    place = new.communes[commune]
    commune_named = f"{place.name}, {new.provinces[place.province].name} ({commune}, 2025-07)"
    assert done.returncode == 0 and f"scope {commune_named}" in done.stdout
    refused = add("huyen", "--unit", district)
    assert refused.returncode == 1 and len(refused.stderr.strip().splitlines()) == 1
    assert "map 2025-07" in refused.stderr and "--map 2025-01" in refused.stderr
    assert add("huyen", "--unit", district, "--map", "2025-01").returncode == 0
    old = map_data("2025-01").districts[district]
    district_named = f"{old.name}, {map_data('2025-01').provinces[old.province].name} ({district}, 2025-01)"
    assert linkage("user", "list", "--db", db).stdout.splitlines() == [
        f"huyen\tofficer\t{district}\t2025-01\tactive\t{district_named}",
        f"xa\tofficer\t{commune}\t2025-07\tactive\t{commune_named}",
    ]
    history = linkage("history", "account", "xa", "--db", db).stdout
    assert f"scope: — → {commune} (2025-07)" in history
    missing = linkage("user", "disable", "nobody", "--db", db)
    assert missing.returncode == 1 and "no user" in missing.stderr


def test_user_passwd_reads_stdin_prints_no_password_and_the_old_one_stops_working(engine: Engine) -> None:
    from linkage.accounts.users import SYSTEM, add_user, authenticate
    from linkage.errors import LoginRefused

    db = url(engine)
    assert linkage("import", str(FIXTURE), "--db", db).returncode == 0
    add_user(engine, SYSTEM, "lan", "mật-khẩu-cũ-dài", "officer", "058")
    secret = "mật-khẩu-mới-dài"
    done = linkage("user", "passwd", "Lan", "--db", db, stdin=f"{secret}\n")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "New password set for Lan.\n" and secret not in done.stdout + done.stderr
    assert authenticate(engine, "lan", secret).username == "lan"
    with pytest.raises(LoginRefused):
        authenticate(engine, "lan", "mật-khẩu-cũ-dài")
    short = linkage("user", "passwd", "lan", "--db", db, stdin="ngắn\n")
    assert short.returncode == 1 and "at least 12 characters" in short.stderr and "ngắn" not in short.stderr
    missing = linkage("user", "passwd", "nobody", "--db", db, stdin=f"{secret}\n")
    assert missing.returncode == 1 and "no user" in missing.stderr
    history = linkage("history", "account", "lan", "--db", db)
    assert history.returncode == 0 and history.stdout.splitlines()[-1].endswith("\tpassword: — → changed")
    assert secret not in history.stdout and "argon2" not in history.stdout


def test_user_enable_lets_a_disabled_account_sign_in_again(engine: Engine) -> None:
    from linkage.accounts.users import SYSTEM, add_user, authenticate

    db = url(engine)
    assert linkage("import", str(FIXTURE), "--db", db).returncode == 0
    add_user(engine, SYSTEM, "lan", "mật-khẩu-dài", "officer", "058")
    assert linkage("user", "disable", "lan", "--db", db).returncode == 0
    enabled = linkage("user", "enable", "lan", "--db", db)
    assert enabled.returncode == 0 and enabled.stdout == "Enabled lan; the account can sign in again.\n"
    assert linkage("user", "list", "--db", db).stdout.splitlines() == [
        "lan\tofficer\t058\t2025-01\tactive\tThành Phố Bắc Kạn, Tỉnh Bắc Kạn (058, 2025-01)"
    ]
    assert authenticate(engine, "lan", "mật-khẩu-dài").username == "lan"


def test_history_of_a_record_and_of_a_record_without_any(engine: Engine, tmp_path: Path) -> None:
    db = url(engine)
    assert linkage("import", str(FIXTURE), "--db", db).returncode == 0
    (tmp_path / "cooperatives.csv").write_text("code,name,commune_code,members\nC1,HTX Dương Quang,01849,25\n")
    assert linkage("import", str(tmp_path / "cooperatives.csv"), "--db", db).returncode == 0
    lines = linkage("history", "cooperative", "C1", "--db", db).stdout.splitlines()
    assert [line.split("\t")[1:3] for line in lines] == [["system", "create"], ["system", "update"]]
    assert lines[1].endswith("members: 20 → 25")
    party = linkage("history", "linkage_party", "L1|cooperative|C1", "--db", db)
    assert party.returncode == 0 and "\tcreate\t" in party.stdout
    none = linkage("history", "cooperative", "C404", "--db", db)
    assert none.returncode == 1 and "no Cooperative record C404" in none.stderr


def test_coverage_on_verified_data_leaves_out_what_a_cooperative_reported(engine: Engine) -> None:
    from linkage.accounts.users import Actor
    from linkage.records import forms

    db = url(engine)
    assert linkage("import", str(FIXTURE), "--db", db).returncode == 0
    coop = Actor("htx_c1", "cooperative", cooperative_code="C1")
    c1 = forms.read(engine, coop, "cooperatives", "C1")
    forms.save(engine, coop, "cooperatives", {**c1.values, "dissolved_on": "2021-06-01"}, c1)

    def communes_058(*extra: str) -> tuple[int, int]:
        out = linkage(
            "coverage",
            "--level",
            "district",
            "--as-of",
            "2025-12-31",
            "--map",
            "2025-01",
            "--format",
            "json",
            *extra,
            "--db",
            db,
        )
        row = next(
            r for r in json.loads(out.stdout) if r["unit_code"] == "058" and r["indicator"].startswith("communes")
        )
        return row["numerator"], row["denominator"]

    assert communes_058() == (0, 2)  # as reported: C1 dissolved
    assert communes_058("--verified-only") == (1, 2)  # as last verified


def test_the_demo_prints_its_accounts_with_a_warning(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'demo.db'}"
    assert linkage("init", "--db", db).returncode == 0
    done = linkage("demo", "--db", db)
    assert done.returncode == 0
    assert "for trying the system only" in done.stdout
    for name in ("admin.demo", "planner.demo", "officer.demo", "htx.demo"):
        assert name in done.stdout


def test_a_command_leaves_its_sqlite_file_whole(tmp_path: Path) -> None:
    # A user copies the .db file alone: the write-ahead log must be folded back into it at exit.
    import shutil
    import sqlite3

    db = tmp_path / "office.db"
    assert linkage("init", "--db", f"sqlite:///{db}").returncode == 0
    done = linkage("import", str(FIXTURE), "--db", f"sqlite:///{db}")
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / "office.db-wal").exists()
    assert linkage("coverage", "--db", f"sqlite:///{db}").returncode == 0  # the driver's own read, too
    assert not (tmp_path / "office.db-wal").exists()
    shutil.copy(db, tmp_path / "copy.db")
    with sqlite3.connect(tmp_path / "copy.db") as copy:
        (count,) = copy.execute("SELECT count(*) FROM cooperative").fetchone()
    assert count == sum(1 for _ in (FIXTURE / "cooperatives.csv").open(encoding="utf-8")) - 1
