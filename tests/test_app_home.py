"""The home page as a user sees it: the national picture, in Vietnamese first, English on request."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest


@pytest.fixture
def home(database: str) -> AppTest:
    """The app, signed out, on the Bắc Kạn fixture (the shared `database` of the page tests)."""
    return AppTest.from_file("app_entry.py", default_timeout=60)


def test_home_shows_the_national_targets_in_vietnamese(home: AppTest) -> None:
    home.run()
    assert not home.exception
    assert home.title[0].value == "Theo dõi liên kết chuỗi giá trị"
    labels = [m.label for m in home.metric]
    # today is on the map of 1 July 2025: no district, so no district indicator
    assert labels == ["Xã có hợp tác xã", "Liên kết vùng nguyên liệu ứng dụng công nghệ số"]
    assert "bản đồ 2025-07" in home.subheader[0].value


def test_the_cards_follow_the_chosen_date(home: AppTest) -> None:
    from datetime import date

    home.run()
    home.date_input[0].set_value(date(2021, 12, 31)).run()
    # On 2021-12-31 the fixture has 1 of 3 raw-material linkages with digital technology.
    assert home.metric[2].value == "33,3%"
    assert any("1 trên 3" in c.value for c in home.caption)
    assert "bản đồ 2025-01" in home.subheader[0].value
    home.date_input[0].set_value(date(2025, 12, 31)).run()
    assert home.metric[1].value == "66,7%" and len(home.metric) == 2  # on the map of 2025-07


def test_switching_to_english_is_remembered(home: AppTest) -> None:
    home.run()
    home.sidebar.radio[0].set_value("en").run()
    assert home.title[0].value == "Linkage Tracker"
    assert home.metric[0].label == "Communes with a cooperative"
    home.run()
    assert home.title[0].value == "Linkage Tracker"


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


def test_a_signed_in_user_is_named_by_the_office_it_works_for_in_both_languages(app) -> None:  # type: ignore[no-untyped-def]
    from linkage.accounts.users import Actor

    at = app(Actor("lan", "officer", "058"))
    office = "Phòng Nông nghiệp thành phố Bắc Kạn, Tỉnh Bắc Kạn (trước 01/07/2025)"
    assert any(office in i.value for i in at.info)
    assert any(office.replace("(", "\\(").replace(")", "\\)") in m.value for m in at.sidebar.markdown)
    at.sidebar.radio[0].set_value("en").run()
    assert any("Agriculture Office of Thành Phố Bắc Kạn, Tỉnh Bắc Kạn (before 1 July 2025)" in i.value for i in at.info)
