"""`linkage unplaced` and `linkage graph --map` (docs/indicators.md, "On which map"; docs/command-line.md),
on the two-map fixture.

Crosswalk facts used (see test_coverage_maps): new 01864 took in all of old district 060 (placed there on
2025-01); new 01849 took in old 01849 (district 058) and 01984 (district 063), both in old province 06;
old 05932 was split between new 05908 and 05941 (placed in new province 19); old 01957 went whole to 01957.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from linkage.geo.maps import NEW_MAP, OLD_MAP
from linkage.records.importing import import_path
from linkage.records.unplaced import UnknownUnit, resolve, unplaced, unplaced_csv

from .helpers import linkage, url

FIXTURE = Path(__file__).parent / "fixtures" / "two_maps"


@pytest.fixture
def two_maps(engine: Engine) -> Engine:
    import_path(engine, FIXTURE)
    return engine


def listed(engine: Engine, on: str, unit: str | None = None) -> dict[str, tuple[str, str, set[str]]]:
    found = unplaced(engine, on, resolve(unit, on) if unit else None)
    return {r.code: (r.file, f"{r.placed.level} {r.placed.code}", {c.code for c in r.candidates}) for r in found}


def test_on_the_old_map_the_records_given_only_on_the_new_map_in_a_merged_commune_are_listed(
    two_maps: Engine,
) -> None:
    assert listed(two_maps, OLD_MAP) == {
        "K2": ("cooperatives", "district 060", {"01858", "01861", "01864", "01870"}),
        "K3": ("cooperatives", "province 06", {"01849", "01984"}),
        "A1": ("raw_material_areas", "province 06", {"01849", "01984"}),
    }


def test_on_the_new_map_the_records_in_a_split_commune_are_listed_and_a_whole_one_is_not(two_maps: Engine) -> None:
    assert listed(two_maps, NEW_MAP) == {
        "K5": ("cooperatives", "province 19", {"05908", "05941"}),
        "A2": ("raw_material_areas", "province 19", {"05908", "05941"}),
        "A3": ("raw_material_areas", "province 19", {"05908", "05941"}),
    }


def test_a_unit_keeps_the_records_placed_in_it_or_with_a_candidate_commune_in_it(two_maps: Engine) -> None:
    assert set(listed(two_maps, OLD_MAP, "060")) == {"K2"}
    assert set(listed(two_maps, OLD_MAP, "63")) == {"K3", "A1"}  # candidate 01984 lies in district 063
    assert set(listed(two_maps, OLD_MAP, "06")) == {"K2", "K3", "A1"}
    assert listed(two_maps, OLD_MAP, "19") == {}


def test_filling_the_missing_column_settles_the_record(two_maps: Engine, tmp_path: Path) -> None:
    settled = tmp_path / "cooperatives.csv"
    settled.write_text(
        "code,name,commune_code,commune_code_2025_07,established_on,dissolved_on,members\n"
        "K3,HTX Phong Quang (chỉ bản đồ mới),01984,01849,2020-01-01,,12\n",
        encoding="utf-8",
    )
    import_path(two_maps, settled)
    assert set(listed(two_maps, OLD_MAP)) == {"K2", "A1"}


def test_a_unit_not_on_the_map_is_refused_naming_the_map() -> None:
    with pytest.raises(UnknownUnit, match="2025-07"):
        resolve("060", NEW_MAP, ("province", "district", "commune"))
    assert resolve("06", OLD_MAP).code == "06" and resolve("01864", NEW_MAP).code == "01864"
    with pytest.raises(UnknownUnit, match="Quận Đống Đa"):  # 6 is also district 006 of 2025-01
        resolve("6", OLD_MAP)


def test_the_csv_names_the_missing_column_and_shields_formulas(two_maps: Engine, tmp_path: Path) -> None:
    hostile = tmp_path / "cooperatives.csv"
    hostile.write_text(
        "code,name,commune_code,commune_code_2025_07,established_on,dissolved_on,members\n"
        'K9,"=HYPERLINK(""x"")",,01849,2020-01-01,,1\n',
        encoding="utf-8",
    )
    import_path(two_maps, hostile)
    rows = list(csv.DictReader(unplaced_csv(unplaced(two_maps, OLD_MAP), OLD_MAP).splitlines()))
    k9 = next(r for r in rows if r["code"] == "K9")
    assert k9["name"] == '\'=HYPERLINK("x")' and k9["missing_column"] == "commune_code"
    assert k9["candidates"].startswith("01849 ")


def test_the_commands_write_the_list_and_graphs_of_new_units(two_maps: Engine, tmp_path: Path) -> None:
    db = url(two_maps)
    out = tmp_path / "unplaced.csv"
    done = linkage("unplaced", "--map", NEW_MAP, "--out", str(out), "--db", db)
    assert done.returncode == 0, done.stderr
    assert [r["code"] for r in csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines())] == ["K5", "A2", "A3"]

    page = tmp_path / "g.html"
    short = linkage("graph", "1864", "--map", NEW_MAP, "--out", str(page), "--as-of", "2025-12-31", "--db", db)
    assert short.returncode == 1 and not page.exists()  # 01864 is another commune on 2025-01: both named
    assert "Xã Bằng Thành, Tỉnh Thái Nguyên (01864, 2025-07)" in short.stderr
    assert "Xã Bộc Bố, Huyện Pác Nặm, Tỉnh Bắc Kạn (01864, 2025-01)" in short.stderr
    done = linkage("graph", "01864", "--map", NEW_MAP, "--out", str(page), "--as-of", "2025-12-31", "--db", db)
    assert done.returncode == 0, done.stderr
    html = page.read_text(encoding="utf-8")
    assert "Chuỗi quế Bằng Thành" in html and "HTX Nhạn Môn" in html  # K2 (new map only) and K4 (both)
    assert "Chuỗi ngô Thượng Quan" not in html

    refused = linkage("graph", "060", "--map", NEW_MAP, "--out", str(page), "--db", db)
    assert refused.returncode == 1 and "map 2025-07" in refused.stderr and "Traceback" not in refused.stderr
    refused = linkage("unplaced", "--map", OLD_MAP, "--unit", "99999", "--db", db)
    assert refused.returncode == 1 and "map 2025-01" in refused.stderr


def test_a_short_code_naming_several_units_is_refused_by_every_command(two_maps: Engine, tmp_path: Path) -> None:
    """643 is Thành phố Buôn Ma Thuột on 2025-01 and, padded, Phường Thanh Liệt (Hà Nội) on 2025-07: no
    command guesses which; each names both, writes nothing and says how to type it."""
    db = url(two_maps)
    ward, city = (
        "Phường Thanh Liệt, Thành phố Hà Nội (00643, 2025-07)",
        "Thành phố Buôn Ma Thuột, Tỉnh Đắk Lắk (643, 2025-01)",
    )
    page = tmp_path / "g.html"
    for args in (
        ("graph", "643", "--map", NEW_MAP, "--out", str(page)),
        ("unplaced", "--map", NEW_MAP, "--unit", "643"),
        ("user", "add", "canbo", "--role", "officer", "--unit", "643"),  # today's map by default
        ("report", "643", "--map", NEW_MAP, "--out", str(tmp_path / "r.docx")),
    ):
        refused = linkage(*args, "--db", db, stdin="mật-khẩu-dài\n")
        assert refused.returncode == 1, args
        assert ward in refused.stderr and city in refused.stderr and "Traceback" not in refused.stderr
        assert len(refused.stderr.strip().splitlines()) == 1
    assert not page.exists()
    assert linkage("user", "list", "--db", db).stdout.strip() == ""  # no account was made
    vietnamese = linkage("graph", "643", "--map", NEW_MAP, "--out", str(page), "--db", db, env={"LINKAGE_LANG": "vi"})
    assert 'Mã "643" được gõ thiếu các số 0' in vietnamese.stderr
    done = linkage("unplaced", "--map", NEW_MAP, "--unit", "00643", "--db", db)
    assert done.returncode == 0 and f"Unit: {ward}" in done.stderr  # typed in full: the ward, named
    added = linkage(
        "user",
        "add",
        "canbo",
        "--role",
        "officer",
        "--unit",
        "643",
        "--map",
        OLD_MAP,
        "--db",
        db,
        stdin="mật-khẩu-dài\n",
    )
    assert added.returncode == 0 and f"(scope {city})" in added.stdout


# The list is the officer's settlement form (docs/command-line.md): filled in a spreadsheet and imported back.


def _filled(path: Path, answers: dict[str, str], column: str, edit: dict[str, str] | None = None) -> None:
    """The list at `path` with `column` filled for the records in `answers`, saved as a spreadsheet
    program saves CSV (UTF-8 with its mark); other cells edited by `edit` (code → new name)."""
    rows = list(csv.DictReader(path.read_text(encoding="utf-8-sig").splitlines()))
    for row in rows:
        row[column] = answers.get(row["code"], row[column])
        if edit and row["code"] in edit:
            row["name"] = edit[row["code"]]
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def _commune_row(db: str, indicator: str, unit: str) -> dict[str, object]:
    import json

    done = linkage("coverage", "--map", NEW_MAP, "--as-of", "2025-12-31", "--format", "json", "--db", db)
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    return next(r for r in rows if r["indicator"] == indicator and r["unit_code"] == unit)


def test_the_filled_list_imports_back_and_settles_its_records(two_maps: Engine, tmp_path: Path) -> None:
    db = url(two_maps)
    out = tmp_path / "unplaced.csv"
    assert linkage("unplaced", "--map", NEW_MAP, "--out", str(out), "--db", db).returncode == 0
    before = _commune_row(db, "raw_material_linkages_with_digital_tech", "05941")
    province = _commune_row(db, "communes_with_cooperative", "19")
    # K5 lies in 05908 and area A2 (of linkage L4, no digital technology) in 05941: both are candidates
    # of old 05932; the officer also retypes K5's name, which the list does not change.
    _filled(out, {"K5": "5908", "A2": "05941"}, "commune_code_2025_07", edit={"K5": '=HYPERLINK("x")'})

    done = linkage("import", str(out), "--db", db)
    assert done.returncode == 0, done.stderr
    assert set(listed(two_maps, NEW_MAP)) == {"A3"}
    after = _commune_row(db, "raw_material_linkages_with_digital_tech", "05941")
    assert (before["denominator"], after["denominator"], after["numerator"]) == (0, 1, 0)
    settled = _commune_row(db, "communes_with_cooperative", "19")
    assert settled["numerator"] == province["numerator"] + 1  # 05908 had no cooperative
    assert settled["unplaced"] == province["unplaced"] - 1

    exported = tmp_path / "export"
    assert linkage("export", str(exported), "--db", db).returncode == 0
    k5 = next(
        r for r in csv.DictReader((exported / "cooperatives.csv").open(encoding="utf-8-sig")) if r["code"] == "K5"
    )
    assert (k5["name"], k5["commune_code"], k5["commune_code_2025_07"]) == (
        "HTX Thượng Đình (xã bị chia)",
        "05932",
        "05908",
    )
    assert (k5["established_on"], k5["members"]) == ("2020-01-01", "14")  # every other column as stored
    assert linkage("import", str(out), "--db", db).returncode == 0  # importing it again changes nothing


def test_a_list_saved_as_a_workbook_with_typed_codes_imports_too(two_maps: Engine, tmp_path: Path) -> None:
    from openpyxl import Workbook

    rows = list(csv.reader(unplaced_csv(unplaced(two_maps, NEW_MAP), NEW_MAP).splitlines()))
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Sheet1"
    for row in rows:
        cells: list[object] = [int(v) if v.isdigit() else v for v in row]  # as a spreadsheet types them
        if row[1] == "A3":
            cells[4] = 5941
        sheet.append(cells)
    path = tmp_path / "danh sach.xlsx"
    book.save(path)
    import_path(two_maps, path)
    assert set(listed(two_maps, NEW_MAP)) == {"K5", "A2"}


@pytest.mark.parametrize(
    ("row", "words"),
    [
        ("cooperatives,K5,x,05932,01849,,,,,", "05932"),  # not a candidate of the old commune: maps disagree
        ("cooperatives,K5,x,05932,=1+1,,,,,", "=1+1"),  # a formula typed in is a value, refused, never run
        ("linkages,L1,x,,05908,,,,,", "linkages"),  # a file whose records have no commune
        ("cooperatives,K99,x,05932,05908,,,,,", "K99"),  # no such record: the list adds nothing
    ],
)
def test_a_wrong_row_refuses_the_whole_list_and_names_its_row(
    two_maps: Engine, tmp_path: Path, row: str, words: str
) -> None:
    path = tmp_path / "unplaced.csv"
    header = unplaced_csv([], NEW_MAP).splitlines()[0]
    good = "raw_material_areas,A3,x,05932,05941,,,,,"
    path.write_text(f"{header}\n{good}\n{row}\n", encoding="utf-8")
    done = linkage("import", str(path), "--db", url(two_maps))
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "unplaced.csv" in done.stderr and "row 3" in done.stderr and words in done.stderr
    assert set(listed(two_maps, NEW_MAP)) == {"K5", "A2", "A3"}  # nothing written, A3 included


def test_the_app_reads_an_uploaded_list_as_updates_of_the_records_it_names(two_maps: Engine) -> None:
    from linkage.exchange import read_uploads

    text = unplaced_csv(unplaced(two_maps, NEW_MAP), NEW_MAP).replace("05932,,commune_code_2025_07", "05932,05908,x", 1)
    tables, problems = read_uploads([("Danh sách cần xác định xã.csv", text.encode("utf-8-sig"))])
    assert problems == []
    by_entity = {t.entity: t for t in tables}
    assert set(by_entity) == {"cooperatives", "raw_material_areas"}
    assert all(t.updates_only and t.header == ["code", "commune_code", "commune_code_2025_07"] for t in tables)
    assert by_entity["cooperatives"].rows == [
        (2, {"code": "K5", "commune_code": "05932", "commune_code_2025_07": "05908"})
    ]


def test_every_commune_of_either_map_given_alone_is_listed_exactly_when_it_has_not_one_counterpart(
    engine: Engine,
) -> None:
    """A buyer in each commune of both maps, given on that map only: on the other map the list holds
    exactly those whose commune has not one counterpart in the crosswalk: it went to several, took in
    several, or is an island district's special zone with no commune of 2025-01 (the query asks only
    for those communes; the crosswalk's own tables decide here, not the placement)."""
    from linkage.geo.maps import crosswalk, map_data
    from linkage.store.db import insert_rows, write_session
    from linkage.store.models import Buyer

    given = {OLD_MAP: "commune_code", NEW_MAP: "commune_code_2025_07"}
    rows = [
        {"code": f"{on[-2:]}-{code}", "name": f"Bên mua {code}", given[on]: code}
        for on in (OLD_MAP, NEW_MAP)
        for code in map_data(on).communes
    ]
    with write_session(engine) as session:
        insert_rows(session, Buyer, rows)
    cw = crosswalk()
    several = {
        NEW_MAP: {f"01-{c}" for c in map_data(OLD_MAP).communes if len(cw.old_to_new.get(c, ())) != 1},
        OLD_MAP: {f"07-{c}" for c in map_data(NEW_MAP).communes if len(cw.new_to_old.get(c, ())) != 1},
    }
    for on in (OLD_MAP, NEW_MAP):
        found = unplaced(engine, on)
        assert {r.code for r in found} == several[on]
        assert all(r.placed.level != "commune" and len(r.candidates) != 1 for r in found)
        assert [r.code for r in found] == sorted(r.code for r in found)  # by code, as the list is read
    # few communes of 2025-01 went to several, most of 2025-07 took in several: the query's list is long on 2025-01
    old_count, new_count = len(map_data(OLD_MAP).communes), len(map_data(NEW_MAP).communes)
    assert len(several[NEW_MAP]) < old_count - len(several[NEW_MAP])
    assert len(several[OLD_MAP]) > new_count - len(several[OLD_MAP])
