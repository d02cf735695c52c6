"""Streamlit's own words in the user's language, through AppTest: what options and widget parameters
set (placeholders, date formats, no English "Select all", no error links), and the stylesheet that
replaces the texts no option reaches. What a browser finally shows is in tests/browser/test_words.py."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from linkage.i18n import t

from .helpers import COOP_C1, OFFICER_058

App = Callable[..., AppTest]
CONFIG = Path(__file__).parent.parent / ".streamlit" / "config.toml"
PAGES = [(OFFICER_058, p) for p in ("home.py", "coverage.py", "graph.py", "verification.py", "exchange.py")]
PAGES += [(COOP_C1, "my_cooperative.py")]


def english(at: AppTest) -> AppTest:
    at.sidebar.radio(key="lang").set_value("en").run()
    assert not at.exception, at.exception
    return at


def styles(at: AppTest) -> str:
    return "\n".join(str(h.proto.body) for h in at.get("html") if "<style>" in h.proto.body)


@pytest.mark.parametrize(("who", "page"), PAGES, ids=[p for _, p in PAGES])
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_empty_choice_and_date_speaks_the_users_language(app: App, who: object, page: str, lang: str) -> None:
    at = app(who, page)
    if lang == "en":
        english(at)
    # Streamlit's own placeholder ("Choose an option", "Choose options") shows wherever nothing is chosen
    empty = [s for s in at.selectbox if s.value is None] + list(at.multiselect)
    assert all(s.proto.placeholder in (t("app.choose", lang), t("app.choose_commune", lang)) for s in empty), [
        (s.key, s.proto.placeholder) for s in empty
    ]
    assert all(d.proto.format == "DD/MM/YYYY" for d in at.date_input)  # never Streamlit's YYYY/MM/DD
    assert all(not m.proto.select_all for m in at.multiselect)  # its "Select all" is English only


def test_the_graph_pages_filters_are_checked_above(app: App) -> None:
    """The parametrised test above must see the graph page's three filters, or it proves nothing."""
    assert len(app(OFFICER_058, "graph.py").multiselect) == 3


def test_a_required_choice_in_a_form_is_empty_with_the_catalogs_placeholder(app: App) -> None:
    at = app(COOP_C1, "my_cooperative.py")
    product = at.selectbox(key="start_linkage:product_code:vi")
    assert (product.value, product.proto.placeholder) == (None, "Chọn…")


@pytest.mark.parametrize(
    ("lang", "words"),
    [("vi", ["Chọn tệp", "Tối đa 40 MB mỗi tệp", "Không tìm thấy", "Dừng"]), ("en", ["Choose files", "No match"])],
)
def test_the_uploaders_and_lists_words_are_replaced_in_the_sessions_language(
    app: App, lang: str, words: list[str]
) -> None:
    at = app(OFFICER_058, "exchange.py")
    if lang == "en":
        english(at)
    sheet = styles(at)
    assert all(f'content: "{w}"' in sheet for w in words), sheet
    assert 'data-testid="stFileUploaderDropzoneInstructions"' in sheet
    assert '[data-testid="stMainMenu"] { display: none; }' in sheet  # "Print", "Record screen", theme names


def test_signed_out_pages_carry_the_words_too(app: App) -> None:
    assert 'content: "Chọn tệp"' in styles(app())


def test_the_app_shows_no_english_help_links_under_an_error() -> None:
    client = tomllib.loads(CONFIG.read_text(encoding="utf-8"))["client"]
    assert client["showErrorLinks"] is False  # "Copy", "Ask Google", "Ask ChatGPT" under an error
