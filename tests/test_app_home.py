"""The home page as a user sees it: the national picture, in Vietnamese first, English on request."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from linkage.catalog import init
from linkage.db import get_engine
from linkage.exchange import import_path

FIXTURE = Path(__file__).parent / "fixtures" / "bac_kan"


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppTest]:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    init(get_engine(url))
    import_path(get_engine(url), FIXTURE)
    monkeypatch.setenv("LINKAGE_DATABASE_URL", url)
    st.cache_resource.clear()
    at = AppTest.from_file("app_entry.py", default_timeout=60)
    yield at
    st.cache_resource.clear()


def test_home_shows_the_national_targets_in_vietnamese(app: AppTest) -> None:
    app.run()
    assert not app.exception
    assert app.title[0].value == "Theo dõi liên kết chuỗi giá trị"
    labels = [m.label for m in app.metric]
    assert labels == [
        "Xã có hợp tác xã",
        "Huyện có liên kết sản phẩm chủ lực",
        "Liên kết vùng nguyên liệu ứng dụng công nghệ số",
    ]


def test_the_cards_follow_the_chosen_date(app: AppTest) -> None:
    from datetime import date

    app.run()
    app.date_input[0].set_value(date(2021, 12, 31)).run()
    # On 2021-12-31 the fixture has 1 of 3 raw-material linkages with digital technology.
    assert app.metric[2].value == "33,3%"
    assert any("1 trên 3" in c.value for c in app.caption)
    app.date_input[0].set_value(date(2025, 12, 31)).run()
    assert app.metric[2].value == "66,7%"


def test_switching_to_english_is_remembered(app: AppTest) -> None:
    app.run()
    app.sidebar.radio[0].set_value("en").run()
    assert app.title[0].value == "Linkage Tracker"
    assert app.metric[0].label == "Communes with a cooperative"
    app.run()
    assert app.title[0].value == "Linkage Tracker"


def test_a_database_that_is_not_migrated_gets_a_plain_message_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LINKAGE_DATABASE_URL", f"sqlite:///{tmp_path / 'never-initialised.db'}")
    st.cache_resource.clear()
    app = AppTest.from_file("app_entry.py", default_timeout=60)
    app.run()
    assert not app.exception
    assert "linkage init" in app.error[0].value
    assert not app.metric
