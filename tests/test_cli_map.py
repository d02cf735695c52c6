"""`linkage map`: the coverage map as an SVG or PNG picture, and its refusals in plain words."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from linkage.records.importing import import_path

from .helpers import linkage, url

FIXTURE = Path(__file__).parent / "fixtures" / "two_maps"


@pytest.fixture
def db(engine: Engine) -> str:
    import_path(engine, FIXTURE)
    return url(engine)


def test_a_province_of_todays_map_is_written_as_svg_naming_unit_date_and_map(db: str, tmp_path: Path) -> None:
    out = tmp_path / "thai-nguyen.svg"
    done = linkage("map", "19", "--out", str(out), "--map", "2025-07", "--as-of", "2025-12-31", "--db", db)
    assert done.returncode == 0, done.stderr
    svg = out.read_text(encoding="utf-8")
    assert svg.startswith("<svg") and "<title>Map of Communes with a cooperative in Tỉnh Thái Nguyên" in svg
    assert "31/12/2025, map 2025-07: 92 communes" in done.stdout
    assert "placed above the level drawn" in done.stdout  # the fixture's record in a split commune


def test_the_country_on_the_old_map_is_a_png_in_vietnamese(db: str, tmp_path: Path) -> None:
    out = tmp_path / "vn.png"
    done = linkage(
        "map",
        "VN",
        "--out",
        str(out),
        "--as-of",
        "2025-03-01",
        "--indicator",
        "districts_with_key_product_linkage",
        "--db",
        db,
        env={"LINKAGE_LANG": "vi"},
    )
    assert done.returncode == 0, done.stderr
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (
        "Bản đồ Huyện có liên kết sản phẩm chủ lực tại Việt Nam ngày 01/03/2025, bản đồ 2025-01: 63 tỉnh" in done.stdout
    )


def test_a_commune_of_the_old_map_draws_its_district_and_says_so(db: str, tmp_path: Path) -> None:
    done = linkage("map", "01849", "--out", str(tmp_path / "x.png"), "--as-of", "2024-01-01", "--db", db)
    assert done.returncode == 0, done.stderr
    assert "drawing its district, Thành Phố Bắc Kạn" in done.stdout


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("058", "--out", "x.pdf"), "written as .svg or .png"),
        (("058", "--out", "x.svg", "--map", "2025-07"), "not the code of a province or commune on map 2025-07"),
        (
            ("058", "--out", "x.svg", "--as-of", "2024-01-01", "--indicator", "districts_with_key_product_linkage"),
            "is not drawn for Thành Phố Bắc Kạn on map 2025-01",
        ),
        (("VN", "--out", "no-such-folder/x.svg"), "cannot write the file"),
    ],
)
def test_refusals_are_one_plain_line(db: str, tmp_path: Path, args: tuple[str, ...], words: str) -> None:
    args = tuple(str(tmp_path / a) if a.startswith(("x.", "no-such")) else a for a in args)
    done = linkage("map", *args, "--db", db)
    assert done.returncode == 1 and words in done.stderr and "Traceback" not in done.stderr
    assert list(tmp_path.iterdir()) == []
