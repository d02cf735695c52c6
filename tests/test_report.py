"""The filed report (`linkage report`, linkage/reports): opened again with python-docx, its tables hold
the coverage rows of the unit and of the units below it figure for figure, its layout is the one of
Decree 30/2020/NĐ-CP, typed text stays as typed, and a request it cannot meet leaves no file behind.

The figures expected below were worked out by hand from the fixtures (see tests/test_coverage.py for
`fixtures/bac_kan`, tests/test_coverage_maps.py for `fixtures/two_maps`); the rest are compared with
what `linkage coverage` prints for the same unit, date and map."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from docx.shared import Length
from sqlalchemy.engine import Engine

from linkage.accounts.users import SYSTEM
from linkage.counting.coverage import coverage
from linkage.counting.indicators import COMMUNES, DISTRICTS, RAW_MATERIAL, json_rows
from linkage.geo.maps import NEW_MAP, OLD_MAP, Unit
from linkage.i18n import t
from linkage.records import forms
from linkage.records.importing import import_path
from linkage.reports import document as report_document
from linkage.reports.content import ReportRefused, build, issuing_heading, issuing_office, read_unit
from linkage.reports.document import render, save

from .helpers import COOP_C1, OFFICER_058, linkage, url
from .report_reading import Read, check_against, figures, needed_by_hand, read

FIXTURES = Path(__file__).parent / "fixtures"
END = date(2025, 12, 31)
TODAY = date(2026, 12, 6)


def children_order(found: Read, lang: str, indicator: str) -> list[str]:
    label = t(f"indicator.{indicator}", lang)
    for before, table in found.tables:
        if before == label and t("report.col.numerator", lang) in table[0]:
            return [row[1] for row in table[1:]]
    return []


# --- fixtures -------------------------------------------------------------------------------------


def report(engine: Engine, map_name: str, code: str, day: date = END, lang: str = "vi", **options: Any) -> Read:
    unit = read_unit(code, map_name)
    made = build(
        engine, unit, day, office=options.pop("office", "Sở Nông nghiệp và Môi trường"), today=TODAY, **options
    )
    return read(render(made, lang))


@pytest.fixture
def two_maps(engine: Engine) -> Engine:
    import_path(engine, FIXTURES / "two_maps")
    return engine


# --- the figures ------------------------------------------------------------------------------------


def test_a_province_report_carries_the_hand_computed_figures_and_every_coverage_row(bac_kan: Engine) -> None:
    found = report(bac_kan, OLD_MAP, "06", END, "vi", actor=SYSTEM)
    shown = figures(found, "vi")
    # By hand (tests/test_coverage.py): C1, C4, C6/C7, C8 give 4 rural communes of Bắc Kạn's 95 on
    # 31/12/2025; L1 (rice) in 058 and L5 (tea) in 060/061 give 2 of its 8 in-scope districts.
    assert shown[(COMMUNES, "self", "reported")] | {"name": None} == {
        "numerator": 4,
        "denominator": 95,
        "ratio": 0.042,
        "target": 0.7,
        "met": False,
        "needed": 63,  # 67 of 95 reach 70 %
        "unplaced": 0,
        "name": None,
    }
    assert (
        shown[(DISTRICTS, "self", "reported")]["numerator"],
        shown[(DISTRICTS, "self", "reported")]["denominator"],
    ) == (2, 8)
    assert (
        shown[(COMMUNES, "058", "reported")]["numerator"] == 1
        and shown[(COMMUNES, "058", "reported")]["denominator"] == 2
    )
    assert (
        shown[(COMMUNES, "061", "reported")]["numerator"] == 2
        and shown[(COMMUNES, "061", "reported")]["denominator"] == 14
    )
    rows = json_rows(coverage(bac_kan, END, map_name=OLD_MAP))
    districts = {"058", "060", "061", "062", "063", "064", "065", "066"}  # Bắc Kạn's eight, all with rural communes
    # three rows of the province, and the first and third indicators for each district
    assert check_against(found, "vi", rows, Unit(OLD_MAP, "province", "06"), districts) == 3 + 8 * 2


def test_the_units_below_come_furthest_from_the_target_first(bac_kan: Engine) -> None:
    found = report(bac_kan, OLD_MAP, "06", END, "en", actor=SYSTEM)
    rows = [r for r in json_rows(coverage(bac_kan, END, map_name=OLD_MAP)) if r["level"] == "district"]
    for indicator in (COMMUNES, RAW_MATERIAL):
        mine = [
            r for r in rows if r["indicator"] == indicator and r["unit_code"] in children_order(found, "en", indicator)
        ]
        by_gap = sorted(
            mine,
            key=lambda r: (
                r["denominator"] == 0,
                -needed_by_hand(indicator, r["numerator"], r["denominator"]),
                Fraction(r["numerator"], r["denominator"] or 1),
                r["unit_code"],
            ),
        )
        assert children_order(found, "en", indicator) == [r["unit_code"] for r in by_gap]
    # 062 (no rural commune has a cooperative, 8 of them) needs 6, as does 060 (1 of 10): the lower ratio first.
    order = children_order(found, "en", COMMUNES)
    assert order.index("062") < order.index("060")
    assert children_order(found, "en", RAW_MATERIAL)[3:] == ["062", "063", "064", "065", "066"]  # no data: last


def test_the_national_report_equals_the_coverage_rows_of_the_country_and_its_provinces(bac_kan: Engine) -> None:
    found = report(bac_kan, NEW_MAP, "VN", END, "en", actor=SYSTEM)
    rows = json_rows(coverage(bac_kan, END, map_name=NEW_MAP))
    provinces = {r["unit_code"] for r in rows if r["level"] == "province"}
    compared = check_against(found, "en", rows, Unit(NEW_MAP, "national", "VN"), provinces)
    assert compared == 2 + 2 * len(provinces)  # two indicators on 2025-07, for the country and each province


def test_changes_waiting_for_an_officer_show_the_verified_figures_beside_the_reported(bac_kan: Engine) -> None:
    original = forms.read(bac_kan, COOP_C1, "cooperatives", "C1")  # as tests/test_verification.py
    forms.save(bac_kan, COOP_C1, "cooperatives", {**original.values, "dissolved_on": "01/06/2021"}, original)
    found = report(bac_kan, OLD_MAP, "06", END, "vi", actor=SYSTEM)
    shown = figures(found, "vi")
    # C1 dissolved as reported: Xã Dương Quang (058) loses its cooperative; as verified it still has it.
    assert (shown[(COMMUNES, "self", "reported")]["numerator"], shown[(COMMUNES, "self", "verified")]["numerator"]) == (
        3,
        4,
    )
    assert (shown[(COMMUNES, "058", "reported")]["numerator"], shown[(COMMUNES, "058", "verified")]["numerator"]) == (
        0,
        1,
    )
    assert "1 thay đổi đang chờ cán bộ xác minh" in found.text
    only = figures(report(bac_kan, OLD_MAP, "06", END, "vi", actor=SYSTEM, verified_only=True), "vi")
    assert only[(COMMUNES, "self", "reported")]["numerator"] == 4  # as verified, and no second column
    assert not [k for k in only if k[2] == "verified"]


def test_records_above_the_commune_are_listed_with_what_settling_them_could_change(two_maps: Engine) -> None:
    found = report(two_maps, NEW_MAP, "19", END, "en", actor=SYSTEM)
    rural = figures(found, "en")[(COMMUNES, "self", "reported")]["denominator"]
    # By hand (tests/test_coverage_maps.py): K1, K2+K4, K3 give 3 communes; K5, in split Xã Thượng Đình,
    # is placed in the province: settled, it could add at most its commune, 4.
    assert f"rise from 3 to at most 4/{rural}" in found.text
    assert "1 linkages not yet placed in a commune or district" in found.text  # L5, area only in province 19
    (listed,) = [rows for before, rows in found.tables if before.startswith("Records given by a commune")]
    # K5 and the two raw material areas of split 05932 Xã Thượng Đình, each with the two new communes.
    assert [row[1:3] for row in listed[1:]] == [
        ["Cooperative K5", "HTX Thượng Đình (xã bị chia)"],
        ["Raw material area A2", "Vùng ngô Thượng Đình"],
        ["Raw material area A3", "Vùng ngô Thượng Đình 2"],
    ]
    assert {row[4] for row in listed[1:]} == {"05908 Xã Phú Bình; 05941 Xã Điềm Thụy"}
    assert {row[3] for row in listed[1:]} == {"Tỉnh Thái Nguyên"}


def test_a_commune_without_a_cooperative_and_a_linkage_without_technology_are_named(bac_kan: Engine) -> None:
    found = report(bac_kan, OLD_MAP, "06", END, "vi", actor=SYSTEM)
    # Rural communes with producers or linkages and no active cooperative (tests/test_coverage.py).
    (communes,) = [rows for before, rows in found.tables if before.startswith("Các xã nông thôn đã có")]
    assert [row[1] for row in communes[1:]] == ["01852", "01861", "01900"]
    assert "cần thêm 63 xã nông thôn có hợp tác xã để đạt 70 % (hiện 4/95)" in found.text


def test_a_unit_with_no_rural_commune_says_so_and_gives_its_own_counts(bac_kan: Engine) -> None:
    found = report(bac_kan, NEW_MAP, "00097", END, "vi", actor=SYSTEM)  # Phường Hồng Hà, Hà Nội
    assert not figures(found, "vi")
    said = found.text
    assert "Phường Hồng Hà không có xã nông thôn nào" in said
    # L7 (Phúc Xá's vegetables): one active linkage with a raw material area, no technology.
    assert "đơn vị có 1 liên kết đang hoạt động, trong đó 1 liên kết có vùng nguyên liệu (0 liên kết" in said


# --- the state's format -----------------------------------------------------------------------------


def mm(length: Length | None) -> float:
    assert length is not None
    return round(length.mm, 1)


def test_the_layout_is_the_decrees(bac_kan: Engine) -> None:
    found = report(
        bac_kan, OLD_MAP, "06", END, "vi", actor=SYSTEM, office="Sở Nông nghiệp và Môi trường tỉnh Thái Nguyên"
    )
    section = found.document.sections[0]
    assert (mm(section.page_width), mm(section.page_height)) == (210.0, 297.0)  # A4, portrait
    assert (mm(section.top_margin), mm(section.bottom_margin)) == (20.0, 20.0)  # 20–25 mm
    assert (mm(section.left_margin), mm(section.right_margin)) == (30.0, 15.0)  # 30–35 mm, 15–20 mm
    normal = found.document.styles["Normal"].font
    assert normal.name == "Times New Roman" and normal.size is not None and normal.size.pt == 14
    defaults = found.document.styles.element.xpath("w:docDefaults//w:rFonts")[0]
    assert {defaults.get(f"{{{defaults.nsmap['w']}}}{slot}") for slot in ("ascii", "hAnsi", "eastAsia", "cs")} == {
        "Times New Roman"
    }
    runs = [run for p in found.document.paragraphs for run in p.runs] + [
        run
        for table in found.document.tables
        for row in table.rows
        for cell in row.cells
        for p in cell.paragraphs
        for run in p.runs
    ]
    assert {run.font.name for run in runs} == {"Times New Roman"}
    body = [run.font.size.pt for p in found.document.paragraphs for run in p.runs if run.font.size]
    assert set(body) <= {13, 14}  # the text outside tables: 13–14 pt
    (heading, *_rest) = found.tables
    office, title = heading[1][0]
    assert office.splitlines()[0] == "SỞ NÔNG NGHIỆP VÀ MÔI TRƯỜNG TỈNH THÁI NGUYÊN"
    assert re.search(r"^Số: \S*/BC-\S*$", office, re.M)
    lines = [line for line in title.splitlines() if line]
    assert lines[:2] == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
    assert lines[2] == "Bắc Kạn, ngày 06 tháng 12 năm 2026"
    assert found.paragraphs[:2] == [
        "BÁO CÁO",
        "Kết quả thực hiện các chỉ tiêu kinh tế số trong xây dựng nông thôn mới (Quyết định số 924/QĐ-TTg) của "
        "Tỉnh Bắc Kạn tính đến ngày 31/12/2025 (bản đồ hành chính 2025-01)",
    ]
    assert section.different_first_page_header_footer  # page numbers from the second page on
    assert "PAGE" in section.header._element.xml
    assert len(found.document.inline_shapes) == 1  # the trend chart, a picture


def test_the_english_report_has_english_words_and_the_same_figures(bac_kan: Engine) -> None:
    found = report(bac_kan, OLD_MAP, "06", END, "en", actor=SYSTEM)
    assert "SOCIALIST REPUBLIC OF VIET NAM" in found.text and "Independence - Freedom - Happiness" in found.text
    assert "Bắc Kạn, 6 December 2026" in found.text
    shown = figures(found, "en")[(COMMUNES, "self", "reported")]
    assert (shown["numerator"], shown["denominator"], shown["ratio"]) == (4, 95, 0.042)


def test_text_a_user_typed_appears_as_typed(two_maps: Engine, files) -> None:  # type: ignore[no-untyped-def]
    hostile = '<script>alert("x")</script> & =HYPERLINK("http://x") {{ PAGE }} ${name} \u202e'
    folder = files({"cooperatives": f'code,name,commune_code\nK5,"{hostile.replace(chr(34), chr(34) * 2)}",05932'})
    import_path(two_maps, folder)
    office = "<b>Phòng</b> & {office}"
    found = report(two_maps, NEW_MAP, "19", END, "vi", actor=SYSTEM, office=office)
    (listed,) = [rows for before, rows in found.tables if before.startswith("Danh sách hồ sơ")]
    assert listed[1][2] == hostile
    assert office.upper() in found.text
    # Text only: no field, hyperlink or markup came out of the typed words.
    xml = found.document.element.xml
    assert "w:hyperlink" not in xml and "<script>" not in xml and "w:instrText" not in xml
    assert xml.count("w:fldSimple") == 0  # the page number lives in the header, not in the body


def test_the_chart_is_drawn_offline_as_a_picture(bac_kan: Engine) -> None:
    made = build(bac_kan, read_unit("06", OLD_MAP), END, office="x", actor=SYSTEM, today=TODAY)
    picture = report_document.trend_png(made.history, made.unit.name, "vi")
    assert picture[:8] == b"\x89PNG\r\n\x1a\n"
    assert sorted(set(made.history["as_of"])) == [f"{y}-12-31" for y in range(2021, 2026)]
    assert set(made.history["map"]) == {OLD_MAP}  # every year end on the report's own map


def test_the_heading_names_the_body_above_the_office_as_the_decree_does() -> None:
    # Decree 30/2020/NĐ-CP: the governing body's name above the issuing office's; the office's name
    # does not repeat the place the line above names. A ministry has no body above it here.
    thai_nguyen = ("Ủy ban nhân dân tỉnh Thái Nguyên", "Sở Nông nghiệp và Môi trường")
    assert issuing_heading(read_unit("06", OLD_MAP), "vi") == thai_nguyen  # went whole into Thái Nguyên
    assert issuing_heading(read_unit("060", OLD_MAP), "vi") == thai_nguyen
    assert issuing_heading(read_unit("19", NEW_MAP), "vi") == thai_nguyen
    assert issuing_heading(read_unit("01864", NEW_MAP), "vi") == ("Ủy ban nhân dân xã Bằng Thành", "Phòng Kinh tế")
    assert issuing_heading(read_unit("01843", NEW_MAP), "vi") == (
        "Ủy ban nhân dân phường Bắc Kạn",
        "Phòng Kinh tế, Hạ tầng và Đô thị",
    )
    assert issuing_heading(read_unit("VN", NEW_MAP), "vi") == ("", "Bộ Nông nghiệp và Môi trường")
    assert issuing_heading(read_unit("19", NEW_MAP), "en") == (
        "People's Committee of Tỉnh Thái Nguyên",
        "Department of Agriculture and Environment",
    )
    assert issuing_heading(read_unit("06", OLD_MAP), "vi", COOP_C1) == ("", "Hợp tác xã C1")  # as itself
    # a district office's account (before the reform) issues as that office, under its district
    assert issuing_heading(read_unit("06", OLD_MAP), "vi", OFFICER_058) == (
        "Ủy ban nhân dân thành phố Bắc Kạn",
        "Phòng Nông nghiệp và Phát triển nông thôn",
    )


def test_the_command_lines_report_is_headed_by_the_body_above_then_the_office_in_bold(
    two_maps: Engine, tmp_path: Path
) -> None:
    out = tmp_path / "bao-cao.docx"
    done = linkage(
        "report", "19", "--map", "2025-07", "--as-of", "2025-12-31", "--out", str(out), "--db", url(two_maps)
    )
    assert done.returncode == 0, done.stderr
    found = read(out.read_bytes())
    cell = found.document.tables[0].rows[0].cells[0]
    lines = [(p.text, any(run.bold for run in p.runs)) for p in cell.paragraphs if p.text.strip()]
    assert lines[:2] == [("ỦY BAN NHÂN DÂN TỈNH THÁI NGUYÊN", False), ("SỞ NÔNG NGHIỆP VÀ MÔI TRƯỜNG", True)]
    assert found.document.core_properties.author == "Sở Nông nghiệp và Môi trường tỉnh Thái Nguyên"
    given = tmp_path / "given.docx"  # an office typed on the command line heads the report as typed, alone
    done = linkage("report", "19", "--map", "2025-07", "--out", str(given), "--office", "Sở X", "--db", url(two_maps))
    assert done.returncode == 0, done.stderr
    cell = read(given.read_bytes()).document.tables[0].rows[0].cells[0]
    assert next(p.text for p in cell.paragraphs if p.text.strip()) == "SỞ X"


def test_the_office_issuing_a_report_is_todays() -> None:
    # Bắc Kạn (06, 2025-01) and its district Pác Nặm went into today's Thái Nguyên (19): its department
    # issues their reports; a commune's economic office its own; an account's office where one signs in.
    thai_nguyen = "Sở Nông nghiệp và Môi trường tỉnh Thái Nguyên"
    assert issuing_office(read_unit("06", OLD_MAP), "vi") == thai_nguyen
    assert issuing_office(read_unit("060", OLD_MAP), "vi") == thai_nguyen
    assert issuing_office(read_unit("19", NEW_MAP), "vi") == thai_nguyen
    assert issuing_office(read_unit("01864", NEW_MAP), "vi") == "Phòng Kinh tế xã Bằng Thành (Tỉnh Thái Nguyên)"
    assert issuing_office(read_unit("VN", NEW_MAP), "en") == "Ministry of Agriculture and Environment"
    from .helpers import PLANNER_06

    assert (
        issuing_office(read_unit("VN", NEW_MAP), "vi", PLANNER_06)
        == "Cán bộ kế hoạch tỉnh Bắc Kạn (như trước 01/07/2025)"
    )


# --- refusals -----------------------------------------------------------------------------------------


def test_a_unit_not_on_the_map_is_refused_naming_the_map() -> None:
    with pytest.raises(ReportRefused) as refused:
        read_unit("06", NEW_MAP)  # Bắc Kạn went into Thái Nguyên: no province 06 on 2025-07
    assert (
        refused.value.message("en")
        == '"06" is not the code of a unit to report on map 2025-07 (VN / province / commune)'
    )
    with pytest.raises(ReportRefused):
        read_unit("01849", OLD_MAP)  # a commune of 2025-01: its district is reported


def test_dates_outside_the_programme_up_to_today_are_refused(bac_kan: Engine) -> None:
    unit = read_unit("06", OLD_MAP)
    for day in (date(2020, 12, 31), date(2026, 12, 7)):
        with pytest.raises(ReportRefused):
            build(bac_kan, unit, day, office="x", actor=SYSTEM, today=TODAY)
    build(bac_kan, unit, date(2021, 1, 1), office="x", actor=SYSTEM, today=TODAY)  # the first day is allowed


def test_a_failed_write_leaves_no_file_and_keeps_the_old_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "bao-cao.docx"
    target.write_bytes(b"the report filed last month")

    def broken(source: str, destination: Path) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(report_document.os, "replace", broken)
    with pytest.raises(ReportRefused) as refused:
        save(b"new", target)
    assert "No space left on device" in refused.value.message("en")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bao-cao.docx"]
    assert target.read_bytes() == b"the report filed last month"
    with pytest.raises(ReportRefused):
        save(b"new", tmp_path)  # a folder


# --- the command line ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The province demonstration data in a scratch SQLite database."""
    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"
    assert linkage("init", "--db", url).returncode == 0
    done = linkage("demo", "--scale", "province", "--seed", "7", "--db", url)
    assert done.returncode == 0, done.stderr
    yield url


@pytest.mark.parametrize(
    ("code", "map_name", "lang"), [("66", OLD_MAP, "vi"), ("VN", OLD_MAP, "en"), ("66", NEW_MAP, "en")]
)
def test_the_command_writes_the_figures_linkage_coverage_prints(
    demo: str, tmp_path: Path, code: str, map_name: str, lang: str
) -> None:
    out = tmp_path / "report.docx"
    done = linkage(
        "report", code, "--out", str(out), "--as-of", "2025-12-31", "--map", map_name, "--lang", lang, "--db", demo
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Wrote the report of ")
    rows = json.loads(
        linkage("coverage", "--as-of", "2025-12-31", "--map", map_name, "--format", "json", "--db", demo).stdout
    )
    unit = read_unit(code, map_name)
    level = {"national": "province", "province": "district" if map_name == OLD_MAP else "commune"}[unit.level]
    from linkage.geo.maps import map_data

    data = map_data(map_name)
    below = {c for c, p in data.level(level).items() if unit.level == "national" or p.province == unit.code}
    found = read(out.read_bytes())
    assert check_against(found, lang, rows, unit, below) > 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.docx"]  # no temporary file left


@pytest.fixture(scope="module")
def national(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The national demonstration data (every province, tens of thousands of records)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('national') / 'national.db'}"
    assert linkage("init", "--db", url).returncode == 0
    done = linkage("demo", "--scale", "national", "--db", url)
    assert done.returncode == 0, done.stderr
    yield url


@pytest.mark.parametrize(("code", "map_name"), [("VN", OLD_MAP), ("01", NEW_MAP)])
def test_on_the_national_demo_every_figure_is_the_one_linkage_coverage_prints(
    national: str, tmp_path: Path, code: str, map_name: str
) -> None:
    out = tmp_path / "report.docx"
    done = linkage("report", code, "--out", str(out), "--as-of", "2026-06-30", "--map", map_name, "--db", national)
    assert done.returncode == 0, done.stderr
    printed = linkage("coverage", "--as-of", "2026-06-30", "--map", map_name, "--format", "json", "--db", national)
    rows = json.loads(printed.stdout)
    unit = read_unit(code, map_name)
    from linkage.geo.maps import map_data

    level = "province" if unit.level == "national" else "commune"
    below = {c for c, p in map_data(map_name).level(level).items() if unit.level == "national" or p.province == code}
    compared = check_against(read(out.read_bytes()), "vi", rows, unit, below)  # the unit and every unit below
    assert compared > 10


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["06", "--map", "2025-07"], '"06" is not the code of a unit to report on map 2025-07'),
        (["66", "--as-of", "2020-06-30"], "before the programme's period began"),
        (["66", "--as-of", "2999-01-01"], "is in the future"),
        (["66", "--map", "2024-01"], "unknown map '2024-01'"),
    ],
)
def test_bad_input_is_one_plain_line_and_no_file(demo: str, tmp_path: Path, args: list[str], said: str) -> None:
    out = tmp_path / "report.docx"
    done = linkage("report", *args, "--out", str(out), "--db", demo)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("linkage report: ") and said in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_an_output_that_cannot_be_written_is_refused_before_counting(demo: str, tmp_path: Path) -> None:
    for out in (tmp_path / "missing" / "report.docx", tmp_path):
        done = linkage("report", "66", "--map", "2025-01", "--out", str(out), "--db", demo)
        assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
        assert "no file was written" in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_unit_with_no_rural_commune_is_reported_with_its_own_counts(demo: str, tmp_path: Path) -> None:
    out = tmp_path / "report.docx"
    done = linkage("report", "001", "--map", "2025-01", "--as-of", "2025-12-31", "--out", str(out), "--db", demo)
    assert done.returncode == 0, done.stderr
    assert "Quận Ba Đình has no rural commune" in done.stdout
    assert "Quận Ba Đình không có xã nông thôn nào" in read(out.read_bytes()).text


def test_the_trend_of_every_unit_of_a_province_is_duckdbs_count_at_each_year_end(
    bac_kan: Engine, tmp_path: Path
) -> None:
    """The report's trend (every year end on its own map) against the second formulation."""
    from linkage.records.exporting import export_folder
    from linkage.store.db import read_session
    from tests.duckdb_reference import duckdb_coverage, write_crosswalk_csv, write_geography_csv

    with read_session(bac_kan) as session:
        export_folder(session, tmp_path / "export", actor=SYSTEM)
    write_geography_csv(tmp_path / "geo.csv")
    write_crosswalk_csv(tmp_path / "xw.csv")
    fields = ["indicator", "level", "unit_code", "numerator", "denominator"]
    expected: dict[tuple[str, str], list[tuple[object, ...]]] = {}
    for year in range(2021, 2026):
        day = date(year, 12, 31)
        sql = duckdb_coverage(tmp_path / "export", tmp_path / "geo.csv", day, tmp_path / "xw.csv")
        for row in sql[fields].itertuples(index=False):
            expected.setdefault((row.level, row.unit_code), []).append((day.isoformat(), row.indicator, *row[3:]))
    from linkage.geo.maps import map_data

    districts = sorted(code for code, place in map_data(OLD_MAP).districts.items() if place.province == "06")
    units = [Unit(OLD_MAP, "national", "VN"), Unit(OLD_MAP, "province", "06")]
    units += [Unit(OLD_MAP, "district", code) for code in districts]
    assert len(units) > 5
    for unit in units:
        made = build(bac_kan, read_unit(unit.code, OLD_MAP), END, office="x", actor=SYSTEM, today=TODAY)
        history = made.history[["as_of", "indicator", "numerator", "denominator"]]
        assert sorted(history.itertuples(index=False, name=None)) == sorted(expected[(unit.level, unit.code)])


def test_every_cell_of_a_table_is_the_paragraph_python_docx_makes_for_it_alone() -> None:
    """Cells after the first of their alignment are copies with the text replaced (`_filled`): each
    must be what formatting the cell on its own (`_cell`) makes, whatever the text."""
    from docx import Document

    texts = ["1", "Hợp tác xã A", " lề trái", "lề phải ", "a\tb", "dòng 1\ndòng 2", "x\ry", "", "12,5 %", "—"]
    texts += ['<b>x</b> & =SUM(A1) "{{ PAGE }}"', "\x07chuông", "hai  dấu cách", "\u202e", "ok"]
    # the first of each alignment with spaces at an end: the copies after it must lose `xml:space`
    rows = [[" đầu", " 1 "]] + [[text, text] for text in texts] + [[text, "9"] for text in reversed(texts)]
    grid = report_document._grid(Document(), ["A", "B"], rows, [80.0, 85.0])
    alone = Document().add_table(rows=len(rows), cols=2)
    for row, single, values in zip(grid.rows[1:], alone.rows, rows, strict=True):
        for cell, fresh, text in zip(row.cells, single.cells, values, strict=True):
            report_document._cell(fresh, text, align="center" if report_document._numeric(text) else "left")
            assert [p.xml for p in cell._tc.p_lst] == [p.xml for p in fresh._tc.p_lst], text
