"""`render.text_table`: typed text shows as typed, whatever it looks like; no tag but the table's own."""

from __future__ import annotations

from html.parser import HTMLParser

from hypothesis import given
from hypothesis import strategies as st

from linkage.render import text_table

from .test_hostile_text import NAMES

HOSTILE = [
    *NAMES.values(),
    "<script>alert('htx')</script>",
    "<img src=x onerror=alert('img')>",
    "![ảnh](http://evil.example/x.png) **đậm** | cột",
    "http://evil.example & www.evil.example",
    "&lt;b&gt; đã mã hoá",
]


class Parsed(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append("".join(self.cell))
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def parsed(markup: str) -> Parsed:
    result = Parsed()
    result.feed(markup)
    result.close()
    return result


def test_hostile_text_is_read_back_as_typed_in_its_cell() -> None:
    rows = [[f"tên {i}", text, "—"] for i, text in enumerate(HOSTILE)]
    table = parsed(text_table(["Trường", "Trước", "Sau"], rows))
    assert table.tags == {"table", "thead", "tbody", "tr", "th", "td"}
    assert table.rows == [["Trường", "Trước", "Sau"], *rows]


@given(st.lists(st.text(), min_size=1, max_size=4))
def test_any_text_is_read_back_as_typed(cells: list[str]) -> None:
    table = parsed(text_table(["a"] * len(cells), [cells]))
    assert table.tags == {"table", "thead", "tbody", "tr", "th", "td"}
    assert table.rows[1] == cells
