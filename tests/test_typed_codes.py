"""A unit code as a user types it, read on a named map (linkage/geo/typed_codes.py): a short code that
names more than one unit is refused with every reading named; the names, provinces and maps below are
read off the statistics office's lists by hand."""

from __future__ import annotations

import pytest

from linkage.geo.maps import NEW_MAP, OLD_MAP, Unit, map_data
from linkage.geo.typed_codes import AmbiguousCode, UnknownUnit, described, described_code, read_code

OFFICER_TODAY = ("commune", "province")
THANH_LIET = "Phường Thanh Liệt, Thành phố Hà Nội (00643, 2025-07)"
BUON_MA_THUOT = "Thành phố Buôn Ma Thuột, Tỉnh Đắk Lắk (643, 2025-01)"
TAN_TRIEU = "Xã Tân Triều, Huyện Thanh Trì, Thành phố Hà Nội (00643, 2025-01)"


def test_643_on_todays_map_is_refused_naming_the_ward_and_the_old_city() -> None:
    with pytest.raises(AmbiguousCode) as refused:
        read_code("643", NEW_MAP, OFFICER_TODAY)
    english = refused.value.message("en")
    assert THANH_LIET in english and BUON_MA_THUOT in english and TAN_TRIEU in english
    vietnamese = refused.value.message("vi")
    assert vietnamese.startswith('Mã "643" được gõ thiếu các số 0') and THANH_LIET in vietnamese
    with pytest.raises(AmbiguousCode):  # as a spreadsheet gives it back
        read_code("643.0", NEW_MAP, OFFICER_TODAY)


def test_a_code_typed_in_full_means_its_level_on_the_named_map() -> None:
    assert read_code("00643", NEW_MAP, OFFICER_TODAY) == Unit(NEW_MAP, "commune", "00643")
    assert read_code("643", OLD_MAP, ("district",)) == Unit(OLD_MAP, "district", "643")
    assert read_code(" 66 ", NEW_MAP, OFFICER_TODAY) == Unit(NEW_MAP, "province", "66")
    assert read_code("vn", NEW_MAP, ("national", "province")).code == "VN"
    assert read_code("058", OLD_MAP, ("province", "district", "commune")) == Unit(OLD_MAP, "district", "058")


def test_a_short_code_of_one_reading_is_still_read() -> None:
    # 6 is no province, district or commune of 2025-07, and 06 no province there: only Tỉnh Bắc Kạn's
    # old code 06 and Hà Nội's old units 006 and 00006 share its digits — all on 2025-01.
    with pytest.raises(UnknownUnit) as unknown:
        read_code("6", NEW_MAP, OFFICER_TODAY)
    assert not isinstance(unknown.value, AmbiguousCode)
    assert unknown.value.message("en") == '"6" is not the code of a commune or province on map 2025-07'
    # 20 is a province's full width (Tỉnh Lạng Sơn); read as a district of 2025-01 it is short: Huyện Thanh Trì
    # (020) is meant only when typed in full, since 20 is also that province on both maps
    assert read_code("20", NEW_MAP, ("province",)) == Unit(NEW_MAP, "province", "20")
    with pytest.raises(AmbiguousCode) as refused:
        read_code("20", OLD_MAP, ("district",))
    assert "Tỉnh Lạng Sơn (20, 2025-01)" in refused.value.message("en")
    assert "Huyện Thanh Trì, Thành phố Hà Nội (020, 2025-01)" in refused.value.message("en")
    # 145: Phường Long Biên kept its code 00145 and its name through the reform, and no district or
    # province has the digits 145: one place, read at once
    assert read_code("145", NEW_MAP, OFFICER_TODAY) == Unit(NEW_MAP, "commune", "00145")
    assert map_data(OLD_MAP).communes["00145"].name == map_data(NEW_MAP).communes["00145"].name == "Phường Long Biên"


def test_every_old_district_code_that_is_also_a_new_commune_is_refused_on_todays_map() -> None:
    """The issue's count: 66 district codes of 2025-01 are, once padded to five digits, communes of 2025-07."""
    new = map_data(NEW_MAP).communes
    colliding = [d for d in map_data(OLD_MAP).districts if d.zfill(5) in new]
    assert len(colliding) == 66
    for district in colliding:
        with pytest.raises(AmbiguousCode) as refused:
            read_code(district, NEW_MAP, OFFICER_TODAY)
        assert f"({district}, 2025-01)" in refused.value.message("en")


def test_a_unit_is_named_with_its_province_and_map() -> None:
    assert described(Unit(NEW_MAP, "commune", "00643")) == THANH_LIET
    assert described(Unit(OLD_MAP, "district", "643")) == BUON_MA_THUOT
    assert described(Unit(OLD_MAP, "province", "66")) == "Tỉnh Đắk Lắk (66, 2025-01)"
    assert described_code("VN", NEW_MAP) == "Việt Nam (VN, 2025-07)"
    assert described_code("00643", OLD_MAP) == TAN_TRIEU
    assert described_code("99999", NEW_MAP) == "99999 (2025-07)"
