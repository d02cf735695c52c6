"""A corpus of office lists in the layouts provincial departments use, each row with its truth.

The truth of every row was written by hand from the statistics office's lists (the names and codes of
`vietnam_provinces`, read by name there, not through the code under test): the commune's code on the
row's map, or `ambiguous` with the candidates a reader of the list could not tell apart, or
`unresolved` for a commune that does not exist or does not lie where the row says.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date

import openpyxl

OLD, NEW = "2025-01", "2025-07"


@dataclass(frozen=True)
class Truth:
    status: str  # resolved | ambiguous | unresolved
    map: str
    code: str = ""
    candidates: tuple[str, ...] = ()


def at(map_name: str, code: str) -> Truth:
    return Truth("resolved", map_name, code)


def ambiguous(map_name: str, *codes: str) -> Truth:
    return Truth("ambiguous", map_name, candidates=codes)


UNRESOLVED = Truth("unresolved", "")


@dataclass
class OfficeList:
    name: str
    entity: str
    header: list[str]
    rows: list[list[object]]
    truths: list[Truth]
    map: str | None = None
    title: list[list[object]] = field(default_factory=list)  # rows above the header
    footer: list[list[object]] = field(default_factory=list)  # blank and total rows below the table
    sheet: str | None = None  # the sheet holding the list, after a sheet of notes
    delimiter: str = ","

    @property
    def first_row(self) -> int:
        """The spreadsheet row of the first data row."""
        return len(self.title) + 2

    def data(self) -> bytes:
        if self.name.endswith(".csv"):
            out = io.StringIO()
            writer = csv.writer(out, delimiter=self.delimiter)
            for row in [*self.title, self.header, *self.rows, *self.footer]:
                writer.writerow(["" if c is None else c for c in row])
            return ("\ufeff" + out.getvalue()).encode("utf-8")
        book = openpyxl.Workbook()
        sheet = book.active
        assert sheet is not None
        if self.sheet:
            sheet.title = "Ghi chú"
            sheet.append(["Danh sách ở trang sau"])
            sheet = book.create_sheet(self.sheet)
        for row in [*self.title, self.header, *self.rows, *self.footer]:
            sheet.append(row)
        if self.title:
            sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(self.header))
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()


# Đắk Lắk, map 2025-01 (a district named in every row): title, reference line and blank row above the
# header, addresses in every style, date cells and day-first text, a total row.
DAK_LAK = OfficeList(
    "dak_lak_htx_2024.xlsx",
    "cooperatives",
    ["STT", "Tên hợp tác xã", "Mã số HTX", "Địa chỉ trụ sở", "Ngày thành lập", "Số thành viên", "Ghi chú"],
    [
        [1, "HTX Nông nghiệp Ea Tir", "", "Thôn 3, xã Ea Tir, huyện Ea H'leo, tỉnh Đắk Lắk", date(2019, 3, 5), 25, ""],
        [2, "HTX Ea Ral", "6000123456", "X. Ea Ral, H. Ea H'leo", "5/3/2019", "1.200", "đang hoạt động"],
        [3, "HTX Hòa Phú", "", "xa hoa phu, tp buon ma thuot, dak lak", 2018, "30", ""],
        [4, "HTX Ea Kao", "", "Xã Ea Kao - TP. Buôn Ma Thuột - Tỉnh Đắk Lắk", "05-03-2017", 12, ""],
        [5, "HTX Ea Drông", "", "Ea Drông, Buôn Hồ, Đắk Lắk", "2020", 8, ""],
        [6, "HTX Krông Jing", "", "Thôn 1, X.Krông Jing, H.M'Đrắk, T.Đắk Lắk", date(2021, 12, 1), 40, ""],
    ],
    [at(OLD, "24207"), at(OLD, "24190"), at(OLD, "24172"), at(OLD, "24169"), at(OLD, "24328"), at(OLD, "24427")],
    title=[
        ["DANH SÁCH HỢP TÁC XÃ NÔNG NGHIỆP TRÊN ĐỊA BÀN TỈNH ĐẮK LẮK"],
        ["(Kèm theo Báo cáo số 125/BC-SNN ngày 15/11/2024)"],
        [],
    ],
    footer=[[], ["Tổng cộng", "6 HTX", "", "", "", 1315, ""]],
)

# Thanh Hóa, map 2025-01: commune, district and province in their own columns, the district often left
# out. Names that repeat inside the province are ambiguous without it; one commune lies in another
# province; one does not exist.
THANH_HOA = OfficeList(
    "thanh_hoa_2024.csv",
    "cooperatives",
    ["TT", "Tên HTX", "Xã", "Huyện", "Tỉnh"],
    [
        [1, "HTX Hoằng Lộc", "Xã Hoằng Lộc", "", "Thanh Hóa"],
        [2, "HTX Phú Sơn", "Phường Phú Sơn", "", "Thanh Hóa"],
        [3, "HTX Phú Sơn Bỉm Sơn", "Phường Phú Sơn", "Thị xã Bỉm Sơn", "Thanh Hóa"],
        [4, "HTX Đông Khê", "Xã Đông Khê", "TP Thanh Hóa", "Thanh Hóa"],
        [5, "HTX Ea Tir", "Xã Ea Tir", "", "Thanh Hóa"],
        [6, "HTX Không Có", "Xã Không Tồn Tại", "", "Thanh Hóa"],
        [7, "HTX Nga Sơn", "TT Nga Sơn", "Nga Sơn", "Thanh Hóa"],
    ],
    [
        at(OLD, "15964"),
        ambiguous(OLD, "14770", "14823"),
        at(OLD, "14823"),
        ambiguous(OLD, "16387", "16408"),
        UNRESOLVED,
        UNRESOLVED,
        at(OLD, "16093"),
    ],
    map=OLD,
)

# Lâm Đồng, map 2025-07, on the workbook's second sheet: commune and province columns, full names, bare
# names, type words abbreviated or unaccented, an old province (Phú Yên, now in Đắk Lắk) naming the
# province, a commune of another province.
LAM_DONG = OfficeList(
    "lam_dong_htx_2026.xlsx",
    "cooperatives",
    ["STT", "Tên HTX", "Mã HTX", "Xã, phường, thị trấn", "Tỉnh/TP", "Năm thành lập"],
    [
        [1, "HTX Lạc Dương", "5800111222", "Xã Lạc Dương", "Lâm Đồng", 2015],
        [2, "HTX Đức Trọng", "", "Đức Trọng", "Tỉnh Lâm Đồng", 2016],
        [3, "HTX Di Linh", "", "X. Di Linh", "Lâm Đồng", 2017],
        [4, "HTX Hòa Bắc", "", "xa hoa bac", "lam dong", 2018],
        [5, "HTX Đam Rông", "", "Đam Rông 1", "Lâm Đồng", 2019],
        [6, "HTX Tuy An Bắc", "", "Xã Tuy An Bắc", "Phú Yên", 2020],
        [7, "HTX Ea Kar", "", "Xã Ea Kar", "Lâm Đồng", 2021],
    ],
    [
        at(NEW, "24848"),
        at(NEW, "24958"),
        at(NEW, "25000"),
        at(NEW, "25042"),
        at(NEW, "24886"),
        at(NEW, "22114"),
        UNRESOLVED,
    ],
    sheet="Danh sách HTX",
)

# Hà Nội buyers, map 2025-07, semicolons between cells (a Vietnamese-locale spreadsheet's CSV): street
# addresses, `P.`, `TP`, `HN`, no diacritics, a bare ward name found in three provinces, no address.
HA_NOI = OfficeList(
    "ha_noi_doanh_nghiep.csv",
    "buyers",
    ["STT", "Tên doanh nghiệp", "Mã số thuế", "Địa chỉ", "Loại hình"],
    [
        [1, "Công ty TNHH Nông sản Kim Mã", "0101234567", "Số 5 phố Kim Mã, P. Ba Đình, TP Hà Nội", "Chế biến"],
        [2, "Công ty CP Sóc Sơn Xanh", "0107654321", "Sóc Sơn, HN", "Thương lái"],
        [3, "Công ty Đông Anh", "0100000001", "xã đông anh, ha noi", "Doanh nghiệp"],
        [4, "Công ty Gốm Bát Tràng", "0100000002", "Thôn 2, Bát Tràng, Hà Nội", "Xuất khẩu"],
        [5, "Công ty Ba Đình", "0100000003", "Ba Đình", "Khác"],
    ],
    [
        at(NEW, "00004"),
        at(NEW, "00376"),
        at(NEW, "00454"),
        at(NEW, "00577"),
        ambiguous(NEW, "00004", "16171"),  # Phường Ba Đình (Hà Nội), Xã Ba Đình (Thanh Hóa); Xã Ba Dinh is another name
    ],
    delimiter=";",
)

# Sơn La raw material areas, map 2025-07: the product by its name, areas with a decimal comma.
SON_LA = OfficeList(
    "son_la_vung_nguyen_lieu.xlsx",
    "raw_material_areas",
    ["STT", "Tên vùng nguyên liệu", "Cây trồng", "Diện tích (ha)", "Xã", "Tỉnh"],
    [
        [1, "Vùng chè Vân Hồ", "Chè", "12,5", "Vân Hồ", "Sơn La"],
        [2, "Vùng cà phê Chiềng Mai", "Cà phê", "1.234,5", "Xã Chiềng Mai", "Sơn La"],
        [3, "Vùng rau Mộc Châu", "Rau các loại", 30, "P. Mộc Châu", "Sơn La"],
    ],
    [at(NEW, "04048"), at(NEW, "04132"), at(NEW, "03980")],
)

# Lâm Đồng producers, map 2025-07: each names its cooperative by name or by registration number.
LAM_DONG_PRODUCERS = OfficeList(
    "lam_dong_ho_thanh_vien.csv",
    "producers",
    ["STT", "Họ và tên", "Xã/Phường", "Tỉnh", "Thành viên HTX", "Loại hình"],
    [
        [1, "Nguyễn Văn An", "Lạc Dương", "Lâm Đồng", "HTX Đức Trọng", "Hộ gia đình"],
        [2, "Trần Thị Bình", "Xã Đức Trọng", "Lâm Đồng", "5800111222", "Hộ"],
        [3, "K'Sor Ching", "Di Linh", "Lâm Đồng", "", "Trang trại"],
    ],
    [at(NEW, "24848"), at(NEW, "24958"), at(NEW, "25000")],
)

CORPUS = (DAK_LAK, THANH_HOA, LAM_DONG, HA_NOI, SON_LA, LAM_DONG_PRODUCERS)


# A list of possible duplicates of DAK_LAK's records, and any list with some rows taken out.


def without_rows(listed: OfficeList, rows: set[int]) -> OfficeList:
    keep = [i for i in range(len(listed.rows)) if listed.first_row + i not in rows]
    truths = [listed.truths[i] for i in keep if i < len(listed.truths)]
    return OfficeList(
        listed.name,
        listed.entity,
        listed.header,
        [listed.rows[i] for i in keep],
        truths,
        listed.map,
        listed.title,
        listed.footer,
        listed.sheet,
        listed.delimiter,
    )


DUPLICATES = OfficeList(
    "dak_lak_bo_sung.csv",
    "cooperatives",
    ["STT", "Tên HTX", "Mã số HTX", "Địa chỉ"],
    [
        [1, "HTX Nông nghiệp Ea Tir", "", "X. Ea Tir, H. Ea H'leo, Đắk Lắk"],  # stored: the same record
        [2, "HTX Nông nghiệp Ea Tlr", "", "Xã Ea Tir, Huyện Ea H'leo"],  # one letter from a stored name
        [3, "HTX Sông Hinh", "6000123456", "X. Ea Ral, H. Ea H'leo"],  # a stored number under another name
        [4, "HTX Mới", "", "Xã Ea Kao, TP Buôn Ma Thuột"],
        [5, "HTX  mới", "", "xa ea kao, tp buon ma thuot"],  # the same name in the same commune as row 5
    ],
    [],
)
