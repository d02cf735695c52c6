"""AppTest helpers: the pages folder, starting the app signed in, and the text a page shows."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import asdict
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from streamlit.runtime.media_file_storage import MediaFileStorageError
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest, app_test

from linkage.accounts.users import SYSTEM, Actor, add_user, current_actor
from linkage.records.catalog import init
from linkage.records.importing import import_path
from linkage.store.db import get_engine
from tests.helpers import FIXTURE

PAGES = Path(__file__).parent.parent / "pages"
PASSWORD = "mật-khẩu-dài"  # of every account the tests sign in with


@pytest.fixture(autouse=True)
def page_errors_raise(monkeypatch: pytest.MonkeyPatch) -> None:
    """A page's unexpected error fails the test that met it (`AppTest.exception`), besides the
    message with a reference users see (ui.navigation_run); tests of that message turn it off."""
    monkeypatch.setattr("ui.RERAISE_UNEXPECTED", True)


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    init(get_engine(url))
    import_path(get_engine(url), FIXTURE)
    add_user(get_engine(url), SYSTEM, "lan", PASSWORD, "officer", "058")
    monkeypatch.setenv("LINKAGE_DATABASE_URL", url)
    st.cache_resource.clear()
    yield url
    st.cache_resource.clear()


@pytest.fixture
def app(database: str) -> Callable[..., AppTest]:
    def start(actor: Actor | None = None, page: str | None = None, **query: str) -> AppTest:
        at = AppTest.from_file("app_entry.py", default_timeout=60)
        if actor is not None:  # signed in as an account that exists: the app checks it on every run
            engine = get_engine(database)
            if current_actor(engine, actor.username) is None:
                unit = None if actor.cooperative_code else actor.unit_code  # on the actor's map
                add_user(
                    engine, SYSTEM, actor.username, PASSWORD, actor.role, unit, actor.cooperative_code, actor.unit_map
                )
            at.session_state["actor"] = asdict(actor)
        for key, value in query.items():
            at.query_params[key] = value
        at.run()
        if page:
            at.switch_page(str(PAGES / page))
            at.run()
        assert not at.exception, at.exception
        return at

    return start


GRAPH_LISTS = {  # the graph page's lists of what to act on, by their tabs
    "unlinked": "Chưa tham gia liên kết",
    "dependence": "Phụ thuộc bên mua",
    "no_digital": "Chưa có công nghệ số",
    "single_buyer": "Chỉ một bên mua",
}


def graph_list(at: AppTest, name: str) -> pd.DataFrame:
    """One of the graph page's lists as the user sees it after opening its tab (the page reads a list
    only while its part and its tab are open): the first table the page then shows."""
    at.session_state["graph_act_on"] = True
    at.session_state["graph_tabs"] = GRAPH_LISTS[name]
    at.run()
    assert not at.exception, at.exception
    return at.dataframe[0].value


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [e.value for e in at.error]
    parts += [s.value for s in at.success] + [i.value for i in at.info] + [w.value for w in at.warning]
    return re.sub(r"\\(.)", r"\1", "\n".join(str(p) for p in parts))  # as read: Markdown escapes removed


class HtmlTable(HTMLParser):
    """An HTML table as a reader gets it: the text of each cell, row by row (entities decoded), and
    every tag the markup holds."""

    def __init__(self, markup: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None
        self.feed(markup)
        self.close()

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


def text_tables(at: AppTest) -> list[list[dict[str, str]]]:
    """The tables a page shows through `st.html` (`html_table.text_table`), each as rows of {column: text as read}."""
    tables = []
    for element in at.get("html"):
        cells = HtmlTable(element.proto.body)
        if cells.rows:
            header, *rows = cells.rows
            tables.append([dict(zip(header, row, strict=True)) for row in rows])
    return tables


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> Callable[[AppTest], bytes]:
    """What the page's last download button gives the user: its bytes, from the media storage
    AppTest keeps in memory (recorded as the test run creates it)."""
    storages: list[MemoryMediaFileStorage] = []

    class Recording(MemoryMediaFileStorage):
        def __init__(self, media_endpoint: str) -> None:
            super().__init__(media_endpoint)
            storages.append(self)

    monkeypatch.setattr(app_test, "MemoryMediaFileStorage", Recording)

    def last(at: AppTest) -> bytes:
        name = at.get("download_button")[-1].proto.url.rsplit("/", 1)[-1]
        for storage in reversed(storages):
            try:
                return storage.get_file(name).content
            except MediaFileStorageError:
                continue
        raise AssertionError(f"no download {name} was stored")

    return last
