"""A small table of text for a page (`st.html`), every cell escaped."""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

TABLE_CELL = (  # white-space kept: a cell shows the text as typed, spaces and line breaks included
    "border:1px solid rgba(128,128,128,0.35);padding:0.3rem 0.75rem;text-align:left;vertical-align:top;"
    "white-space:pre-wrap"
)


def text_table(header: Sequence[object], rows: Iterable[Sequence[object]]) -> str:
    """The table's HTML, every cell escaped. Lighter for the browser than a `st.dataframe` grid
    where a page shows many (the verification queue), and user text shows as typed: not as Markdown,
    which `st.table` and `st.markdown` render and whose autolinks make any typed address a link."""

    def line(cells: Sequence[object], tag: str) -> str:
        return "<tr>" + "".join(f'<{tag} style="{TABLE_CELL}">{html.escape(str(c))}</{tag}>' for c in cells) + "</tr>"

    body = "".join(line(row, "td") for row in rows)
    return f'<table style="border-collapse:collapse"><thead>{line(header, "th")}</thead><tbody>{body}</tbody></table>'
