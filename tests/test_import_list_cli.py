"""`linkage import-list` as a program drives it: exit status, one plain line per refusal naming file,
row and column, nothing written, the report (docs/command-line.md), on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from tests.office_lists import DAK_LAK, THANH_HOA, OfficeList

from .helpers import linkage, url


def saved(listed: OfficeList, folder: Path) -> Path:
    path = folder / listed.name
    path.write_bytes(listed.data())
    return path


def report(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def exported(db: str, folder: Path) -> str:
    assert linkage("export", str(folder), "--db", db).returncode == 0
    return (folder / "cooperatives.csv").read_text(encoding="utf-8-sig")


def test_a_list_is_written_and_reported(engine: Engine, tmp_path: Path) -> None:
    db = url(engine)
    out = tmp_path / "report.csv"
    done = linkage(
        "import-list", str(saved(DAK_LAK, tmp_path)), "--as", "cooperatives", "--report", str(out), "--db", db
    )
    assert done.returncode == 0, done.stderr
    assert "header on row 4" in done.stdout and "ignored: STT, Ghi chú" in done.stdout
    assert [(r["row"], r["status"], r["commune_code"]) for r in report(out)] == [
        ("5", "new", "24207"), ("6", "new", "24190"), ("7", "new", "24172"),
        ("8", "new", "24169"), ("9", "new", "24328"), ("10", "new", "24427"),
    ]  # fmt: skip
    history = linkage("history", "cooperative", "6000123456", "--db", db)
    assert DAK_LAK.name in history.stdout


def test_ambiguous_and_unresolved_rows_refuse_the_list_and_a_pick_settles_one(engine: Engine, tmp_path: Path) -> None:
    db = url(engine)
    path = saved(THANH_HOA, tmp_path)
    before = exported(db, tmp_path / "before")
    out = tmp_path / "report.csv"
    refused = linkage(
        "import-list", str(path), "--as", "cooperatives", "--map", "2025-01", "--report", str(out), "--db", db
    )
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    lines = [line for line in refused.stderr.splitlines() if line.startswith(THANH_HOA.name)]
    assert [line.split(":")[0] for line in lines] == [
        f"{THANH_HOA.name}, row 3, column Xã",
        f"{THANH_HOA.name}, row 5, column Xã",
        f"{THANH_HOA.name}, row 6, column Tỉnh",  # Xã Ea Tir is in Đắk Lắk, not in Thanh Hóa
        f"{THANH_HOA.name}, row 7, column Xã",
    ]
    assert "14770 Phường Phú Sơn (Thành phố Thanh Hóa); 14823 Phường Phú Sơn (Thị xã Bỉm Sơn)" in lines[0]
    assert {r["row"]: r["status"] for r in report(out) if r["status"] not in ("new",)} == {
        "3": "ambiguous", "5": "ambiguous", "6": "unresolved", "7": "unresolved",
    }  # fmt: skip
    assert exported(db, tmp_path / "after") == before


def refusal(tmp_path: Path, db: str, name: str, rows: list[list[object]], *options: str) -> str:
    listed = OfficeList(name, "cooperatives", [str(c) for c in rows[0]], rows[1:], [])
    done = linkage("import-list", str(saved(listed, tmp_path)), *options, "--db", db)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    return done.stderr.strip()


@pytest.mark.parametrize(
    ("rows", "options", "expected"),
    [
        (
            [["DANH SÁCH"], ["Ghi chú"], ["a", "b"]],
            (),
            "no_header.csv: no header found: rows 1–3 were looked at",
        ),
        (
            [["STT", "Tên HTX", "Địa chỉ"], [1, "HTX A", "Xã Ea Tir, Huyện Ea H'leo"]],
            ("--column", "name=Địa chỉ"),
            'two_fields.csv, row 1, column Địa chỉ: column "Địa chỉ" is claimed by two fields (address, name)',
        ),
        (
            [["STT", "Địa chỉ", "Ngày thành lập"], [1, "Xã Ea Tir, Huyện Ea H'leo", "2019"]],
            (),
            "no_name.csv, row 1: no column gives name",
        ),
        (
            [["STT", "Tên HTX", "Địa chỉ", "Ngày thành lập"], [1, "HTX A", "Xã Ea Tir, Huyện Ea H'leo", "32/13/2019"]],
            (),
            'bad_date.csv, row 2, column Ngày thành lập: "32/13/2019"',
        ),
        (
            [
                ["STT", "Họ và tên", "Địa chỉ", "Thành viên HTX"],
                [1, "Nguyễn Văn A", "Xã Ea Tir, Huyện Ea H'leo", "HTX A"],
            ],
            (),
            "producers.csv, row 1, column Họ và tên: this looks like a list of Producer, not of Cooperative"
            " (columns Họ và tên, Thành viên HTX); read it with --as producers",
        ),
    ],
    ids=["no_header", "two_fields", "no_name", "bad_date", "wrong_kind"],
)
def test_a_list_that_cannot_be_read_is_refused_in_one_line(
    engine: Engine, tmp_path: Path, rows: list[list[object]], options: tuple[str, ...], expected: str
) -> None:
    db = url(engine)
    name = expected.split(",")[0].split(":")[0]
    message = refusal(tmp_path, db, name, rows, "--as", "cooperatives", *options)
    assert expected in message, message
    assert exported(db, tmp_path / "after").count("\n") == 1  # the header alone: nothing written


def test_possible_duplicates_are_printed_reported_and_nothing_is_written_until_decided(
    engine: Engine, tmp_path: Path
) -> None:
    from tests.office_lists import DUPLICATES, without_rows

    db = url(engine)
    assert linkage("import-list", str(saved(DAK_LAK, tmp_path)), "--as", "cooperatives", "--db", db).returncode == 0
    before = exported(db, tmp_path / "before")
    path, out = saved(without_rows(DUPLICATES, {6}), tmp_path), tmp_path / "report.csv"
    args = ("import-list", str(path), "--as", "cooperatives", "--report", str(out), "--db", db)
    refused = linkage(*args)
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    lines = [line for line in refused.stderr.splitlines() if line.startswith(path.name)]
    assert [line.split(":")[0] for line in lines] == [f"{path.name}, row 3", f"{path.name}, row 4"]
    assert "HTX Nông nghiệp Ea Tir" in lines[0] and 'code 6000123456 is stored as "HTX Ea Ral"' in lines[1]
    assert [(r["row"], r["status"]) for r in report(out)] == [
        ("2", "same"), ("3", "duplicate"), ("4", "duplicate"), ("5", "new")
    ]  # fmt: skip
    assert "6000123456" in report(out)[2]["message"]
    assert exported(db, tmp_path / "refused") == before
    # `--new` cannot make a second record of a registration number: still refused, said why
    again = linkage(*args, "--new", "3", "--new", "4")
    assert again.returncode == 1 and "a registration number names one record" in again.stderr
    assert [r["status"] for r in report(out)] == ["same", "new", "duplicate", "new"]
    assert exported(db, tmp_path / "again") == before
    done = linkage(*args, "--new", "3", "--same", "4=6000123456")
    assert done.returncode == 0, done.stderr
    assert [r["status"] for r in report(out)] == ["same", "new", "same", "new"]
    assert 'its stored name "HTX Ea Ral" is kept' in report(out)[2]["message"]
    after = exported(db, tmp_path / "after")
    assert "HTX Sông Hinh" not in after and after.count("HTX Ea Ral") == 1 and "HTX Nông nghiệp Ea Tlr" in after


def test_a_row_left_out_is_not_written(engine: Engine, tmp_path: Path) -> None:
    from tests.office_lists import DUPLICATES

    db = url(engine)
    assert linkage("import-list", str(saved(DAK_LAK, tmp_path)), "--as", "cooperatives", "--db", db).returncode == 0
    out = tmp_path / "report.csv"
    done = linkage("import-list", str(saved(DUPLICATES, tmp_path)), "--as", "cooperatives", "--report", str(out),
                   "--leave-out", "3", "--leave-out", "4", "--leave-out", "6", "--db", db)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert [r["status"] for r in report(out)] == ["same", "left_out", "left_out", "new", "left_out"]
    after = exported(db, tmp_path / "after")
    assert "HTX Mới" in after and "Ea Tlr" not in after and "Sông Hinh" not in after
