"""An error no page expected: a plain message in the user's language with a short reference, and
the traceback in the server's log under the same reference; never the error's own text."""

from __future__ import annotations

import logging
import re
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import linkage.counting.coverage
from linkage.accounts.users import Actor

from .apptest import texts

OFFICER = Actor("lan", "officer", "058")
LEAK = "/srv/linkage/secret_module.py: SELECT password_hash FROM user_account WHERE username = 'admin'"
MESSAGES = {
    "vi": "Trang này gặp lỗi ngoài dự kiến",
    "en": "Something went wrong on this page",
}


def _fail(*args: object, **kwargs: object) -> None:
    raise RuntimeError(LEAK)


@pytest.mark.parametrize("language", ["vi", "en"])
def test_an_unexpected_error_shows_a_reference_the_log_has_with_its_traceback(
    app: Callable[..., AppTest],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    language: str,
) -> None:
    monkeypatch.setattr("ui.RERAISE_UNEXPECTED", False)
    at = app(OFFICER)
    at.session_state["lang"] = language
    at.run()
    monkeypatch.setattr(linkage.counting.coverage, "opening_figures", _fail)
    caplog.clear()
    with caplog.at_level(logging.ERROR, logger="linkage.app"):
        at.run()
    reference = _reference_logged(at, caplog, language, "lan")
    assert "_fail" in caplog.text  # the traceback names where it was raised
    at.run()  # the next run gets a new reference
    again = re.search(r"\b([0-9a-f]{8})\b", at.error[0].value)
    assert again is not None and again.group(1) != reference


def test_streamlit_shows_no_error_details_for_what_escapes_the_pages() -> None:
    config = tomllib.loads((Path(__file__).parent.parent / ".streamlit" / "config.toml").read_text())
    assert config["client"]["showErrorDetails"] == "none"


@pytest.fixture
def served_handler(monkeypatch: pytest.MonkeyPatch) -> None:
    """AppTest's script runner given the error handler `serve.py` gives `st.App` (which AppTest
    does not build): errors outside a page then take the road they take when served."""
    from streamlit.testing.v1.local_script_runner import LocalScriptRunner

    from ui import script_error

    built = LocalScriptRunner.__init__

    def with_handler(self: LocalScriptRunner, *args: object, **kwargs: object) -> None:
        built(self, *args, **kwargs)  # type: ignore[arg-type]
        self._on_script_error = script_error

    monkeypatch.setattr(LocalScriptRunner, "__init__", with_handler)


def test_serve_gives_streamlit_the_handler_of_errors_outside_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    import runpy

    import streamlit as st

    from ui import script_error

    given: dict[str, object] = {}

    def app(script: object, **options: object) -> None:
        given.update(options)

    monkeypatch.setattr(st, "App", app)
    runpy.run_path(str(Path(__file__).parent.parent / "serve.py"))
    assert given["on_script_error"] is script_error


def _reference_logged(at: AppTest, caplog: pytest.LogCaptureFixture, language: str, user: str) -> str:
    """The one error shown: the plain message with a reference, which the log holds with the traceback."""
    assert not at.exception  # Streamlit's own error box never comes
    shown = texts(at)
    assert LEAK not in shown and "RuntimeError" not in shown and "Traceback" not in shown
    errors = [error.value for error in at.error]
    assert len(errors) == 1 and errors[0].startswith(MESSAGES[language]), errors
    found = re.search(r"\b([0-9a-f]{8})\b", errors[0])
    assert found is not None, errors[0]
    reference = found.group(1)
    (record,) = [r for r in caplog.records if r.name == "linkage.app"]
    assert reference in record.getMessage() and f"user {user}" in record.getMessage()
    assert "Traceback" in caplog.text and LEAK in caplog.text
    return reference


@pytest.mark.parametrize("language", ["vi", "en"])
def test_an_error_in_the_entry_script_shows_a_reference_the_log_has(
    app: Callable[..., AppTest],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    served_handler: None,
    language: str,
) -> None:
    at = app(OFFICER)
    at.session_state["lang"] = language
    at.run()
    # The sidebar's office line is written by streamlit_app.py itself, before any page runs.
    monkeypatch.setattr("linkage.accounts.offices.office_of", _fail)
    caplog.clear()
    with caplog.at_level(logging.ERROR, logger="linkage.app"):
        at.run()
    _reference_logged(at, caplog, language, "lan")
    assert "_fail" in caplog.text


def _callback_app() -> None:
    import streamlit as st

    def fail() -> None:
        raise RuntimeError(
            "/srv/linkage/secret_module.py: SELECT password_hash FROM user_account WHERE username = 'admin'"
        )

    st.session_state.setdefault("lang", "vi")
    st.button("go", key="go", on_click=fail)
    st.write("the page ran")


@pytest.mark.parametrize("language", ["vi", "en"])
def test_an_error_in_a_widget_callback_shows_a_reference_the_log_has(
    caplog: pytest.LogCaptureFixture, served_handler: None, language: str
) -> None:
    at = AppTest.from_function(_callback_app, default_timeout=30)
    at.session_state["lang"] = language
    at.run()
    assert not at.exception and not at.error
    caplog.clear()
    with caplog.at_level(logging.ERROR, logger="linkage.app"):
        at.button("go").click().run()
    _reference_logged(at, caplog, language, "-")
    assert "in fail" in caplog.text  # the callback's own frame
