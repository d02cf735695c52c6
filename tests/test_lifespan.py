""" "Active on a date" has one definition: the SQL condition and the DataFrame mask agree with the
rule as DOMAIN.md words it (start day counts, end day does not, no start or end is open)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import sqlalchemy as sa

from linkage.counting.lifespan import ALWAYS, COOPERATIVE, NEVER, Days, ordinals

SPANS = {  # code: (established_on, dissolved_on)
    "open": (None, None),
    "from_march": (date(2023, 3, 1), None),
    "until_march": (None, date(2023, 3, 1)),
    "one_day": (date(2023, 3, 1), date(2023, 3, 2)),
    "same_day": (date(2023, 3, 1), date(2023, 3, 1)),
    "old": (date(2019, 1, 1), date(2020, 1, 1)),
}
DAYS = (date(2019, 12, 31), date(2020, 1, 1), date(2023, 2, 28), date(2023, 3, 1), date(2023, 3, 2), date(2030, 1, 1))


def by_the_words(start: date | None, end: date | None, day: date) -> bool:
    """DOMAIN.md: active from the start day included to the end day excluded; missing bounds are open."""
    return (start is None or start <= day) and (end is None or day < end)


def test_the_sql_condition_and_the_dataframe_mask_give_the_rule_on_every_boundary() -> None:
    engine = sa.create_engine("sqlite://")
    spans = sa.Table(
        "spans",
        sa.MetaData(),
        sa.Column("code", sa.String, primary_key=True),
        sa.Column("established_on", sa.Date),
        sa.Column("dissolved_on", sa.Date),
    )
    spans.metadata.create_all(engine)
    rows = [{"code": c, "established_on": s, "dissolved_on": e} for c, (s, e) in SPANS.items()]
    with engine.begin() as conn:
        conn.execute(spans.insert(), rows)
    # As coverage reads them from SQLite: ISO text, None for a missing date.
    iso = [{k: v.isoformat() if isinstance(v, date) else v for k, v in r.items()} for r in rows]
    frame = COOPERATIVE.with_ordinals(pd.DataFrame(iso))
    for day in DAYS:
        expected = {code for code, (start, end) in SPANS.items() if by_the_words(start, end, day)}
        with engine.connect() as conn:
            in_sql = set(conn.execute(sa.select(spans.c.code).where(COOPERATIVE.condition(spans.c, day))).scalars())
        in_frame = set(frame.loc[COOPERATIVE.mask(frame, day.toordinal()), "code"])
        assert in_sql == expected, day
        assert in_frame == expected, day
    assert {code for code, (s, e) in SPANS.items() if by_the_words(s, e, date(2023, 3, 1))} == {
        "open",
        "from_march",
        "one_day",
    }


def test_dates_become_ordinals_from_sqlite_text_and_postgresql_dates_alike() -> None:
    # SQLite gives ISO text, PostgreSQL date objects; a date an officer left empty may be None, "" or
    # pandas' NaN after a merge. Each missing date becomes the open bound asked for.
    values = pd.Series(["2023-03-01", date(2023, 3, 1), None, "", float("nan"), "0001-01-01"], dtype=object)
    got = ordinals(values, ALWAYS).tolist()
    march = (date(2023, 3, 1) - date(1, 1, 1)).days + 1  # ordinal: day 1 is 1 January of year 1
    assert got == [march, march, ALWAYS, ALWAYS, ALWAYS, 1]
    assert ordinals(values, NEVER).tolist()[2:5] == [NEVER] * 3


def test_plain_values_become_the_same_ordinals_as_a_column() -> None:
    # `Days` serves a read with no pandas (`linkage coverage`): SQLite's text, PostgreSQL's dates and
    # an empty date give what `ordinals` gives a column of them (no NaN comes from a driver).
    values = ["2023-03-01", date(2023, 3, 1), None, "", "0001-01-01", "2024-02-29", "2023-03-01"]
    for missing in (ALWAYS, NEVER):
        days = Days(missing)
        assert [days[v] for v in values] == ordinals(pd.Series(values, dtype=object), missing).tolist()
