"""What a filed report says, as plain values: the unit's indicator rows, the units below it, the trend,
the gaps with what would close them, the records to settle and when the data was read.

The figures are `indicators.compute`'s rows for the date and map over the same facts `linkage coverage`
and the coverage page count (`coverage.FACTS`): one computation, read here, never counted again. The
rules are in docs/indicators.md.

Example: `build(engine, Unit("2025-01", "province", "06"), date(2025, 12, 31), office="Sở …")` gives
Bắc Kạn's three rows (`cards`), its eight in-scope districts under each indicator (`children`, the
furthest from its target first), its year ends 2021–2025 on 2025-01 (`history`) and what is missing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import col

from linkage.accounts.offices import heading, office_of
from linkage.actor import Actor
from linkage.counting.coverage import FACTS, unit_candidates
from linkage.counting.coverage_view import unit_trend, unit_view
from linkage.counting.indicators import (
    ALL_LEVELS,
    COMMUNES,
    DISTRICTS,
    INDICATORS,
    TARGETS,
    YEAR_ENDS,
    Candidates,
    LinkageCounts,
    compute,
    linkage_counts,
    trend,
    with_gap,
)
from linkage.errors import UserFacingError
from linkage.geo.maps import NEW_MAP, OLD_MAP, Unit, check_map, map_data, province_crosswalk
from linkage.geo.typed_codes import AmbiguousCode
from linkage.i18n import t
from linkage.records.permissions import is_admin
from linkage.records.settling import to_settle
from linkage.records.unplaced import UnknownUnit, UnplacedRecord, resolve
from linkage.store.db import read_session
from linkage.store.models import ChangeLog, Linkage, Review

FIRST_DAY = date(2021, 1, 1)  # the programme's period starts: nothing is reported before it
READINGS = ("map", "own", "today")  # the trend: every date on the report's map, or the coverage page's readings
LISTED = 100  # rows a list of the report shows at most (candidates, records to settle); the rest are counted
# What a report covers on each map: the country, a province, and a district (2025-01) or a commune (2025-07).
REPORT_LEVELS = {OLD_MAP: ("province", "district"), NEW_MAP: ("province", "commune")}


class ReportRefused(UserFacingError):
    """A report that cannot be made as asked: a unit not on the map, a date outside the programme's
    period, a file that cannot be written. Worded in the catalogs' `[report.refused]`."""

    def message(self, lang: str = "en") -> str:
        return t(f"report.refused.{self.key}", lang, **self.params)


def read_unit(code: str, on: str) -> Unit:
    """The unit a report is asked for: `VN`, a province, or a district of 2025-01 / commune of 2025-07
    (leading zeros may be left out unless the code then names several units: refused naming each,
    `typed_codes.AmbiguousCode`), read on map `on`."""
    try:
        return resolve(code, check_map(on), REPORT_LEVELS[on])
    except AmbiguousCode:
        raise
    except UnknownUnit:
        levels = REPORT_LEVELS[on]
        raise ReportRefused("unit", code=code, map=on, levels=" / ".join(("VN", *levels))) from None


def _issuing_scope(unit: Unit, actor: Actor | None) -> Actor | None:
    """Whose office issues the report: the signed-in account's, else, on the command line, the office
    that keeps the unit's figures today: the ministry for the country, the economic office of a
    commune of 2025-07, and for a province of either map or a district of 2025-01 the Department of
    Agriculture and Environment of the province of 2025-07 that holds it (the district offices and
    the old provinces' departments are gone since 1 July 2025)."""
    if actor is not None and not is_admin(actor):  # an administrator issues as the unit's office
        return actor
    if unit.level == "national":
        return None  # the ministry
    if unit.map == NEW_MAP:
        return Actor("", "officer", unit.code, unit_map=NEW_MAP)
    (province,) = province_crosswalk()[map_data(OLD_MAP).province_of(unit)]  # each went whole into one
    return Actor("", "officer", province, unit_map=NEW_MAP)


def issuing_office(unit: Unit, lang: str, actor: Actor | None = None) -> str:
    """The issuing office's full name (`_issuing_scope`)."""
    who = _issuing_scope(unit, actor)
    return t("office.ministry", lang) if who is None else office_of(who, lang)


def issuing_heading(unit: Unit, lang: str, actor: Actor | None = None) -> tuple[str, str]:
    """The issuing office as the document's heading names it: the body above it and its own name
    (`offices.heading`)."""
    who = _issuing_scope(unit, actor)
    return (
        ("", t("office.ministry", lang))
        if who is None
        else heading(who.role, who.unit_code, who.unit_map or OLD_MAP, lang, who.cooperative_code)
    )


def check_date(as_of: date, today: date) -> date:
    """`as_of` when it lies in the programme's period up to today, else the refusal naming the bounds."""
    if as_of < FIRST_DAY:
        raise ReportRefused("too_early", date=as_of.strftime("%d/%m/%Y"), first=FIRST_DAY.strftime("%d/%m/%Y"))
    if as_of > today:
        raise ReportRefused("in_future", date=as_of.strftime("%d/%m/%Y"), today=today.strftime("%d/%m/%Y"))
    return as_of


def trend_dates(as_of: date) -> tuple[date, ...]:
    """The year ends a report's trend shows: 2021–2025, then every later year end up to `as_of`.

    >>> [d.year for d in trend_dates(date(2027, 3, 1))]
    [2021, 2022, 2023, 2024, 2025, 2026]
    """
    later = tuple(date(year, 12, 31) for year in range(2026, as_of.year + 1) if date(year, 12, 31) <= as_of)
    return (*YEAR_ENDS, *later)


@dataclass(frozen=True)
class Settling:
    """What settling a unit's unplaced records could change for one indicator of the unit."""

    indicator: str
    unplaced: int  # records of the unit placed above the indicator's lowest level
    numerator: int
    denominator: int
    at_most: int  # the unit's numerator if every one of them landed where it is still missing
    would_meet: bool | None  # whether `at_most` meets the target (None: no data)


@dataclass(frozen=True)
class Report:
    """Everything a report shows, language aside. Frames have the columns of `indicators.COLUMNS` plus
    `needed` (and, when changes wait, `verified_numerator`, `verified_denominator`, `verified_ratio`,
    `verified_met`)."""

    unit: Unit
    as_of: date
    map: str
    office: str
    issued_on: date
    verified_only: bool
    reading: str
    cards: pd.DataFrame  # the unit's own rows, in the indicators' order; empty for a unit with no rural commune
    figures_unit: Unit  # the unit whose figures count this one (itself, or the nearest unit above with figures)
    children: pd.DataFrame  # the rows of the units one level below, furthest from the target first
    history: pd.DataFrame  # the unit's rows at each of `dates` (with `as_of`)
    dates: tuple[date, ...]
    candidates: Candidates
    linkage_names: dict[str, str]  # code -> name of the candidate linkages listed
    unplaced: list[UnplacedRecord]  # the records to settle the reader may see
    settling: list[Settling]
    counts: LinkageCounts  # linkages in the unit on the date (what a unit with no rural commune still has)
    waiting: int  # changes waiting for an officer's verification, in the whole database
    last_change: datetime | None  # the last change recorded in the history (UTC)
    read_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    issuer: tuple[str, str] = ("", "")  # the heading's body above the office and the office ("": `office`)

    @property
    def has_figures(self) -> bool:
        return self.figures_unit == self.unit

    @property
    def shows_verified(self) -> bool:
        """Whether the tables carry the verified figures beside the reported ones: some change waits."""
        return not self.verified_only and self.waiting > 0


def _ordered(rows: pd.DataFrame) -> pd.DataFrame:
    order = {indicator: n for n, indicator in enumerate(INDICATORS)}
    return rows.assign(_order=rows["indicator"].map(order)).sort_values(["_order", "unit_code"]).drop(columns="_order")


def by_gap(rows: pd.DataFrame) -> pd.DataFrame:
    """Rows of one level, each indicator apart, the furthest from its target first: most still needed,
    then the lowest ratio; units with no data last."""
    order = {indicator: n for n, indicator in enumerate(INDICATORS)}
    ranked = with_gap(rows).assign(
        _order=rows["indicator"].map(order),
        _nodata=rows["denominator"].eq(0),
        _ratio=rows["ratio"].fillna(2.0),
    )
    ranked = ranked.sort_values(
        ["_order", "_nodata", "needed", "_ratio", "unit_code"], ascending=[True, True, False, True, True]
    )
    return ranked.drop(columns=["_order", "_nodata", "_ratio"]).reset_index(drop=True)


def _with_verified(rows: pd.DataFrame, verified: pd.DataFrame) -> pd.DataFrame:
    keep = verified[["indicator", "unit_code", "numerator", "denominator", "ratio", "met"]].rename(
        columns={c: f"verified_{c}" for c in ("numerator", "denominator", "ratio", "met")}
    )
    merged = rows.merge(keep, on=["indicator", "unit_code"], how="left", validate="one_to_one")
    merged.index = rows.index
    return merged


def settling_effect(cards: pd.DataFrame) -> list[Settling]:
    """For each indicator of the unit with records placed above its lowest level: the most the unit's
    numerator could reach once they are settled. A cooperative settled in a rural commune without one
    adds that commune, a key-product linkage settled in a district without one adds that district, and
    never beyond the denominator; a raw-material linkage already counts in the unit itself (settling
    it moves only the units below), so that figure stays."""
    found = []
    for row in cards.to_dict("records"):
        unplaced = int(row["unplaced"])
        if not unplaced:
            continue
        numerator, denominator = int(row["numerator"]), int(row["denominator"])
        grows = row["indicator"] in (COMMUNES, DISTRICTS)
        at_most = min(numerator + unplaced, denominator) if grows else numerator
        target = TARGETS[str(row["indicator"])]
        meets = None if denominator == 0 else at_most * target.denominator >= target.numerator * denominator
        found.append(Settling(str(row["indicator"]), unplaced, numerator, denominator, at_most, meets))
    return found


def _history(engine: Engine, unit: Unit, dates: tuple[date, ...], reading: str, verified_only: bool) -> pd.DataFrame:
    facts = FACTS.get(engine, verified_only)
    if reading == "map":  # every year end on the report's own map: the unit exists on each
        # all levels, as the report's own date was counted: a year end already counted is not counted again
        rows = trend(facts, dates, ALL_LEVELS, unit.map)
        rows = rows[rows["level"] == unit.level]
        return rows[rows["unit_code"] == unit.code].reset_index(drop=True)
    return unit_trend(facts, unit, reading, dates).reset_index(drop=True)


def _stored(engine: Engine, codes: list[str]) -> tuple[dict[str, str], int, datetime | None]:
    """The names of these linkages, how many changes wait for verification, and the last change's time."""
    with read_session(engine) as session:
        names = {
            str(code): str(name)
            for code, name in session.execute(
                sa.select(col(Linkage.code), col(Linkage.name)).where(col(Linkage.code).in_(codes))
            )
        }
        waiting = int(session.execute(sa.select(sa.func.count()).select_from(Review)).scalar_one())
        last = session.execute(sa.select(sa.func.max(col(ChangeLog.at)))).scalar_one_or_none()
    return names, waiting, last


def build(
    engine: Engine,
    unit: Unit,
    as_of: date,
    *,
    office: str,
    actor: Actor,
    verified_only: bool = False,
    reading: str = "map",
    today: date | None = None,
    issuer: tuple[str, str] = ("", ""),
) -> Report:
    """The report of `unit` (a unit of the map it is read on) as of `as_of`, as `actor` may read it.

    Refused (`ReportRefused`) for a date before 2021 or after today. `reading` is how the trend reads its
    dates (`READINGS`): on the unit's map (`map`, the command line's), or as the coverage page shows it."""
    issued = today or date.today()
    check_date(as_of, issued)
    if reading not in READINGS:
        raise ValueError(f"unknown reading {reading!r}")
    on = unit.map
    rows = compute(FACTS.get(engine, verified_only), as_of, ALL_LEVELS, on)  # what `linkage coverage` prints
    view = unit_view(rows, on, unit.code, on)
    has_figures = view.figures_unit == view.unit
    cards = _ordered(with_gap(view.cards)) if has_figures else rows.iloc[0:0].assign(needed=0)
    children = by_gap(view.children) if has_figures and len(view.children) else rows.iloc[0:0].assign(needed=0)
    dates = trend_dates(as_of)
    history = _history(engine, unit, dates, reading, verified_only) if has_figures else pd.DataFrame()
    found = unit_candidates(engine, actor, as_of, unit, verified_only)
    listed = sorted(found.linkages_without_digital["code"].astype(str))[:LISTED]
    names, waiting, last = _stored(engine, listed)
    if not verified_only and waiting:
        checked = compute(FACTS.get(engine, True), as_of, ALL_LEVELS, on)
        cards = _with_verified(cards, checked)
        children = _with_verified(children, checked)
    records = to_settle(engine, actor, on, None if unit.level == "national" else unit)
    return Report(
        unit=view.unit,
        as_of=as_of,
        map=on,
        office=office,
        issuer=issuer,
        issued_on=issued,
        verified_only=verified_only,
        reading=reading,
        cards=cards.reset_index(drop=True),
        figures_unit=view.figures_unit,
        children=children,
        history=history,
        dates=dates,
        candidates=found,
        linkage_names=names,
        unplaced=records,
        settling=settling_effect(cards),
        counts=linkage_counts(FACTS.get(engine, verified_only), as_of, unit),
        waiting=waiting,
        last_change=last,
    )
