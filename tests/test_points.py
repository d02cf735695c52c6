"""Where each unit is drawn (`linkage.geo.points`): every code of both maps of `vietnam-provinces` has a
point or a stated fallback, nothing else has one, and the points lie where the other map says the
unit is (each map's points checked against the other's, which come from a different measurement:
polygon centroids on 2025-07, a geocoder's points on 2025-01)."""

from __future__ import annotations

import importlib.util
import sqlite3
from collections import defaultdict
from pathlib import Path

import pytest

from linkage.geo import points
from linkage.geo.maps import NEW_MAP, OLD_MAP, Unit, crosswalk, map_data, province_crosswalk

PAD = 0.1  # degrees (about 11 km) around an extent: a commune's centroid may lie beyond its neighbours'
# Việt Nam with its islands (Hoàng Sa near 112° E, Trường Sa near 114° E).
COUNTRY = (6.0, 102.0, 24.0, 118.0)


def extent(found: list[tuple[float, float]]) -> tuple[float, float, float, float]:
    lats, lons = [p[0] for p in found], [p[1] for p in found]
    return min(lats) - PAD, min(lons) - PAD, max(lats) + PAD, max(lons) + PAD


def inside(p: points.Point, box: tuple[float, float, float, float]) -> bool:
    return box[0] <= p.lat <= box[2] and box[1] <= p.lon <= box[3]


@pytest.mark.parametrize(
    ("map_name", "level"),
    [(OLD_MAP, "province"), (OLD_MAP, "district"), (OLD_MAP, "commune"), (NEW_MAP, "province"), (NEW_MAP, "commune")],
)
def test_every_unit_of_the_map_has_a_point_and_no_other_code_has_one(map_name: str, level: str) -> None:
    codes = set(map_data(map_name).level(level))
    drawn = points.points(map_name, level)
    assert set(drawn) == codes
    assert {p.source for p in drawn.values()} <= set(points.SOURCES)
    assert all(inside(p, COUNTRY) for p in drawn.values())


def test_the_points_file_holds_no_level_a_map_lacks() -> None:
    assert points.points(NEW_MAP, "district") == {}
    assert points.point(Unit(OLD_MAP, "national", "VN")) is None


def test_todays_map_is_given_whole_and_the_old_one_nearly() -> None:
    """The package has every unit of 2025-07; of 2025-01 its communes are mostly its own points (the
    rest derived, each saying how), districts and provinces from their communes."""
    assert {p.source for p in points.points(NEW_MAP, "commune").values()} == {"given"}
    assert {p.source for p in points.points(NEW_MAP, "province").values()} == {"given"}
    old = points.points(OLD_MAP, "commune")
    derived = [p for p in old.values() if p.derived]
    assert 0 < len(derived) < 0.02 * len(old)
    assert {p.source for p in points.points(OLD_MAP, "province").values()} == {"communes"}
    assert {p.source for p in points.points(OLD_MAP, "district").values()} <= {"communes", "island"}


def test_an_old_commune_lies_within_the_new_province_it_went_to() -> None:
    """Each commune of 2025-01 within the extent of its 2025-07 province's commune points."""
    new = map_data(NEW_MAP)
    new_points = points.points(NEW_MAP, "commune")
    by_province: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for code, p in new_points.items():
        by_province[new.communes[code].province].append((p.lat, p.lon))
    boxes = {code: extent(found) for code, found in by_province.items()}
    old = map_data(OLD_MAP)
    outside = [
        code
        for code, p in points.points(OLD_MAP, "commune").items()
        if not inside(p, boxes[province_crosswalk()[old.communes[code].province][0]])
    ]
    assert outside == []


def test_a_new_commune_lies_within_the_old_provinces_it_took_in() -> None:
    """Except the island zones, which took in no old commune (their old districts had none): those lie
    only within the country's extent (checked above)."""
    old = map_data(OLD_MAP)
    by_province: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for code, p in points.points(OLD_MAP, "commune").items():
        by_province[old.communes[code].province].append((p.lat, p.lon))
    took_in: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for old_province, (new_province,) in province_crosswalk().items():
        took_in[new_province].extend(by_province[old_province])
    boxes = {code: extent(found) for code, found in took_in.items()}
    new = map_data(NEW_MAP)
    outside = [
        code
        for code, p in points.points(NEW_MAP, "commune").items()
        if not inside(p, boxes[new.communes[code].province])
    ]
    assert set(outside) <= set(crosswalk().island_districts)


def test_a_district_and_a_province_of_2025_01_lie_among_their_communes() -> None:
    old = map_data(OLD_MAP)
    communes = points.points(OLD_MAP, "commune")
    for level in ("district", "province"):
        members: dict[str, list[tuple[float, float]]] = defaultdict(list)
        for code, place in old.communes.items():
            key = place.district if level == "district" else place.province
            members[key].append((communes[code].lat, communes[code].lon))
        for code, p in points.points(OLD_MAP, level).items():
            if members[code]:
                assert inside(p, extent(members[code])), (level, code)


def _dataset(path: Path, old_rows: list[tuple[str, float | None, float | None]]) -> Path:
    """A stand-in for the package's data file: today's map as given, and the old communes listed."""
    db = sqlite3.connect(path)
    db.execute(
        "create table admin_units (wardCode, wardLat, wardLon, wardAreaKm2, provinceCode, provinceLat, provinceLon)"
    )
    db.execute("create table admin_units_legacy (wardCode, wardLat, wardLon, districtCode, districtLat, districtLon)")
    new = map_data(NEW_MAP)
    provinces = points.points(NEW_MAP, "province")
    db.executemany(
        "insert into admin_units values (?, ?, ?, 20.0, ?, ?, ?)",
        [
            (
                code,
                p.lat,
                p.lon,
                new.communes[code].province,
                provinces[new.communes[code].province].lat,
                provinces[new.communes[code].province].lon,
            )
            for code, p in points.points(NEW_MAP, "commune").items()
        ],
    )
    db.executemany("insert into admin_units_legacy values (?, ?, ?, null, null, null)", old_rows)
    db.commit()
    db.close()
    return path


def test_derivation_falls_back_as_it_says(tmp_path: Path) -> None:
    """One old district worked by hand: a commune placed 1,000 km off by the geocoder takes the mean of
    the new communes it went to; a split commune the package lacks takes its district's point, the
    median of its other communes' points."""
    old = map_data(OLD_MAP)
    cw = crosswalk()
    lacking = next(c for c, news in cw.table_splits.items() if c in old.communes)  # split among several
    district = old.communes[lacking].district
    far, *kept = sorted(c for c, p in old.communes.items() if p.district == district and c != lacking)
    new_points = points.points(NEW_MAP, "commune")
    rows: list[tuple[str, float | None, float | None]] = [(far, 10.0, 106.0)]  # the Mekong delta
    assert all(
        points.distance_km((10.0, 106.0), (new_points[n].lat, new_points[n].lon)) > 500 for n in cw.old_to_new[far]
    )
    for code in kept:  # each at the first new commune it went to: near by construction
        first = new_points[cw.old_to_new[code][0]]
        rows.append((code, first.lat, first.lon))
    derived = {(r["map"], r["level"], r["code"]): r for r in points.derive(_dataset(tmp_path / "dataset.db", rows))}
    news = [new_points[n] for n in cw.old_to_new[far]]
    got = derived[(OLD_MAP, "commune", far)]
    assert got["source"] == "crosswalk"
    assert float(got["lat"]) == pytest.approx(sum(p.lat for p in news) / len(news), abs=1e-4)
    lats = [new_points[cw.old_to_new[c][0]].lat for c in kept] + [sum(p.lat for p in news) / len(news)]
    district_point = derived[(OLD_MAP, "district", district)]
    assert float(district_point["lat"]) == pytest.approx(_median(lats), abs=1e-4)
    assert derived[(OLD_MAP, "commune", lacking)]["source"] == "district"
    assert derived[(OLD_MAP, "commune", lacking)]["lat"] == district_point["lat"]


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def test_the_file_is_what_the_pinned_package_gives() -> None:
    """Derived anew from `vietnamadminunits` where it is installed (it is not needed to run the app)."""
    if importlib.util.find_spec("vietnamadminunits") is None:
        pytest.skip("vietnamadminunits is not installed: pip install -c constraints.txt vietnamadminunits")
    assert points.to_csv(points.derive(points.source_database())) == points.POINTS_FILE.read_text(encoding="utf-8")
