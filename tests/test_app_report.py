"""The coverage page's report download (AppTest): the document is written when the button is clicked,
for the unit, date, map, verified switch and trend reading the page shows, issued by the account's office."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date

import docx
import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest, app_test

from .helpers import PLANNER_06, PLANNER_VN
from .report_reading import figures, read

App = Callable[..., AppTest]


@pytest.fixture
def clicked(monkeypatch: pytest.MonkeyPatch) -> Callable[[AppTest], bytes]:
    """What the report button gives the user when clicked: the page hands Streamlit a function that
    writes the document on click, registered with the run's media manager (recorded here)."""
    managers: list[MediaFileManager] = []

    class Recording(MediaFileManager):
        def __init__(self, storage) -> None:  # type: ignore[no-untyped-def]
            super().__init__(storage)
            managers.append(self)

    monkeypatch.setattr(app_test, "MediaFileManager", Recording)

    def click(at: AppTest) -> bytes:
        (button,) = [b for b in at.get("download_button") if "report_docx" in b.proto.id]
        assert not button.proto.disabled
        file_id = button.proto.deferred_file_id
        manager = next(m for m in reversed(managers) if file_id in m._deferred_callables)
        url = manager.execute_deferred(file_id)
        return bytes(manager._storage.get_file(url.rsplit("/", 1)[-1].split(".")[0]).content)

    return click


def test_the_report_is_the_unit_date_and_map_the_page_shows(app: App, clicked: Callable[[AppTest], bytes]) -> None:
    at = app(PLANNER_06, "coverage.py", map="2025-01", unit="06")
    at.date_input(key="coverage_as_of").set_value(date(2025, 12, 31)).run()
    assert not at.exception
    (button,) = [b for b in at.get("download_button") if "report_docx" in b.proto.id]
    assert button.proto.label == "Tải báo cáo (Word)"
    assert button.proto.deferred_file_id  # written on click, not on every run of the page
    found = read(clicked(at))
    assert "Tỉnh Bắc Kạn tính đến ngày 31/12/2025 (bản đồ hành chính 2025-01)" in found.text
    shown = figures(found, "vi")
    # the page's own cards: 4 of Bắc Kạn's 95 rural communes (tests/test_coverage.py)
    assert (shown[("communes_with_cooperative", "self", "reported")]["numerator"], len(at.metric)) == (4, 3)
    # the issuing office is the account's (a planner of Bắc Kạn before the reform: its department then),
    # under the body above it
    assert found.tables[0][1][0][0].splitlines()[:2] == [
        "ỦY BAN NHÂN DÂN TỈNH BẮC KẠN",
        "SỞ NÔNG NGHIỆP VÀ PHÁT TRIỂN NÔNG THÔN",
    ]


def test_the_report_follows_the_language_and_the_trend_reading(app: App, clicked: Callable[[AppTest], bytes]) -> None:
    at = app(PLANNER_VN, "coverage.py", map="2025-07", unit="VN")
    at.radio(key="reading:vi").set_value("today").run()
    found = read(clicked(at))
    assert "mỗi ngày tính trên bản đồ hiện nay" in found.text
    (trend,) = [rows for before, rows in found.tables if rows[0][:2] == ["Ngày", "Bản đồ"]]
    assert {row[1] for row in trend[1:]} == {"2025-07"}  # every year end on today's map, as the page's chart
    english = read(clicked(at.sidebar.radio(key="lang").set_value("en").run()))
    assert "SOCIALIST REPUBLIC OF VIET NAM" in english.text
    assert docx.Document(io.BytesIO(clicked(at))).sections[0].page_width is not None


def test_a_date_before_the_programme_disables_the_report_and_says_why(app: App) -> None:
    at = app(PLANNER_VN, "coverage.py", map="2025-01", unit="VN")
    at.date_input(key="coverage_as_of").set_value(date(2020, 12, 31)).run()
    (button,) = [b for b in at.get("download_button") if "report_docx" in b.proto.id]
    assert button.proto.disabled
    assert "trước ngày bắt đầu giai đoạn của Chương trình" in button.proto.help
