"""`html_table.text_table`: typed text shows as typed, whatever it looks like; no tag but the table's own."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from linkage.html_table import text_table

from .apptest import HtmlTable
from .helpers import NAMES

HOSTILE = [
    *NAMES.values(),
    "<script>alert('htx')</script>",
    "<img src=x onerror=alert('img')>",
    "![ảnh](http://evil.example/x.png) **đậm** | cột",
    "http://evil.example & www.evil.example",
    "&lt;b&gt; đã mã hoá",
]


def test_hostile_text_is_read_back_as_typed_in_its_cell() -> None:
    rows = [[f"tên {i}", text, "—"] for i, text in enumerate(HOSTILE)]
    table = HtmlTable(text_table(["Trường", "Trước", "Sau"], rows))
    assert table.tags == {"table", "thead", "tbody", "tr", "th", "td"}
    assert table.rows == [["Trường", "Trước", "Sau"], *rows]


@given(st.lists(st.text(), min_size=1, max_size=4))
def test_any_text_is_read_back_as_typed(cells: list[str]) -> None:
    table = HtmlTable(text_table(["a"] * len(cells), [cells]))
    assert table.tags == {"table", "thead", "tbody", "tr", "th", "td"}
    assert table.rows[1] == cells
