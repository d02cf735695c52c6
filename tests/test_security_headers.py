"""Every answer of the served app (`streamlit run serve.py`) forbids framing by other sites and
content sniffing, and Streamlit's metrics are not answered; asked over plain HTTP."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator
from email.message import Message

import pytest

from linkage.records.catalog import init
from linkage.store.db import dispose_engine, get_engine
from tests.server import app_server
from ui.signin import ROUTE


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = f"sqlite:///{tmp_path_factory.mktemp('served') / 'app.db'}"
    init(get_engine(url))
    with app_server(url, "serve.py") as base:
        yield base
    dispose_engine(url)


def answer(url: str, method: str = "GET") -> tuple[int, Message, bytes]:
    request = urllib.request.Request(url, method=method, data=b"" if method == "POST" else None)
    try:
        with urllib.request.urlopen(request, timeout=30) as found:
            return found.status, found.headers, found.read()
    except urllib.error.HTTPError as refused:
        return refused.code, refused.headers, refused.read()


@pytest.mark.parametrize(
    ("path", "method"),
    [
        ("/", "GET"),
        ("/coverage", "GET"),
        ("/_stcore/health", "GET"),
        ("/_stcore/host-config", "GET"),
        (f"/{ROUTE}", "POST"),
        ("/no-such-thing.js", "GET"),
    ],
)
def test_every_answer_forbids_framing_by_other_sites_and_sniffing(served: str, path: str, method: str) -> None:
    status, headers, _ = answer(served + path, method)
    assert status < 500, status
    assert headers.get_all("Content-Security-Policy") == ["frame-ancestors 'self'"]
    assert headers.get_all("X-Frame-Options") == ["SAMEORIGIN"]
    assert headers.get_all("X-Content-Type-Options") == ["nosniff"]
    assert headers.get_all("Referrer-Policy") == ["same-origin"]


@pytest.mark.parametrize("path", ["/_stcore/metrics", "/_stcore/metrics/", "/_stcore/metrics?families=session_state"])
def test_streamlits_metrics_are_not_answered(served: str, path: str) -> None:
    status, headers, body = answer(served + path)
    assert status == 404 and b"session" not in body and b"cache" not in body
    assert headers.get("X-Frame-Options") == "SAMEORIGIN"
