"""The GSO geography as docs/indicators.md ("On which map") states it, stored and read back, and communes
named for forms."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from linkage.geo.geography import fold, gso_rows, normalize_code, old_map_geography
from linkage.geo.places import communes_in, places_of
from linkage.store.db import read_session
from linkage.store.models import Commune, District, Province


def test_the_gso_snapshot_has_the_contract_counts(engine: Engine) -> None:
    with read_session(engine) as session:
        count = lambda model: session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()  # noqa: E731
        assert (count(Province), count(District), count(Commune)) == (63, 696, 10051)
    geo = old_map_geography()
    assert int(geo.communes["is_rural"].sum()) == 7717
    assert int(geo.districts["in_scope"].sum()) == 634


def test_the_geography_counted_on_is_the_one_stored(engine: Engine) -> None:
    # Counting takes map 2025-01 from the maps' snapshot, not from the tables `linkage init` filled:
    # the two must hold the same units, names, districts, provinces and rural communes.
    geo = old_map_geography()
    with read_session(engine) as session:
        stored = {
            "provinces": session.execute(sa.select(Province.code, Province.name)).all(),
            "districts": session.execute(sa.select(District.code, District.name, District.province_code)).all(),
            "communes": session.execute(
                sa.select(Commune.code, Commune.name, Commune.district_code, Commune.is_rural)
            ).all(),
        }
    assert sorted(stored["provinces"]) == sorted(map(tuple, geo.provinces[["code", "name"]].to_numpy().tolist()))
    districts = geo.districts[["code", "name", "province_code"]]
    assert sorted(stored["districts"]) == sorted(map(tuple, districts.to_numpy().tolist()))
    communes = geo.communes[["code", "name", "district_code", "is_rural"]]
    assert sorted((c, n, d, bool(r)) for c, n, d, r in stored["communes"]) == sorted(
        map(tuple, communes.to_numpy().tolist())
    )


def test_rural_means_named_xa() -> None:
    geo = old_map_geography()
    rural = geo.communes[geo.communes["is_rural"]]
    assert rural["name"].str.startswith("Xã ").all()
    others = geo.communes[~geo.communes["is_rural"]]
    assert others["name"].str.match(r"^(Phường|Thị trấn) ").all()


def test_fold_ignores_diacritics_and_case() -> None:
    assert fold("Tỉnh Bắc Kạn") == "tinh bac kan"
    assert fold("ĐIỆN BIÊN") == "dien bien"
    # A decomposed (NFD) input folds the same as the composed one.
    assert fold("Bă\u0301c Ka\u0323n") == "bac kan"


def test_codes_may_omit_leading_zeros() -> None:
    assert normalize_code("3184", 5) == "03184"
    assert normalize_code("1858.0", 5) == "01858"


def test_a_provinces_communes_are_named_with_district_and_province_in_alphabetical_order(engine: Engine) -> None:
    with read_session(engine) as session:
        places = communes_in(session, "06")
        elsewhere = places_of(session, ["1", "01849", "99999"])
    _, districts, communes = gso_rows()
    bac_kan = {d["code"]: d["name"] for d in districts if d["province_code"] == "06"}
    mine = [c for c in communes if c["district_code"] in bac_kan]
    expected = sorted((fold(bac_kan[c["district_code"]]), fold(c["name"]), c["code"]) for c in mine)
    assert [p.code for p in places] == [code for *_, code in expected]
    labels = {p.code: p.label for p in places}
    assert labels["01849"] == "Xã Dương Quang — Thành Phố Bắc Kạn — Tỉnh Bắc Kạn (01849)"
    assert sorted(elsewhere) == ["00001", "01849"]  # codes without their zeros are found, unknown ones left out
    assert elsewhere["00001"].label == "Phường Phúc Xá — Quận Ba Đình — Thành phố Hà Nội (00001)"


def test_the_units_of_map_2025_07_are_stored_beside_those_of_2025_01(engine: Engine) -> None:
    from linkage.store.models import Commune202507, Province202507

    with read_session(engine) as session:
        count = lambda model: session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()  # noqa: E731
        assert (count(Province202507), count(Commune202507)) == (34, 3321)
        rural = session.execute(sa.select(sa.func.count()).where(Commune202507.is_rural)).scalar_one()  # type: ignore[arg-type]
        giang_vo = session.get(Commune202507, "00025")
        ngoc_khanh = session.get(Commune, "00025")
    assert rural == 2621
    assert giang_vo is not None and giang_vo.name == "Phường Giảng Võ" and giang_vo.province_code == "01"
    assert ngoc_khanh is not None and ngoc_khanh.name == "Phường Ngọc Khánh"
