"""The blank workbook offices can fill: their own layout (a title, `STT`, Vietnamese headers), one sheet
per kind of list, every header one the reader knows (docs/office-lists.md)."""

from __future__ import annotations

import io
from functools import cache

SHEETS: dict[str, tuple[str, list[str]]] = {
    "cooperatives": (
        "Hợp tác xã",
        ["STT", "Tên hợp tác xã", "Mã số HTX", "Địa chỉ trụ sở", "Ngày thành lập", "Số thành viên", "Ghi chú"],
    ),
    "producers": (
        "Hộ sản xuất",
        ["STT", "Họ và tên", "Loại hình", "Địa chỉ", "Thành viên HTX", "Ghi chú"],
    ),
    "buyers": (
        "Doanh nghiệp",
        ["STT", "Tên doanh nghiệp", "Mã số thuế", "Loại hình", "Địa chỉ", "Ghi chú"],
    ),
    "raw_material_areas": (
        "Vùng nguyên liệu",
        ["STT", "Tên vùng nguyên liệu", "Cây trồng", "Diện tích (ha)", "Mã số vùng trồng", "Xã", "Huyện", "Tỉnh"],
    ),
}
TITLES = {
    "cooperatives": "DANH SÁCH HỢP TÁC XÃ NÔNG NGHIỆP",
    "producers": "DANH SÁCH HỘ, TRANG TRẠI, TỔ HỢP TÁC SẢN XUẤT",
    "buyers": "DANH SÁCH DOANH NGHIỆP, CƠ SỞ THU MUA",
    "raw_material_areas": "DANH SÁCH VÙNG NGUYÊN LIỆU",
}
NOTE = "(Địa chỉ ghi như thường lệ, ví dụ: Thôn 3, xã Ea Tir, huyện Ea H'leo, tỉnh Đắk Lắk; ngày ghi ngày/tháng/năm)"


@cache
def template_workbook() -> bytes:
    """The workbook as bytes: a sheet per kind, its title merged across the table, a note, the headers.
    Made once per process: the exchange page offers it on every run."""
    import openpyxl  # lazy: ~0.15 s to import, paid only when the template is asked for (start-up stays fast)
    from openpyxl.styles import Alignment, Font  # lazy, as above

    book = openpyxl.Workbook()
    first = book.active
    for entity, (title, headers) in SHEETS.items():
        sheet = book.create_sheet(title)
        sheet.append([TITLES[entity]])
        sheet.append([NOTE])
        sheet.append([])
        sheet.append(headers)
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
        sheet["A1"].font = Font(bold=True, size=13)
        sheet["A1"].alignment = Alignment(horizontal="center")
        for cell in sheet[4]:
            cell.font = Font(bold=True)
        for column, header in zip("ABCDEFGHIJ", headers, strict=False):
            sheet.column_dimensions[column].width = max(8, len(header) + 6)
    if first is not None:
        book.remove(first)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
