"""The history is stored in UTC and shown on Vietnam's clock (UTC+7), saying so, in the command line
and on every page that lists changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from linkage.i18n import vietnam_time

from .helpers import FIXTURE, linkage, url


def test_a_utc_moment_is_shown_on_vietnams_clock_and_says_so() -> None:
    evening_in_utc = datetime(2025, 3, 5, 17, 30, tzinfo=UTC)  # already the next morning in Hà Nội
    assert vietnam_time(evening_in_utc) == "06/03/2025 00:30 (UTC+7)"
    assert vietnam_time(evening_in_utc.replace(tzinfo=None)) == "06/03/2025 00:30 (UTC+7)"  # as SQLite gives it
    assert vietnam_time(evening_in_utc.astimezone(timezone(timedelta(hours=-5)))) == "06/03/2025 00:30 (UTC+7)"


def test_linkage_history_shows_the_recorded_moment_in_vietnam_time(engine: Engine) -> None:
    db = url(engine)
    assert linkage("import", str(FIXTURE), "--db", db).returncode == 0
    with engine.connect() as conn:
        stored = conn.execute(
            sa.text("SELECT at FROM change_log WHERE entity = 'cooperatives' AND record_key = 'C1'")
        ).scalar_one()
    if isinstance(stored, str):  # SQLite hands the column back as text
        stored = datetime.fromisoformat(stored)
    moment = stored.replace(tzinfo=UTC) if stored.tzinfo is None else stored.astimezone(UTC)
    expected = (moment + timedelta(hours=7)).strftime("%d/%m/%Y %H:%M")
    (line,) = linkage("history", "cooperative", "C1", "--db", db).stdout.splitlines()
    assert line.split("\t")[0] == f"{expected} (UTC+7)"
