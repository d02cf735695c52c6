"""The coverage page's downloads of a province, saved by real headless Chromium and read back as a reader
would (pandas and openpyxl), on both maps: the province's own row for every indicator counted there,
the units one level below it, the level in words, the date and the map inside the file, shares as
percentages, and every figure the one `linkage coverage` gives for that unit, date and map.

What is expected comes from outside the page's code: the figures from the command line (its own
process), which units lie in the province from the `vietnam-provinces` package's lists, the words from
the specification of the download (docs: the column headings and levels a Vietnamese reader sees)."""

from __future__ import annotations

import io
import math
import re
from datetime import date, datetime
from fractions import Fraction

import openpyxl
import pandas as pd
import pytest
from playwright.sync_api import expect

from .conftest import WAIT, ProvinceApp, Watched, cli_coverage, download, settled, sign_in_as

pytestmark = pytest.mark.browser
PROVINCE = "66"  # Đắk Lắk, on both maps
HEADINGS = [
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
INDICATORS = {
    "Xã có hợp tác xã": "communes_with_cooperative",
    "Huyện có liên kết sản phẩm chủ lực": "districts_with_key_product_linkage",
    "Liên kết vùng nguyên liệu ứng dụng công nghệ số": "raw_material_linkages_with_digital_tech",
}
LEVELS = {"Tỉnh": "province", "Huyện": "district", "Xã": "commune"}


def below_in_province(on: str) -> tuple[str, set[str]]:
    """The level one below a province on map `on` and the codes of its units in Đắk Lắk, from the package."""
    if on == "2025-01":
        from vietnam_provinces import legacy

        districts = legacy.District.iter_all()
        return "district", {f"{int(d.code):03d}" for d in districts if f"{int(d.province_code):02d}" == PROVINCE}
    from vietnam_provinces import Ward

    return "commune", {f"{int(w.code):05d}" for w in Ward.iter_all() if f"{int(w.province_code):02d}" == PROVINCE}


def percent(ratio: float, digits: int) -> str:
    """A share as a Vietnamese reader writes it: `61,5%` (a decimal comma)."""
    return f"{ratio:.{digits}%}".replace(".", ",")


def needed(numerator: int, denominator: int, target: float) -> int:
    """The fewest units more that reach the target: counted one by one, in exact fractions."""
    more = 0
    while denominator and Fraction(numerator + more, denominator) < Fraction(str(target)):
        more += 1
    return more


@pytest.mark.parametrize("on", ["2025-01", "2025-07"])
def test_a_provinces_csv_and_xlsx_read_back_hold_every_figure_of_the_command_line(
    province_app: ProvinceApp, watched: Watched, on: str
) -> None:
    page = watched.page
    sign_in_as(page, province_app, "admin.demo")
    page.goto(f"{province_app.base}/coverage?map={on}&unit={PROVINCE}")
    settled(page)
    expect(page.get_by_role("heading", name=re.compile("^Tỉnh Đắk Lắk tính đến"))).to_be_visible(timeout=WAIT)
    csv_bytes, xlsx_bytes = download(page, "Tải CSV"), download(page, "Tải Excel")
    expect(page.get_by_test_id("stException")).to_have_count(0)
    assert watched.outside == [] and watched.errors == []

    read = pd.read_csv(io.BytesIO(csv_bytes), dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert list(read.columns) == HEADINGS  # every heading in words, none left in English (`map`)
    days = set(read["Tính đến ngày"])
    assert len(days) == 1 and set(read["Bản đồ hành chính"]) == {on}  # the date and the map inside the file
    day = datetime.strptime(days.pop(), "%d/%m/%Y").date()
    assert day == date.today()
    truth = cli_coverage(province_app.url, day, on)

    below, inside = below_in_province(on)
    assert set(read["Cấp"]) == {"Tỉnh", {"district": "Huyện", "commune": "Xã"}[below]}  # never `choice.commune`
    named = zip(read["Chỉ tiêu"], read["Cấp"], read["Mã đơn vị"], strict=True)
    keys = [(INDICATORS[i], LEVELS[level], code) for i, level, code in named]
    assert len(keys) == len(set(keys))
    own = {k for k in truth if k[1] == "province" and k[2] == PROVINCE}
    assert {k[0] for k in own} == {k[0] for k in truth}  # every indicator counted on the map, at the province too
    expected = own | {k for k in truth if k[1] == below and k[2] in inside}
    assert set(keys) == expected  # the province's own rows and every unit below it, nothing else
    if on == "2025-01":
        assert len(own) == 3  # the key-product indicator, counted in provinces and districts of 2025-01

    for key, (_, row) in zip(keys, read.iterrows(), strict=True):
        figures = truth[key]
        numerator, denominator = int(str(figures["numerator"])), int(str(figures["denominator"]))
        target = float(str(figures["target"]))
        assert row["Đơn vị"] == figures["unit_name"], key
        assert (int(row["Số đạt"]), int(row["Trên tổng số"])) == (numerator, denominator), key
        assert row["Tỷ lệ"] == (percent(float(str(figures["ratio"])), 1) if denominator else ""), key
        assert row["Mức chỉ tiêu"] == percent(target, 0), key
        assert row["Đạt chỉ tiêu"] == {True: "Đạt", False: "Chưa đạt", None: ""}[figures["met"]], key  # type: ignore[index]
        assert int(row["Cần thêm"]) == needed(numerator, denominator, target), key
        assert int(row["Trên cấp xã"]) == figures["unplaced"], key

    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes))
    sheet = book.active
    assert sheet is not None
    assert [c.value for c in sheet[1]] == HEADINGS
    column = {name: n for n, name in enumerate(HEADINGS)}
    cells = list(sheet.iter_rows(min_row=2))
    assert len(cells) == len(keys)
    for key, row in zip(keys, cells, strict=True):
        figures = truth[key]
        assert (row[column["Tính đến ngày"]].value, row[column["Bản đồ hành chính"]].value) == (
            day.strftime("%d/%m/%Y"),
            on,
        )
        assert (row[column["Cấp"]].value, row[column["Mã đơn vị"]].value) == (
            {"province": "Tỉnh", "district": "Huyện", "commune": "Xã"}[key[1]],
            key[2],
        )
        assert row[column["Số đạt"]].value == figures["numerator"]
        assert row[column["Trên tổng số"]].value == figures["denominator"]
        ratio, target = row[column["Tỷ lệ"]], row[column["Mức chỉ tiêu"]]
        if figures["denominator"]:  # a number a spreadsheet computes with, shown as a percentage
            assert math.isclose(float(ratio.value), float(str(figures["ratio"])))
            assert ratio.number_format == "0.0%"
        else:
            assert ratio.value is None
        assert math.isclose(float(target.value), float(str(figures["target"]))) and target.number_format == "0%"
    widths = {
        name: sheet.column_dimensions[openpyxl.utils.get_column_letter(n + 1)].width for n, name in enumerate(HEADINGS)
    }
    assert widths["Chỉ tiêu"] >= max(len(i) for i in INDICATORS)  # the indicator names are read, not cut
    assert widths["Đơn vị"] >= 20

    again = pd.read_excel(io.BytesIO(xlsx_bytes), dtype=str, keep_default_na=False)  # the same table as the CSV
    assert list(again.columns) == HEADINGS
    for name in ("Tính đến ngày", "Bản đồ hành chính", "Chỉ tiêu", "Cấp", "Mã đơn vị", "Đơn vị", "Đạt chỉ tiêu"):
        assert again[name].tolist() == read[name].tolist(), name
