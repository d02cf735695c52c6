"""Where each unit of both maps lies: one point (latitude, longitude in degrees, WGS 84) for every
commune, district and province of `2025-01` and every commune and province of `2025-07`.

The points are read from `data/geo/points.csv`, derived once from the PyPI package
`vietnamadminunits==1.0.4` (MIT licence; see data/README.md) by `derive` below, so the app needs
neither that package (12 MB of data, and shapely and geopy) nor any network at run time. Each point
says where it comes from (`source`):

- `given`: the package's own point for that code (a commune of either map, a province of `2025-07`:
  the centroid of the unit's area);
- `crosswalk`: a commune of `2025-01` whose point in the package lies far from every commune of
  `2025-07` it went to (a geocoder that found a namesake elsewhere), or that the package lacks while
  the crosswalk gives it one new commune: the mean of those new communes' points;
- `district`: a commune of `2025-01` the package lacks: its district's point (or, in a district with
  no point of its own, the crosswalk's as above);
- `communes`: a district or province of `2025-01`: the median of its communes' points (the median,
  so an island commune far out at sea does not pull a province's point off its mainland);
- `island`: an island district of `2025-01` with no commune: the point of the island zone of `2025-07`
  it became.

A point is a place to draw a unit, not a boundary: two units may share one, and a province's point
is where its communes are, not its capital.

Example:

    >>> point(Unit(NEW_MAP, "commune", "00004")).source
    'given'
"""

from __future__ import annotations

import csv
import importlib.util
import io
import math
import sqlite3
import statistics
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from linkage.geo.maps import NEW_MAP, OLD_MAP, Unit, check_map, crosswalk, map_data

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

POINTS_FILE = Path(__file__).resolve().parents[2] / "data" / "geo" / "points.csv"
SOURCES = ("given", "crosswalk", "district", "communes", "island")
COLUMNS = ("map", "level", "code", "lat", "lon", "source")
DIGITS = 4  # about 11 m: finer than any commune, and a small file
# A commune of 2025-01 whose package point is farther than this from every new commune it went to is
# placed by the crosswalk instead: three times the radius of a disc of the new commune's area, and at
# least 10 km (new communes are merged from 1–14 old ones; their centroids are km apart).
FAR_FACTOR = 3.0
FAR_MINIMUM_KM = 10.0


@dataclass(frozen=True)
class Point:
    """Where a unit is drawn: degrees of latitude and longitude, and how the point was found."""

    lat: float
    lon: float
    source: str

    @property
    def derived(self) -> bool:
        """Whether the point was worked out here rather than given for the unit itself."""
        return self.source != "given"


def point(unit: Unit) -> Point | None:
    """The point of `unit` (None for the country, and for a code neither map has)."""
    return _points().get((unit.map, unit.level, unit.code))


def points(map_name: str, level: str) -> Mapping[str, Point]:
    """Every unit of `level` on `map_name`, by code."""
    check_map(map_name)
    return {code: p for (m, lv, code), p in _points().items() if m == map_name and lv == level}


@cache
def _points() -> dict[tuple[str, str, str], Point]:
    with POINTS_FILE.open(encoding="utf-8", newline="") as fh:
        return {
            (row["map"], row["level"], row["code"]): Point(float(row["lat"]), float(row["lon"]), row["source"])
            for row in csv.DictReader(fh)
        }


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance between two (lat, lon) points in kilometres (haversine, Earth radius 6,371 km)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def _median(found: Iterable[tuple[float, float]]) -> tuple[float, float]:
    pairs = list(found)
    return statistics.median(p[0] for p in pairs), statistics.median(p[1] for p in pairs)


def _mean(found: Iterable[tuple[float, float]]) -> tuple[float, float]:
    pairs = list(found)
    return statistics.fmean(p[0] for p in pairs), statistics.fmean(p[1] for p in pairs)


def derive(source_db: Path) -> list[dict[str, str]]:
    """The rows of `data/geo/points.csv` from the package's `data/dataset.db` (see the module docstring),
    sorted by map, level and code. Only codes of the project's maps are written; every one is."""
    with sqlite3.connect(f"file:{source_db}?mode=ro", uri=True) as db:
        new_rows = db.execute("select wardCode, wardLat, wardLon, wardAreaKm2 from admin_units").fetchall()
        new_provinces = db.execute("select distinct provinceCode, provinceLat, provinceLon from admin_units").fetchall()
        old_rows = db.execute(
            "select wardCode, wardLat, wardLon from admin_units_legacy where wardCode is not null"
        ).fetchall()
        old_districts = db.execute(
            "select distinct districtCode, districtLat, districtLon from admin_units_legacy"
            " where districtCode is not null"
        ).fetchall()
    old, new, cw = map_data(OLD_MAP), map_data(NEW_MAP), crosswalk()
    found: dict[tuple[str, str, str], tuple[float, float, str]] = {}

    new_points = {code: (lat, lon) for code, lat, lon, _ in new_rows if code in new.communes}
    areas = {code: area or 0.0 for code, _, _, area in new_rows}
    for code, (lat, lon) in new_points.items():
        found[(NEW_MAP, "commune", code)] = (lat, lon, "given")
    for code, lat, lon in new_provinces:
        if code in new.provinces:
            found[(NEW_MAP, "province", code)] = (lat, lon, "given")

    given = {code: (lat, lon) for code, lat, lon in old_rows if code in old.communes and lat is not None}
    missing: list[str] = []
    for code in old.communes:
        news = [n for n in cw.old_to_new.get(code, ()) if n in new_points]
        here = given.get(code)
        if here is not None and (not news or any(_near(here, new_points[n], areas[n]) for n in news)):
            found[(OLD_MAP, "commune", code)] = (*here, "given")
        elif news and (here is not None or len(news) == 1):
            found[(OLD_MAP, "commune", code)] = (*_mean(new_points[n] for n in news), "crosswalk")
        else:
            missing.append(code)

    by_district: dict[str, list[tuple[float, float]]] = defaultdict(list)
    by_province: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for code, place in old.communes.items():
        if (OLD_MAP, "commune", code) in found:
            lat, lon, _ = found[(OLD_MAP, "commune", code)]
            by_district[place.district].append((lat, lon))
            by_province[place.province].append((lat, lon))
    islands = {d: n for n, d in cw.island_districts.items()}
    package_districts = {code: (lat, lon) for code, lat, lon in old_districts if lat is not None}
    for code in old.districts:
        if by_district[code]:
            found[(OLD_MAP, "district", code)] = (*_median(by_district[code]), "communes")
        elif code in islands and islands[code] in new_points:
            found[(OLD_MAP, "district", code)] = (*new_points[islands[code]], "island")
        elif code in package_districts:
            found[(OLD_MAP, "district", code)] = (*package_districts[code], "given")
    for code in missing:
        district = found.get((OLD_MAP, "district", old.communes[code].district))
        around = [new_points[n] for n in cw.old_to_new.get(code, ()) if n in new_points]
        if district is not None and district[2] != "island":
            found[(OLD_MAP, "commune", code)] = (district[0], district[1], "district")
        elif around:
            found[(OLD_MAP, "commune", code)] = (*_mean(around), "crosswalk")
    for code in old.provinces:
        found[(OLD_MAP, "province", code)] = (*_median(by_province[code]), "communes")

    order = {OLD_MAP: 0, NEW_MAP: 1}, {"province": 0, "district": 1, "commune": 2}
    return [
        {
            "map": m,
            "level": level,
            "code": code,
            "lat": f"{lat:.{DIGITS}f}",
            "lon": f"{lon:.{DIGITS}f}",
            "source": source,
        }
        for (m, level, code), (lat, lon, source) in sorted(
            found.items(), key=lambda item: (order[0][item[0][0]], order[1][item[0][1]], item[0][2])
        )
    ]


def _near(here: tuple[float, float], there: tuple[float, float], area_km2: float) -> bool:
    radius = math.sqrt(area_km2 / math.pi)
    return distance_km(here, there) <= max(FAR_FACTOR * radius, FAR_MINIMUM_KM)


def to_csv(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def source_database() -> Path:
    """The package's data file, found without importing the package (its import pulls in shapely)."""
    spec = importlib.util.find_spec("vietnamadminunits")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("install the source first: pip install -c constraints.txt vietnamadminunits")
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "dataset.db"


if __name__ == "__main__":  # python -m linkage.geo.points: derive data/geo/points.csv anew
    POINTS_FILE.parent.mkdir(parents=True, exist_ok=True)
    POINTS_FILE.write_text(to_csv(derive(source_database())), encoding="utf-8")
    print(f"wrote {POINTS_FILE}")
