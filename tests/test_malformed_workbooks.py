"""A damaged workbook, however damaged, is refused in one plain line, by the exchange reader and by
the office lists' reader alike; never an exception with the server's paths in it. An error of our own
reading code is no damaged file: it goes on, to be logged with a reference (ui.navigation_run)."""

from __future__ import annotations

import io
import struct
import zipfile
from collections import OrderedDict
from collections.abc import Callable

import openpyxl
import pytest

from linkage.exchange import read_uploads
from linkage.lists.problems import ListRefused
from linkage.lists.sheet import read_list


def _good() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "cooperatives"
    sheet.append(["code", "name", "commune_code"])
    sheet.append(["K1", "HTX Một", "01849"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _rewritten(part: str, change: Callable[[bytes], bytes]) -> bytes:
    """The good workbook with one part's content changed (the archive itself stays sound)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(_good())) as good, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bad:
        for item in good.infolist():
            data = good.read(item)
            bad.writestr(item.filename, change(data) if item.filename == part else data)
    return out.getvalue()


def _deflated_bytes_changed() -> bytes:
    """The sheet's compressed bytes changed in the middle: zlib cannot inflate them (`zlib.error`)."""
    data = bytearray(_good())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        item = archive.getinfo("xl/worksheets/sheet1.xml")
    name_length, extra_length = struct.unpack("<HH", data[item.header_offset + 26 : item.header_offset + 30])
    start = item.header_offset + 30 + name_length + extra_length
    for at in range(start + 2, start + item.compress_size - 2, 7):
        data[at] ^= 0x5A
    return bytes(data)


def _needs_a_newer_zip() -> bytes:
    """The directory says a part needs a zip version Python cannot read (`NotImplementedError`)."""
    data = bytearray(_good())
    entry = data.index(b"PK\x01\x02")
    data[entry + 6 : entry + 8] = struct.pack("<H", 0xFF)
    return bytes(data)


def _without(part: str) -> bytes:
    """The good workbook with one part left out of its archive."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(_good())) as good, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bad:
        for item in good.infolist():
            if item.filename != part:
                bad.writestr(item.filename, good.read(item))
    return out.getvalue()


NO_SHEETS = (
    b'<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b"<sheets/></workbook>"
)
DAMAGED: dict[str, Callable[[], bytes]] = {
    "cut short": lambda: _good()[: len(_good()) // 2],
    "not a zip at all": lambda: b"PK\x03\x04 this is no workbook",
    "deflated bytes changed": _deflated_bytes_changed,
    "zip version": _needs_a_newer_zip,
    "sheet empty": lambda: _rewritten("xl/worksheets/sheet1.xml", lambda _: b""),
    "sheet cut in half": lambda: _rewritten("xl/worksheets/sheet1.xml", lambda data: data[: len(data) // 2]),
    "properties not xml": lambda: _rewritten("docProps/core.xml", lambda _: b""),
    "workbook part not xml": lambda: _rewritten("xl/workbook.xml", lambda _: b"\x00\xff not xml"),
    "no sheets listed": lambda: _rewritten("xl/workbook.xml", lambda _: NO_SHEETS),
    "a workbook of something else": lambda: _rewritten("xl/workbook.xml", lambda _: b'<?xml version="1.0"?><foo/>'),
    "sheet part missing": lambda: _without("xl/worksheets/sheet1.xml"),
    "workbook part missing": lambda: _without("xl/workbook.xml"),
    "content types missing": lambda: _without("[Content_Types].xml"),
    "a cell of the wrong kind": lambda: _rewritten(
        "xl/worksheets/sheet1.xml", lambda data: data.replace(b'r="A2"', b'r="A2" s="many"', 1)
    ),
}


@pytest.mark.parametrize("damage", list(DAMAGED))
def test_a_damaged_exchange_workbook_is_refused_in_one_plain_line(damage: str) -> None:
    tables, problems = read_uploads([("cooperatives.xlsx", DAMAGED[damage]())])
    assert tables == [] and len(problems) == 1, problems
    (problem,) = problems
    assert problem.code == "xlsx_broken" and problem.file == "cooperatives.xlsx"
    for language in ("en", "vi"):
        line = problem.message(language)
        assert "\n" not in line and "/" not in line and "Traceback" not in line, line
    assert "cannot be opened" in problem.message("en")


@pytest.mark.parametrize("damage", list(DAMAGED))
def test_a_damaged_office_list_workbook_is_refused_in_one_plain_line(damage: str) -> None:
    with pytest.raises(ListRefused) as refused:
        read_list("danh-sach.xlsx", DAMAGED[damage]())
    assert refused.value.code == "xlsx_broken", refused.value.code


def test_the_good_workbook_the_damage_starts_from_is_read() -> None:
    tables, problems = read_uploads([("cooperatives.xlsx", _good())])
    assert problems == [] and [len(table.rows) for table in tables] == [1]
    assert read_list("danh-sach.xlsx", _good()).rows


def _our_bug(*args: object, **kwargs: object) -> str:
    raise KeyError("a bug of our own reading code, not of the file")


@pytest.mark.parametrize("error", [KeyError, TypeError, ValueError, IndexError])
def test_an_error_of_our_own_exchange_reader_is_not_called_a_damaged_file(
    monkeypatch: pytest.MonkeyPatch, error: type[Exception]
) -> None:
    def bug(*args: object, **kwargs: object) -> str:
        raise error("a bug of our own reading code, not of the file")

    monkeypatch.setattr("linkage.exchange.read._cell_text", bug)
    with pytest.raises(error, match="a bug of our own"):
        read_uploads([("cooperatives.xlsx", _good())])


def test_an_error_of_our_own_list_reader_is_not_called_a_damaged_file(monkeypatch: pytest.MonkeyPatch) -> None:
    # the reader keeps the lists it read by content: an equal workbook read earlier in this worker
    # (openpyxl stamps the second it was saved) would be answered without reading
    monkeypatch.setattr("linkage.lists.sheet._KEPT", OrderedDict())
    monkeypatch.setattr("linkage.lists.sheet.cell_text", _our_bug)
    with pytest.raises(KeyError, match="a bug of our own"):
        read_list("danh-sach.xlsx", _good())
