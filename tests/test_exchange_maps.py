"""The two location columns of the exchange files (docs/exchange-files.md, "Locations").

`commune_code` is a commune on map 2025-01, `commune_code_2025_07` one on map 2025-07; a
cooperative, producer or raw material area needs at least one, a buyer may give none, and a row
giving both must agree with the crosswalk. Every refusal is one line naming file, row, column and
map, and nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from linkage.accounts.users import SYSTEM
from linkage.exchange import ImportRefused, Problem
from linkage.records.exporting import export_folder
from linkage.records.importing import import_path
from linkage.store.db import read_session
from linkage.store.models import Buyer, Cooperative, Producer, RawMaterialArea

Files = Callable[..., Path]
COOPS = "code,name,commune_code,commune_code_2025_07,established_on,dissolved_on,members"


def refused(engine: Engine, path: Path) -> list[Problem]:
    with pytest.raises(ImportRefused) as caught:
        import_path(engine, path)
    return caught.value.problems


def located(engine: Engine, model: type, code: str) -> tuple[str | None, str | None]:
    with read_session(engine) as session:
        row = session.execute(
            sa.select(model.commune_code, model.commune_code_2025_07).where(model.code == code)  # type: ignore[attr-defined]
        ).one()
    return row[0], row[1]


def count(engine: Engine, model: type) -> int:
    with read_session(engine) as session:
        return session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()


def test_a_cooperative_registered_after_the_reform_is_given_on_the_new_map_only(engine: Engine, files: Files) -> None:
    import_path(engine, files({"cooperatives": f"{COOPS}\nK1,HTX Thạnh An,,31231,2025-09-01,,15"}))
    assert located(engine, Cooperative, "K1") == (None, "31231")


def test_a_record_may_be_given_on_both_maps_when_they_agree(engine: Engine, files: Files) -> None:
    # Phường Long Tuyền (31183) went partly into Phường An Bình (31150).
    import_path(engine, files({"cooperatives": f"{COOPS}\nK1,HTX Long Tuyền,31183,31150,2018-01-01,,12"}))
    assert located(engine, Cooperative, "K1") == ("31183", "31150")


def test_two_maps_that_disagree_are_refused_on_the_new_column_and_nothing_is_written(
    engine: Engine, files: Files
) -> None:
    folder = files(
        {
            "cooperatives": f"{COOPS}\nK1,HTX Hai Bản Đồ,31183,31183,2020-01-01,,5\n"
            "K2,HTX Lệch,31178,31183,2020-01-01,,5",
        }
    )
    [problem] = refused(engine, folder)
    assert (problem.file, problem.row, problem.column) == ("cooperatives.csv", 3, "commune_code_2025_07")
    line = str(problem)
    assert "31183" in line and "31178" in line and "2025-07" in line and "2025-01" in line
    assert "31120, 31168" in line  # where Phường Bùi Hữu Nghĩa did go, so the officer can correct it
    assert count(engine, Cooperative) == 0


def test_a_code_that_is_not_a_commune_on_the_map_of_its_column_is_refused_naming_that_map(
    engine: Engine, files: Files
) -> None:
    producers = "code,name,commune_code,commune_code_2025_07,kind,cooperative_code"
    # 31117 is a ward of Cần Thơ on 2025-01 only; 31150 exists on both maps.
    problems = refused(engine, files({"producers": f"{producers}\nQ1,Hộ A,,31150,household,\nQ2,Hộ B,,31117,,"}))
    assert [(p.row, p.column) for p in problems] == [(3, "commune_code_2025_07")]
    assert "31117" in str(problems[0]) and "map 2025-07" in str(problems[0])
    problems = refused(engine, files({"producers": f"{producers}\nQ1,Hộ A,99999,,household,"}))
    assert [(p.row, p.column) for p in problems] == [(2, "commune_code")]
    assert "map 2025-01" in str(problems[0])
    assert count(engine, Producer) == 0


def test_a_row_with_no_location_is_refused_on_commune_code(engine: Engine, files: Files) -> None:
    areas = "code,name,commune_code,commune_code_2025_07,product_code,area_ha,planting_area_code"
    problems = refused(
        engine, files({"raw_material_areas": f"{areas}\nA1,Vùng Có Mã,31333,,RICE,10,\nA2,Vùng,,,RICE,10,"})
    )
    assert [(p.file, p.row, p.column) for p in problems] == [("raw_material_areas.csv", 3, "commune_code")]
    assert "2025-01" in str(problems[0]) and "2025-07" in str(problems[0])
    assert count(engine, RawMaterialArea) == 0


def test_a_buyer_may_give_no_commune_but_two_must_agree(engine: Engine, files: Files) -> None:
    buyers = "code,name,kind,commune_code,commune_code_2025_07"
    import_path(engine, files({"buyers": f"{buyers}\nB1,Đại lý,trader,,"}))
    assert located(engine, Buyer, "B1") == (None, None)
    [problem] = refused(engine, files({"buyers": f"{buyers}\nB2,Công ty,trader,00001,00004"}))
    assert (problem.row, problem.column) == (2, "commune_code_2025_07")  # Phúc Xá went to Hồng Hà


def test_an_old_file_with_only_the_2025_01_column_still_imports(engine: Engine, files: Files) -> None:
    import_path(engine, files({"cooperatives": "code,name,commune_code\nK1,HTX Một,01849"}))
    assert located(engine, Cooperative, "K1") == ("01849", None)


def test_filling_the_new_column_later_settles_a_split_commune(engine: Engine, files: Files) -> None:
    import_path(engine, files({"cooperatives": f"{COOPS}\nK1,HTX Bùi Hữu Nghĩa,31178,,2019-05-01,,9"}))
    report = import_path(
        engine, files({"cooperatives": "code,name,commune_code_2025_07\nK1,HTX Bùi Hữu Nghĩa,31168"}, "settle")
    )
    assert report.counts["cooperatives"].updated == 1
    assert located(engine, Cooperative, "K1") == ("31178", "31168")


def test_changing_one_column_so_that_the_maps_disagree_is_refused_on_that_column(engine: Engine, files: Files) -> None:
    import_path(engine, files({"cooperatives": f"{COOPS}\nK1,HTX Long Tuyền,31183,31150,2018-01-01,,12"}))
    [problem] = refused(engine, files({"cooperatives": "code,name,commune_code\nK1,HTX Long Tuyền,00004"}, "move"))
    assert (problem.row, problem.column) == (2, "commune_code")
    assert located(engine, Cooperative, "K1") == ("31183", "31150")


def test_a_partly_merged_commune_listing_one_new_commune_agrees_with_its_new_province(
    engine: Engine, files: Files
) -> None:
    # Xã Đặng Xá (Gia Lâm) is marked partly merged, yet the table lists Xã Phù Đổng alone.
    import_path(engine, files({"cooperatives": f"{COOPS}\nK1,HTX Đặng Xá,00556,00004,,,"}))
    assert located(engine, Cooperative, "K1") == ("00556", "00004")
    [problem] = refused(engine, files({"cooperatives": f"{COOPS}\nK2,HTX Đặng Xá 2,00556,00859,,,"}, "far"))
    assert problem.column == "commune_code_2025_07"  # Xã Ngọc Long is in Tuyên Quang


def test_export_writes_both_columns_and_round_trips(engine: Engine, files: Files, tmp_path: Path) -> None:
    import_path(
        engine,
        files(
            {
                "cooperatives": f"{COOPS}\nK1,HTX Mới,,31231,2025-09-01,,15\nK2,HTX Cũ,31178,,2019-05-01,,9\n"
                "K3,HTX Hai,31183,31150,2018-01-01,,12",
                "buyers": "code,name,kind,commune_code,commune_code_2025_07\nB1,Đại lý,trader,,00004",
            }
        ),
    )
    with read_session(engine) as session:
        export_folder(session, tmp_path / "out", actor=SYSTEM)
    text = (tmp_path / "out" / "cooperatives.csv").read_text(encoding="utf-8-sig").splitlines()
    assert text[0] == COOPS
    assert text[1:] == [
        "K1,HTX Mới,,31231,2025-09-01,,15",
        "K2,HTX Cũ,31178,,2019-05-01,,9",
        "K3,HTX Hai,31183,31150,2018-01-01,,12",
    ]
    buyers = (tmp_path / "out" / "buyers.csv").read_text(encoding="utf-8-sig").splitlines()
    assert buyers == ["code,name,kind,commune_code,commune_code_2025_07", "B1,Đại lý,trader,,00004"]
    report = import_path(engine, tmp_path / "out")  # the export is itself a valid import that changes nothing
    assert all(c.inserted == 0 and c.updated == 0 for c in report.counts.values())
