"""Settling placements (`linkage.records.settling`): the list an actor may read, and one choice saved through
the normal write path, on both backends. Fixture `fixtures/two_maps` (see test_coverage_maps)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from linkage.accounts.users import SYSTEM, Actor
from linkage.counting.coverage import load_facts
from linkage.counting.indicators import COMMUNES, compute
from linkage.errors import UserFacingError
from linkage.exchange import ImportRefused
from linkage.geo.maps import NEW_MAP, OLD_MAP
from linkage.records import forms
from linkage.records.importing import import_path
from linkage.records.settling import choices, settle, to_settle
from linkage.records.unplaced import unplaced_csv
from linkage.store.db import read_session

FIXTURE = Path(__file__).parent / "fixtures" / "two_maps"
ADMIN = Actor("quantri", "admin")


@pytest.fixture
def two_maps(engine: Engine) -> Engine:
    import_path(engine, FIXTURE)
    return engine


def listed(engine: Engine, actor: Actor, on: str) -> list[tuple[str, str]]:
    return [(r.file, r.code) for r in to_settle(engine, actor, on)]


def test_the_list_holds_the_records_placed_above_the_commune_on_each_map(two_maps: Engine) -> None:
    # 2025-07: K5, A2 and A3 were given in old 05932, split between new 05908 and 05941.
    assert listed(two_maps, ADMIN, NEW_MAP) == [
        ("cooperatives", "K5"),
        ("raw_material_areas", "A2"),
        ("raw_material_areas", "A3"),
    ]
    # 2025-01: K2 (new 01864, four old communes) and K3, A1 (new 01849, two old communes) were given on 2025-07 only.
    assert listed(two_maps, ADMIN, OLD_MAP) == [
        ("cooperatives", "K2"),
        ("cooperatives", "K3"),
        ("raw_material_areas", "A1"),
    ]


def test_an_officer_lists_only_what_its_scope_reads(two_maps: Engine) -> None:
    assert listed(two_maps, Actor("lan", "officer", "173"), NEW_MAP) == listed(two_maps, ADMIN, NEW_MAP)
    assert listed(two_maps, Actor("lan", "officer", "058"), NEW_MAP) == []


def test_one_choice_places_the_record_and_the_unplaced_count_drops(two_maps: Engine) -> None:
    def communes_row() -> tuple[int, int]:
        with read_session(two_maps) as session:
            rows = compute(load_facts(session), records_day, map_name=NEW_MAP)
        row = rows[(rows["indicator"] == COMMUNES) & (rows["unit_code"] == "19")].iloc[0]
        return int(row["numerator"]), int(row["unplaced"])

    records_day = date(2025, 12, 31)
    before = communes_row()
    assert before[1] == 1  # K5
    (k5,) = [r for r in to_settle(two_maps, ADMIN, NEW_MAP) if r.code == "K5"]
    assert {c.code for c in k5.candidates} == {"05908", "05941"}
    settle(two_maps, ADMIN, k5, NEW_MAP, "05941")
    assert ("cooperatives", "K5") not in listed(two_maps, ADMIN, NEW_MAP)
    assert communes_row() == (before[0] + 1, 0)  # a commune more with a cooperative, none above the commune
    saved = forms.read(two_maps, SYSTEM, "cooperatives", "K5")
    assert (saved.values["commune_code"], saved.values["commune_code_2025_07"]) == ("05932", "05941")


def test_a_commune_the_crosswalk_does_not_give_is_refused_and_nothing_is_written(two_maps: Engine) -> None:
    (k5,) = [r for r in to_settle(two_maps, ADMIN, NEW_MAP) if r.code == "K5"]
    with pytest.raises(UserFacingError):
        settle(two_maps, ADMIN, k5, NEW_MAP, "01864")
    assert forms.read(two_maps, SYSTEM, "cooperatives", "K5").values["commune_code_2025_07"] == ""


# Old Xã Thượng Đình (05932), where K5, A2 and A3 were given, went to Xã Phú Bình (05908) and Xã Điềm Thụy
# (05941), both of Tỉnh Thái Nguyên (19) on 2025-07.
PHU_BINH = Actor("xa_pb", "officer", "05908", unit_map=NEW_MAP)
DIEM_THUY = Actor("xa_dt", "officer", "05941", unit_map=NEW_MAP)
DEPARTMENT = Actor("so_tn", "officer", "19", unit_map=NEW_MAP)
ELSEWHERE = Actor("xa_bt", "officer", "01864", unit_map=NEW_MAP)  # Xã Bằng Thành: none of these is its


def test_each_candidate_says_whether_this_officer_may_choose_it(two_maps: Engine) -> None:
    (k5,) = [r for r in to_settle(two_maps, PHU_BINH, NEW_MAP) if r.code == "K5"]
    assert {c.commune.code: c.allowed for c in choices(PHU_BINH, k5)} == {"05908": True, "05941": False}
    assert {c.commune.code: c.allowed for c in choices(DIEM_THUY, k5)} == {"05908": False, "05941": True}
    assert {c.commune.code: c.allowed for c in choices(DEPARTMENT, k5)} == {"05908": True, "05941": True}
    assert [u.code for u in next(c for c in choices(PHU_BINH, k5) if c.commune.code == "05941").settlers] == [
        "05941",
        "19",
    ]


def test_a_commune_outside_the_scope_is_refused_in_a_sentence_naming_who_can_settle(two_maps: Engine) -> None:
    (k5,) = [r for r in to_settle(two_maps, PHU_BINH, NEW_MAP) if r.code == "K5"]
    with pytest.raises(UserFacingError) as refused:
        settle(two_maps, PHU_BINH, k5, NEW_MAP, "05941")
    assert refused.value.message("en") == (
        "HTX Thượng Đình (xã bị chia) (K5) cannot be placed in Xã Điềm Thụy, Tỉnh Thái Nguyên (05941, 2025-07) from"
        " this account: that commune lies outside its scope, Xã Phú Bình, Tỉnh Thái Nguyên (05908, 2025-07)."
        " The Economic Office of Xã Điềm Thụy or the Department of Agriculture and Environment of Tỉnh Thái"
        " Nguyên can settle it."
    )
    assert refused.value.message("vi").endswith(
        "Phòng Kinh tế xã Điềm Thụy hoặc Sở Nông nghiệp và Môi trường tỉnh Thái Nguyên có thể xác định bản ghi này."
    )
    assert forms.read(two_maps, SYSTEM, "cooperatives", "K5").values["commune_code_2025_07"] == ""
    settle(two_maps, PHU_BINH, k5, NEW_MAP, "05908")  # its own commune is saved
    assert forms.read(two_maps, SYSTEM, "cooperatives", "K5").values["commune_code_2025_07"] == "05908"


def test_the_settling_list_imports_back_as_it_is_and_only_filled_rows_are_written(
    two_maps: Engine, tmp_path: Path
) -> None:
    listed_rows = to_settle(two_maps, PHU_BINH, NEW_MAP)
    assert [r.code for r in listed_rows] == ["K5", "A2", "A3"]
    text = unplaced_csv(listed_rows, NEW_MAP)
    lines = text.split("\r\n")
    k5 = next(i for i, line in enumerate(lines) if line.startswith("cooperatives,K5,"))
    cells = lines[k5].split(",")
    cells[4] = "5908"  # commune_code_2025_07, typed without its leading zero as a spreadsheet keeps it
    lines[k5] = ",".join(cells)
    path = tmp_path / "danh-sach.csv"
    path.write_text("\r\n".join(lines), encoding="utf-8-sig")
    report = import_path(two_maps, path, actor=PHU_BINH)
    assert [(c.inserted, c.updated, c.unchanged) for c in report.counts.values()] == [(0, 1, 0), (0, 0, 2)]
    stored = {
        code: forms.read(two_maps, SYSTEM, entity, code).values["commune_code_2025_07"]
        for entity, code in (("cooperatives", "K5"), ("raw_material_areas", "A2"), ("raw_material_areas", "A3"))
    }
    assert stored == {"K5": "05908", "A2": "", "A3": ""}


def test_an_unchanged_row_still_needs_the_right_to_read_its_record(two_maps: Engine, tmp_path: Path) -> None:
    """Else a file of guessed values would tell, by passing, what another office's records hold."""
    path = tmp_path / "danh-sach.csv"
    path.write_text(unplaced_csv(to_settle(two_maps, ADMIN, NEW_MAP), NEW_MAP), encoding="utf-8-sig")
    with pytest.raises(ImportRefused) as refused:
        import_path(two_maps, path, actor=ELSEWHERE)
    assert [(p.row, p.code) for p in refused.value.problems] == [
        (2, "not_in_scope"),
        (3, "not_in_scope"),
        (4, "not_in_scope"),
    ]
