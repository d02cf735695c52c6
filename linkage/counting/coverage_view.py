"""What the coverage page shows for the unit a user asks for, on the map the page is on: one decision,
checked for every unit of both maps.

A user reaches a unit by search, by a shared link (`?map=2025-07&unit=19`), by a commune's code, or
as the home unit of an account. A code does not say its map (docs/exchange-files.md, "Two maps"), so a unit is asked for
on a named map; a link without `map` is one written before the page had a map, on `2025-01`.

- On its own map the unit opens itself. A commune of `2025-01` opens its district (no indicator is
  counted in communes there); a commune of `2025-07` opens itself (the third indicator is).
- A unit with no indicator figures (a district or a `phường` with no rural commune) is still shown,
  with the figures of the nearest unit above it that has some, and the page says so.
- A unit of the other map opens what it became or came from through the crosswalk, with a note
  naming those units: an old province opens the new province that took it in; an old district or
  commune the new commune it went to, or the new province when it went to several; a new province
  the old province it was, or, when it took in several, the area they cover together: the new
  province itself with the old provinces' figures added up on its cards and each old province below
  it (how a province of today reads the programme's end-of-period figures); a new commune the old
  district (or province) holding every old commune it took in.

Example: `unit_view(rows, OLD_MAP, "001")` opens Quận Ba Đình with the cards of Thành phố Hà Nội
(`figures_unit.code == "01"`, `has_figures` false); `unit_view(rows_2025_07, NEW_MAP, "06", OLD_MAP)`
opens Tỉnh Thái Nguyên with the note that Tỉnh Bắc Kạn became part of it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import pandas as pd

from linkage.counting.facts import Facts
from linkage.counting.indicators import ALL_LEVELS, COLUMNS, INDICATORS, TARGETS, YEAR_ENDS, trend
from linkage.frames import is_in
from linkage.geo.maps import (
    MAPS,
    NATIONAL_CODE,
    NEW_MAP,
    OLD_MAP,
    Unit,
    crosswalk,
    map_data,
    map_of,
    national,
    province_crosswalk,
    smallest_holding,
)
from linkage.geo.typed_codes import AmbiguousCode, UnknownUnit, read_code

ASKED_LEVELS = {OLD_MAP: ("national", "province", "district", "commune"), NEW_MAP: ("national", "province", "commune")}


@dataclass(frozen=True)
class UnitView:
    """The unit the page opens and the figures it shows, all on the page's map."""

    unit: Unit  # the unit shown: the country, a province, a district (2025-01) or a commune (2025-07)
    # why it is not what was asked: "unknown_unit", "commune_in_district", "became", "came_from", or None
    notice: str | None
    asked: Unit | None  # the unit asked for when it is not `unit`: a commune of 2025-01, or a unit of the other map
    related: tuple[Unit, ...]  # with "became"/"came_from": the units of the page's map it became or came from
    figures_unit: Unit  # whose indicator figures the cards show: `unit`, or the nearest unit above it with figures
    cards: pd.DataFrame  # the indicator rows of `figures_unit`: never empty
    children: pd.DataFrame  # the rows of the units one level below `unit` (empty for the lowest)
    trail: list[Unit]  # from the country down to `unit`

    @property
    def has_figures(self) -> bool:
        """Whether the unit itself carries indicator figures (false for a district with no rural commune)."""
        return self.figures_unit == self.unit

    @property
    def unplaced(self) -> int:
        """Records in the figures' unit placed above the lowest level an indicator counts in (the most of
        any indicator: a cooperative and a linkage are not added up)."""
        return int(self.cards["unplaced"].max()) if len(self.cards) else 0


def asked_unit(code: str, on: str) -> Unit | None:
    """The unit of map `on` a code names as typed (`06`, `061`, `VN`; `typed_codes.read_code`), or None
    (a code that names no unit, or that names several: see `ambiguous_readings`)."""
    try:
        return read_code(str(code), on, ASKED_LEVELS[on])
    except UnknownUnit:
        return None


def ambiguous_readings(code: str, on: str) -> tuple[Unit, ...]:
    """The units a code typed without its leading zeros names on either map, when it names several
    (`typed_codes.AmbiguousCode`); empty otherwise."""
    try:
        read_code(str(code), on, ASKED_LEVELS[on])
    except AmbiguousCode as refused:
        return tuple(refused.readings)
    except UnknownUnit:
        return ()
    return ()


def parent(unit: Unit) -> Unit | None:
    """The unit directly above `unit` on its map (None for the country)."""
    if unit.level == "national":
        return None
    data = map_data(unit.map)
    if unit.level == "province":
        return national(unit.map)
    place = data.level(unit.level)[unit.code]
    if unit.level == "commune" and place.district:
        return data.districts[place.district].unit
    return data.provinces[place.province].unit


def trail(unit: Unit) -> list[Unit]:
    """The units from the country down to `unit`, for drill-down navigation."""
    found = [unit]
    while (up := parent(found[0])) is not None:
        found.insert(0, up)
    return found


def children(rows: pd.DataFrame, unit: Unit) -> pd.DataFrame:
    """The rows of the units one level below `unit` on the rows' map: the provinces of the country, the
    districts of a province (2025-01) or its rural communes (2025-07); empty for the lowest unit."""
    data = map_data(unit.map)
    if unit.level == "national":
        return rows[rows["level"] == "province"]
    if unit.level == "province":
        level = "district" if unit.map == OLD_MAP else "commune"
        mine = {code for code, place in data.level(level).items() if place.province == unit.code}
        return rows[(rows["level"] == level) & is_in(rows["unit_code"], mine)]
    return rows.iloc[0:0]


def counterpart(unit: Unit, on: str) -> tuple[Unit, tuple[Unit, ...]]:
    """What a unit of the other map is on map `on`: the unit to open, and the units of `on` it became or
    came from (for the note). See the module's docstring for the rules."""
    if unit.map == on or unit.level == "national":
        return national(on) if unit.level == "national" else unit, ()
    cw = crosswalk()
    data = map_data(on)
    if unit.level == "province":
        if unit.map == OLD_MAP:
            (new,) = province_crosswalk()[unit.code]  # each old province went whole into one new province
            return data.provinces[new].unit, (data.provinces[new].unit,)
        old = tuple(data.provinces[p].unit for p, news in province_crosswalk().items() if unit.code in news)
        return (old[0] if len(old) == 1 else national(on)), old
    if unit.map == OLD_MAP:  # an old district or commune: the new communes it went to
        communes = (
            [unit.code]
            if unit.level == "commune"
            else [c for c, p in map_data(OLD_MAP).communes.items() if p.district == unit.code]
        )
        news = sorted({n for c in communes for n in cw.old_to_new.get(c, ())})
        if not news:  # an island district with no commune: the island zone that took its place
            news = sorted(n for n, d in cw.island_districts.items() if d == unit.code)
        return smallest_holding(news, on), tuple(data.communes[n].unit for n in news)
    olds = cw.new_to_old.get(unit.code, ())  # a new commune: the old communes it took in
    if not olds:
        district = cw.island_districts.get(unit.code)
        if district:
            return data.districts[district].unit, (data.districts[district].unit,)
        return data.provinces[map_data(NEW_MAP).communes[unit.code].province].unit, ()
    return smallest_holding(olds, on), tuple(data.communes[c].unit for c in olds)


def _figures(rows: pd.DataFrame, unit: Unit) -> tuple[Unit, pd.DataFrame]:
    """The nearest unit at or above `unit` with indicator rows, and those rows (the country always has some)."""
    here: Unit | None = unit
    while here is not None:
        cards = rows[rows["unit_code"] == here.code]
        cards = cards[cards["level"] == here.level]
        if len(cards):
            return here, cards
        here = parent(here)
    return national(unit.map), rows.iloc[0:0]


def unit_view(rows: pd.DataFrame, on: str, asked: str, asked_map: str | None = None) -> UnitView:
    """The view on map `on` of the unit `asked` names on `asked_map` (default `on`), over `rows`, the
    indicator rows of every unit on one date on map `on` (`indicators.compute`). An unknown code opens
    the country; see the module's docstring for communes and units of the other map."""
    source = asked_map if asked_map in MAPS else on
    wanted = asked_unit(asked, source)
    notice: str | None = None
    origin: Unit | None = None
    related: tuple[Unit, ...] = ()
    if wanted is None and (readings := ambiguous_readings(asked, source)):
        unit, notice, related = national(on), "ambiguous_unit", readings
    elif wanted is None:
        unit, notice = national(on), "unknown_unit"
    elif wanted.map != on and wanted.level != "national":
        unit, related = counterpart(wanted, on)
        origin, notice = wanted, ("became" if wanted.map == OLD_MAP else "came_from")
    elif wanted.level == "commune" and on == OLD_MAP:
        unit, notice, origin = parent(wanted) or national(on), "commune_in_district", wanted
    else:
        unit = national(on) if wanted.level == "national" else wanted
    if wanted is not None and notice == "came_from" and wanted.level == "province" and len(related) > 1:
        return _area_view(rows, wanted, related)
    figures_unit, cards = _figures(rows, unit)
    return UnitView(unit, notice, origin, related, figures_unit, cards, children(rows, unit), trail(unit))


def _area_view(rows: pd.DataFrame, province: Unit, olds: tuple[Unit, ...]) -> UnitView:
    """A province of 2025-07 on the map of 2025-01 as the area of the old provinces it took in: their
    rows added up on its cards, each old province's rows below it."""
    mine = rows[(rows["level"] == "province") & is_in(rows["unit_code"], {u.code for u in olds})]
    cards = added_up(mine, province).assign(unit_name=f"{province.name} ({province.map})")  # not the old one
    return UnitView(province, "came_from", province, olds, province, cards, mine, [national(OLD_MAP), province])


def added_up(rows: pd.DataFrame, unit: Unit) -> pd.DataFrame:
    """Indicator rows of several units of one level as the rows of `unit`, the area they cover together:
    numerators, denominators and unplaced records added up, the ratio and `met` worked out again (exactly,
    as docs/indicators.md compares), one row per indicator in the order of `INDICATORS`."""
    summed = rows.groupby("indicator", sort=False)[["numerator", "denominator", "unplaced"]].sum().reset_index()
    summed["ratio"] = (summed["numerator"] / summed["denominator"].where(summed["denominator"] > 0)).astype(float)
    summed["target"] = summed["indicator"].map({k: float(v) for k, v in TARGETS.items()})
    summed["met"] = [
        None if d == 0 else n * TARGETS[i].denominator >= TARGETS[i].numerator * d
        for i, n, d in zip(summed["indicator"], summed["numerator"], summed["denominator"], strict=True)
    ]
    on = str(rows["map"].iloc[0]) if len(rows) else unit.map
    summed = summed.assign(level=unit.level, unit_code=unit.code, unit_name=unit.name, map=on)
    order = {i: n for n, i in enumerate(INDICATORS)}
    summed = summed.sort_values("indicator", key=lambda c: c.map(order), kind="stable").reset_index(drop=True)
    return summed[COLUMNS]


def same_area(unit: Unit, on: str) -> tuple[Unit, ...] | None:
    """The units of map `on` that together cover exactly the area of `unit`, where the maps say so: the
    country; a province of 2025-07 and the old provinces it took in whole; an old province that went
    alone into a new one. Anything else (a district, a commune, an old province merged with others)
    has no such units: None."""
    if unit.map == on:
        return (unit,)
    if unit.level == "national":
        return (national(on),)
    if unit.level != "province":
        return None
    olds = {p: news for p, news in province_crosswalk().items()}
    if unit.map == NEW_MAP:
        return tuple(map_data(OLD_MAP).provinces[p].unit for p, news in olds.items() if unit.code in news)
    (new,) = olds[unit.code]
    alone = [p for p, news in olds.items() if new in news] == [unit.code]
    return (map_data(NEW_MAP).provinces[new].unit,) if alone else None


def unit_trend(facts: Facts, unit: Unit, reading: str = "own", dates: Iterable[date] = YEAR_ENDS) -> pd.DataFrame:
    """One unit's indicators at each date (`indicators.trend`'s readings: `own`, each date on the map then
    in force; `today`, every date on today's map), rows as `trend`'s. On a date whose map is not the
    unit's, the figures are those of the same area there (`same_area`: numerators, denominators and
    unplaced records added up over the units it covers); a date where the maps give no same area has
    no rows."""
    frames = []
    today = map_of(date.today())
    for day in dates:
        on = map_of(day) if reading == "own" else today
        units = same_area(unit, on)
        if not units:
            continue
        # every level of the map, as the page's own figures are counted: one table per date and map,
        # kept on the facts, serves every unit's trend and the page's figures of that date
        rows = trend(facts, [day], ALL_LEVELS, on, reading)
        rows = rows[(rows["level"] == units[0].level) & is_in(rows["unit_code"], {u.code for u in units})]
        if len(units) == 1:
            frames.append(rows)
            continue
        summed = added_up(rows, unit).assign(as_of=day.isoformat(), level=units[0].level, map=on)
        frames.append(summed[["as_of", *COLUMNS]])
    if not frames:
        return pd.DataFrame(columns=["as_of", *COLUMNS])
    found = pd.concat(frames, ignore_index=True)
    order = {i: n for n, i in enumerate(INDICATORS)}
    return found.sort_values(["as_of", "indicator"], key=lambda c: c.map(order) if c.name == "indicator" else c)


__all__ = ["NATIONAL_CODE", "UnitView", "counterpart", "same_area", "unit_trend", "unit_view"]
