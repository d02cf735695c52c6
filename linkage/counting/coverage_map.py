"""What the coverage map draws for a unit, a date, a map and an indicator: one place per unit at its
point (`linkage.geo.points`), with the status the coverage rows give it.

- The country: its provinces, each with its row of the indicator (status against the target; the
  chart sizes it by the denominator).
- A province or district of `2025-01`, a province of `2025-07`: every commune of the unit. A rural
  commune's status is whether it has an active cooperative (first indicator), or the digital share of
  the raw-material linkages located in it (third); a commune that is not rural (a `phường`, a `thị
  trấn`, an island zone) is drawn apart as `not_counted`. For the second indicator (2025-01 only) the
  places are the province's districts: with or without a key-product linkage, `not_counted` when the
  district has no rural commune.
- A commune of `2025-07`: the communes of its province, the commune itself marked (`focus`).

Records placed above the level the map draws (a split commune not settled yet) have no place: the
map says how many (`unplaced`, the unit's own coverage row) instead of drawing them anywhere.

Every status is read from the same counting as the coverage rows (`indicators`), so the places of a
unit add up to its row: `tests/test_coverage_map.py` checks it for every unit of a province on both
maps.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

import pandas as pd

from linkage.counting.facts import Facts
from linkage.counting.indicators import (
    COMMUNES,
    DISTRICTS,
    RAW_MATERIAL,
    TARGETS,
    commune_digital_counts,
    communes_with_cooperative,
    key_product_districts,
)
from linkage.frames import is_in
from linkage.geo.maps import NEW_MAP, OLD_MAP, Unit, map_data
from linkage.geo.points import points
from linkage.i18n import day_text, t

# Statuses, in the legend's order. Against the target: met, below, far_below (under half the target),
# no_data (nothing to count). Yes or no: covered, not_covered. And not_counted: not in the indicator.
STATUSES = ("met", "below", "far_below", "covered", "not_covered", "no_data", "not_counted")
COLUMNS = [
    "unit_code",
    "unit_name",
    "level",
    "lat",
    "lon",
    "source",
    "derived",
    "status",
    "numerator",
    "denominator",
    "ratio",
    "focus",
]


@dataclass(frozen=True)
class CoverageMap:
    """The places of one map view, all on `map`."""

    unit: Unit  # the unit the page shows
    area: Unit  # the unit whose places are drawn (the province of a commune of 2025-07, else `unit`)
    indicator: str
    as_of: date
    map: str
    level: str  # the level of the places drawn: province, district or commune
    places: pd.DataFrame  # COLUMNS, one row per unit drawn, sorted by code
    unplaced: int  # records in the area placed above `level`: counted in the figures, drawn nowhere

    @property
    def derived(self) -> int:
        """How many places stand at a derived point (see `linkage.geo.points`)."""
        return int(self.places["derived"].sum())

    @property
    def degenerate(self) -> bool:
        """Whether every place stands at one point (one place, or several sharing a point)."""
        return len(self.places[["lat", "lon"]].drop_duplicates()) <= 1


def map_indicators(unit: Unit) -> tuple[str, ...]:
    """The indicators a map can be drawn for at `unit`: the second only for the country and a province
    of 2025-01 (it counts districts, which have no places below them)."""
    if unit.map == OLD_MAP and unit.level in ("national", "province"):
        return (COMMUNES, DISTRICTS, RAW_MATERIAL)
    return (COMMUNES, RAW_MATERIAL)


def _against_target(indicator: str, numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """met, below, far_below or no_data, compared exactly as the rows' `met` (7/10 meets 0.70)."""
    target = TARGETS[indicator]
    num, den = numerator.astype("int64"), denominator.astype("int64")
    met = num * target.denominator >= target.numerator * den
    far = 2 * num * target.denominator < target.numerator * den
    status = pd.Series("below", index=numerator.index, dtype=object)
    status[met] = "met"
    status[~met & far] = "far_below"
    status[den == 0] = "no_data"
    return status


def _area(unit: Unit) -> Unit:
    if unit.level == "commune" and unit.map == NEW_MAP:
        province = map_data(NEW_MAP).communes[unit.code].province
        return map_data(NEW_MAP).provinces[province].unit
    return unit


def _members(area: Unit, level: str) -> pd.DataFrame:
    """code, name of the units of `level` inside `area`, with their points and whether each is rural."""
    return _members_of(area, level).copy()


@cache
def _members_of(area: Unit, level: str) -> pd.DataFrame:
    data = map_data(area.map)
    units = data.level(level)
    if area.level == "national":
        codes = list(units)
    elif area.level == "province":
        codes = [c for c, p in units.items() if p.province == area.code]
    elif area.level == "district":
        codes = [c for c, p in units.items() if p.district == area.code]
    else:
        codes = [area.code]
    where = points(area.map, level)
    frame = pd.DataFrame(
        {
            "unit_code": codes,
            "unit_name": [units[c].name for c in codes],
            "level": level,
            "lat": [where[c].lat if c in where else None for c in codes],
            "lon": [where[c].lon if c in where else None for c in codes],
            "source": [where[c].source if c in where else "" for c in codes],
        }
    )
    frame["derived"] = frame["source"] != "given"
    frame["rural"] = [data.is_rural(c) for c in codes] if level == "commune" else False
    return frame


def coverage_map(facts: Facts, rows: pd.DataFrame, unit: Unit, as_of: date, indicator: str) -> CoverageMap:
    """The places of `indicator` at `unit` on `as_of`, over `rows`, the indicator rows of every unit
    on that date and on `unit`'s map (`indicators.compute`), and the facts they were counted from."""
    on = unit.map
    area = _area(unit)
    if indicator not in map_indicators(area):
        indicator = COMMUNES
    mine = rows[rows["indicator"] == indicator]
    if area.level == "national":
        level = "province"
        places = _members(area, level)
        counted = mine[mine["level"] == level].set_index("unit_code")
        places = places[is_in(places["unit_code"], counted.index)].reset_index(drop=True)
        places["numerator"] = places["unit_code"].map(counted["numerator"]).astype("int64")
        places["denominator"] = places["unit_code"].map(counted["denominator"]).astype("int64")
        places["status"] = _against_target(indicator, places["numerator"], places["denominator"])
    elif indicator == DISTRICTS:
        level = "district"
        places = _members(area, level)
        scope = facts.geography.districts.set_index("code")["in_scope"]
        in_scope = places["unit_code"].map(scope).fillna(False).astype(bool)
        covered = is_in(places["unit_code"], key_product_districts(facts, as_of.toordinal()))
        places["numerator"] = (in_scope & covered).astype("int64")
        places["denominator"] = in_scope.astype("int64")
        places["status"] = [
            "not_counted" if not s else "covered" if c else "not_covered"
            for s, c in zip(in_scope, covered, strict=True)
        ]
    else:
        level = "commune"
        places = _members(area, level)
        rural = places["rural"].astype(bool)
        if indicator == COMMUNES:
            covered = is_in(places["unit_code"], communes_with_cooperative(facts, as_of, on))
            places["numerator"] = (rural & covered).astype("int64")
            places["denominator"] = rural.astype("int64")
            places["status"] = ["covered" if c else "not_covered" for c in covered]
        else:
            counts = commune_digital_counts(facts, as_of, on)
            places["numerator"] = places["unit_code"].map(counts.numerator).fillna(0).astype("int64")
            places["denominator"] = places["unit_code"].map(counts.denominator).fillna(0).astype("int64")
            places["status"] = _against_target(indicator, places["numerator"], places["denominator"])
        places.loc[~rural.to_numpy(), "status"] = "not_counted"
    places["ratio"] = (places["numerator"] / places["denominator"].where(places["denominator"] > 0)).astype(float)
    places["focus"] = (places["unit_code"] == unit.code) & (places["level"] == unit.level)
    own = mine[(mine["unit_code"] == area.code) & (mine["level"] == area.level)]
    unplaced = int(own["unplaced"].iloc[0]) if len(own) and area.level != "national" else 0
    places = places.sort_values("unit_code").reset_index(drop=True)[COLUMNS]
    return CoverageMap(unit, area, indicator, as_of, on, level, places, unplaced)


def figures_text(places: pd.DataFrame, indicator: str, lang: str) -> list[str]:
    """What each place's tooltip says of its figures, in `lang`: `3/10 (30.0 %)` against the target,
    else its state in words (`Has an active cooperative`, `Not a rural commune (not counted)`)."""
    words = {
        s: t(f"coverage_map.state.{s}.{indicator}", lang) for s in ("covered", "not_covered", "not_counted", "no_data")
    }
    template = t("coverage_map.figures", lang)
    return [
        words[status]
        if status in words
        else template.format(numerator=int(n), denominator=int(d), percent=f"{100 * float(r):.1f}")
        for status, n, d, r in zip(
            places["status"], places["numerator"], places["denominator"], places["ratio"], strict=True
        )
    ]


def status_label(status: str, indicator: str, lang: str) -> str:
    """A status as the legend names it."""
    key = f"coverage_map.state.{status}.{indicator}"
    words = t(key, lang)
    return t(f"coverage_map.status.{status}", lang) if words == key else words


def description(found: CoverageMap, lang: str, unit_name: str | None = None) -> str:
    """The map in one sentence, for screen readers and for the caption under it: indicator, unit, date
    and map, how many places and how many stand at a derived point."""
    return t(
        "coverage_map.description",
        lang,
        indicator=t(f"indicator.{found.indicator}", lang),
        unit=unit_name or found.unit.name,
        date=day_text(found.as_of.isoformat()),
        map=found.map,
        count=len(found.places),
        level=t(f"coverage_map.level.{found.level}", lang),
        derived=found.derived,
    )
