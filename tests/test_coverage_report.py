"""The coverage download (linkage/counting/report.py): every indicator and level the page shows, the
unit's own row, the date and the map inside the file, words in the reader's language and figures as a
reader expects them; read back from the bytes, compared with `linkage coverage --format json` for the
same date and map and with shares worked out by hand from the counts."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import date
from fractions import Fraction
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from linkage.counting import coverage
from linkage.counting.coverage_view import unit_view
from linkage.counting.report import COLUMNS, report_rows, to_csv, to_xlsx
from linkage.records.catalog import init
from linkage.records.importing import import_path
from linkage.store.db import get_engine

FIXTURE = Path(__file__).parent / "fixtures" / "bac_kan"
ON = date(2024, 6, 30)


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('report') / 'report.db'}"
    engine = get_engine(url)
    init(engine)
    import_path(engine, FIXTURE)
    engine.dispose()
    return url


def command_rows(url: str, on: str, day: date) -> list[dict[str, object]]:
    """`linkage coverage --format json` as another program reads it."""
    command = ["coverage", "--as-of", day.isoformat(), "--map", on, "--format", "json", "--db", url]
    done = subprocess.run(
        [sys.executable, "-m", "linkage", *command],
        capture_output=True,
        text=True,
        check=True,
    )
    return list(json.loads(done.stdout))


def districts_of(province: str) -> set[str]:
    """The province's districts with a rural commune, from the package's January 2025 list."""
    from vietnam_provinces import legacy

    rural = {f"{int(w.district_code):03d}" for w in legacy.Ward.iter_all() if w.name.startswith("Xã ")}
    return {
        f"{int(d.code):03d}"
        for d in legacy.District.iter_all()
        if f"{int(d.province_code):02d}" == province and f"{int(d.code):03d}" in rural
    }


def download(url: str, unit: str, on: str, lang: str = "vi") -> tuple[pd.DataFrame, bytes, bytes]:
    engine = get_engine(url)
    rows = report_rows(unit_view(coverage.coverage(engine, ON, map_name=on), on, unit), ON)
    return rows, to_csv(rows, lang), to_xlsx(rows, lang)


def test_a_provinces_download_holds_its_own_rows_every_indicator_and_its_districts(database: str) -> None:
    rows, text, _ = download(database, "06", "2025-01")
    read = list(csv.DictReader(io.StringIO(text.decode("utf-8-sig"))))
    own = [r for r in read if r["Mã đơn vị"] == "06"]
    assert [r["Chỉ tiêu"] for r in own] == [
        "Xã có hợp tác xã",
        "Huyện có liên kết sản phẩm chủ lực",  # counted in provinces only: the districts cannot carry it
        "Liên kết vùng nguyên liệu ứng dụng công nghệ số",
    ]
    assert {r["Cấp"] for r in own} == {"Tỉnh"}
    districts = districts_of("06")
    below = [r for r in read if r["Mã đơn vị"] != "06"]
    assert {r["Cấp"] for r in below} == {"Huyện"}
    assert sorted(r["Mã đơn vị"] for r in below) == sorted([*districts, *districts])  # two indicators count there
    assert {r["Tính đến ngày"] for r in read} == {"30/06/2024"} and {r["Bản đồ hành chính"] for r in read} == {
        "2025-01"
    }
    assert list(read[0]) == [
        "Tính đến ngày",
        "Bản đồ hành chính",
        "Chỉ tiêu",
        "Cấp",
        "Mã đơn vị",
        "Đơn vị",
        "Số đạt",
        "Trên tổng số",
        "Tỷ lệ",
        "Mức chỉ tiêu",
        "Đạt chỉ tiêu",
        "Cần thêm",
        "Trên cấp xã",
    ]
    assert len(rows) == len(read) and list(rows.columns) == COLUMNS


def test_every_figure_of_a_download_equals_the_command_lines_and_shares_read_as_percentages(database: str) -> None:
    for unit, on in (("06", "2025-01"), ("19", "2025-07")):
        _, text, book = download(database, unit, on)
        expected = {(r["indicator"], r["unit_code"]): r for r in command_rows(database, on, ON)}
        names = {r["indicator"]: r for r in command_rows(database, on, ON)}
        words = {
            "Xã có hợp tác xã": "communes_with_cooperative",
            "Huyện có liên kết sản phẩm chủ lực": "districts_with_key_product_linkage",
            "Liên kết vùng nguyên liệu ứng dụng công nghệ số": "raw_material_linkages_with_digital_tech",
        }
        assert set(words.values()) >= set(names)
        read = list(csv.DictReader(io.StringIO(text.decode("utf-8-sig"))))
        sheet = openpyxl.load_workbook(io.BytesIO(book)).active
        assert sheet is not None
        cells = list(sheet.iter_rows(min_row=2))
        assert len(cells) == len(read) > 0
        for row, cell_row in zip(read, cells, strict=True):
            truth = expected[(words[row["Chỉ tiêu"]], row["Mã đơn vị"])]
            numerator, denominator = int(row["Số đạt"]), int(row["Trên tổng số"])
            assert (numerator, denominator) == (truth["numerator"], truth["denominator"])
            assert row["Đơn vị"] == truth["unit_name"]
            if denominator:
                shown = row["Tỷ lệ"]  # one decimal, a decimal comma, a percent sign
                assert shown.endswith("%") and "." not in shown and len(shown.split(",")[1]) == 2
                assert abs(Fraction(shown[:-1].replace(",", ".")) - Fraction(100 * numerator, denominator)) <= Fraction(
                    1, 20
                )
                met = Fraction(numerator, denominator) >= Fraction(str(truth["target"]))
                assert row["Đạt chỉ tiêu"] == ("Đạt" if met else "Chưa đạt")
            else:
                assert row["Tỷ lệ"] == "" and row["Đạt chỉ tiêu"] == ""
            by_column = dict(zip(COLUMNS, cell_row, strict=True))
            assert by_column["numerator"].value == numerator and by_column["denominator"].value == denominator
            if denominator:
                assert by_column["ratio"].value == pytest.approx(numerator / denominator)
            assert by_column["ratio"].number_format == "0.0%" and by_column["target"].number_format == "0%"
            assert by_column["map"].value == on


def test_the_workbook_is_laid_out_for_a_reader_and_speaks_english_when_asked(database: str) -> None:
    _, text, book = download(database, "19", "2025-07", "en")
    sheet = openpyxl.load_workbook(io.BytesIO(book)).active
    assert sheet is not None
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["C"].width >= 40  # the indicator's name is read, not cut
    assert all((sheet.column_dimensions[c].width or 0) >= 9 for c in "ABCDEFGHIJKLM")
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["As of", "Administrative map", "Indicator", "Level"]
    levels = {row[3].value for row in sheet.iter_rows(min_row=2)}
    assert levels == {"Province", "Commune"}  # never a message key such as choice.commune
    first = next(csv.reader(io.StringIO(text.decode("utf-8-sig"))))
    assert "map" not in first and "Administrative map" in first


def test_text_in_a_download_is_shielded_and_numbers_stay_numbers() -> None:
    rows = pd.DataFrame(
        [
            {
                "as_of": "2025-12-31",
                "map": "2025-01",
                "indicator": "communes_with_cooperative",
                "level": "district",
                "unit_code": "058",
                "unit_name": "=cmd()",
                "numerator": 3,
                "denominator": 4,
                "ratio": 0.75,
                "target": 0.7,
                "met": True,
                "needed": 0,
                "unplaced": 0,
            }
        ]
    )
    text = to_csv(rows, "vi").decode("utf-8-sig")
    assert text.splitlines()[1] == '31/12/2025,2025-01,Xã có hợp tác xã,Huyện,058,\'=cmd(),3,4,"75,0%",70%,Đạt,0,0'
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx(rows, "vi"))).active
    assert sheet is not None
    assert [c.value for c in sheet[2]][4:9] == ["058", "'=cmd()", 3, 4, 0.75]
    assert sheet["G2"].data_type == "n" and sheet["F2"].data_type == "s"
