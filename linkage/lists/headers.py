"""Which column of an office's list gives which field: header words of both languages.

A header is compared as a key (`key`): no case, no diacritics, no punctuation, no spacing, so
`Tên hợp tác xã`, `TEN HOP TAC XA` and `Tên  hợp tác xã:` are one header. Every column of the
entity's exchange file is known by its own name too (docs/exchange-files.md).

Fields beyond the exchange columns: `address` (one text with commune, district, province),
`commune`, `district`, `province` (names), and `commune_id` (`Mã xã`: a commune code on the row's map).

Example:

    >>> understand(["STT", "Tên HTX", "Địa chỉ", "Ghi chú"], "cooperatives").columns
    {'name': 1, 'address': 2}
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, lru_cache

from linkage.exchange.spec import BY_NAME
from linkage.geo.geography import fold

LIST_ENTITIES = ("cooperatives", "producers", "buyers", "raw_material_areas")
PLACE_FIELDS = ("address", "commune", "district", "province", "commune_id")
HEADER_ROWS = 20  # the header is among the first 20 rows of the sheet

_COMMON: dict[str, tuple[str, ...]] = {
    "name": ("Tên", "Tên đơn vị", "Tên gọi"),
    "code": ("Mã", "Mã số", "Mã số đăng ký", "Số đăng ký"),
    "address": ("Địa chỉ", "Địa chỉ trụ sở", "Trụ sở", "Địa chỉ trụ sở chính", "Trụ sở chính", "address"),
    "commune": (
        "Xã",
        "Phường",
        "Xã/Phường",
        "Phường/Xã",
        "Xã, phường, thị trấn",
        "Xã/Phường/Thị trấn",
        "Xã/Phường/Đặc khu",
        "Xã, phường, đặc khu",
        "commune",
    ),
    "district": ("Huyện", "Quận/Huyện", "Huyện/Thị xã", "Quận, huyện", "Huyện/Quận/Thị xã/Thành phố", "district"),
    "province": ("Tỉnh", "Tỉnh/Thành phố", "Tỉnh/TP", "Tỉnh, thành phố", "Tỉnh thành", "province"),
    "commune_id": ("Mã xã", "Mã xã/phường", "Mã đơn vị hành chính"),
}

_OWN: dict[str, dict[str, tuple[str, ...]]] = {
    "cooperatives": {
        "name": ("Tên hợp tác xã", "Tên HTX"),
        "code": ("Mã HTX", "Mã số HTX", "Mã số hợp tác xã", "Mã số thuế", "Mã số doanh nghiệp", "MST"),
        "established_on": ("Ngày thành lập", "Năm thành lập", "Ngày đăng ký", "Ngày đăng ký thành lập"),
        "dissolved_on": ("Ngày giải thể", "Ngày ngừng hoạt động"),
        "members": ("Số thành viên", "Số TV", "Số lượng thành viên"),
    },
    "producers": {
        "name": ("Họ và tên", "Họ tên", "Tên hộ", "Tên chủ hộ", "Họ tên chủ hộ", "Tên trang trại", "Tên tổ hợp tác"),
        "code": ("Mã hộ", "Mã số hộ"),
        "kind": ("Loại", "Loại hình", "Loại hình sản xuất"),
        "cooperative_code": ("Thành viên HTX", "HTX", "Mã HTX", "Mã số HTX", "Tên HTX", "Hợp tác xã", "Thuộc HTX"),
    },
    "buyers": {
        "name": ("Tên doanh nghiệp", "Tên DN", "Tên công ty", "Tên cơ sở"),
        "code": ("Mã số thuế", "Mã số doanh nghiệp", "MST", "Mã DN"),
        "kind": ("Loại", "Loại hình", "Loại hình doanh nghiệp"),
    },
    "raw_material_areas": {
        "name": ("Tên vùng nguyên liệu", "Tên vùng", "Vùng nguyên liệu", "Tên vùng trồng"),
        "code": ("Mã vùng", "Mã vùng nguyên liệu"),
        "product_code": ("Sản phẩm", "Cây trồng", "Mã sản phẩm", "Sản phẩm chính", "Cây trồng chính"),
        "area_ha": ("Diện tích", "Diện tích (ha)", "Diện tích ha", "Quy mô (ha)"),
        "planting_area_code": ("Mã số vùng trồng", "Mã vùng trồng"),
    },
}


@lru_cache(maxsize=65536)
def key(text: str) -> str:
    """A header (or a name) as compared: folded, letters and digits only (`Tên HTX:` → `tenhtx`)."""
    return re.sub(r"[^a-z0-9]", "", fold(text))


def fields_of(entity: str) -> tuple[str, ...]:
    """Every field a list of `entity` may give: its exchange columns and the place fields."""
    return (*BY_NAME[entity].column_names, *PLACE_FIELDS)


@cache
def words(entity: str) -> dict[str, str]:
    """Header key → field, for lists of `entity` (shared: not to be changed)."""
    found: dict[str, str] = {}
    for name in fields_of(entity):
        found[key(name)] = name
    for name, texts in (*_COMMON.items(), *_OWN[entity].items()):
        for text in texts:
            found[key(text)] = name
    return found


@dataclass
class Understood:
    """How a header row reads for one entity: field → column index, and the columns no field claims."""

    columns: dict[str, int] = field(default_factory=dict)
    ignored: list[int] = field(default_factory=list)
    twice: dict[str, list[int]] = field(default_factory=dict)  # a field two columns claim


def understand(header: list[str], entity: str, chosen: dict[str, str] | None = None) -> Understood:
    """The columns of `header` by field; `chosen` (field → header text, `--column`) comes first."""
    known = words(entity)
    keys = [key(h) for h in header]
    result = Understood()
    taken: set[int] = set()
    for chosen_field, text in (chosen or {}).items():
        index = keys.index(key(text))  # the header is there: checked by the caller
        result.columns[chosen_field] = index
        taken.add(index)
    for index, k in enumerate(keys):
        if index in taken or not k:
            continue
        name = known.get(k)
        if name is None or name in (chosen or {}):
            result.ignored.append(index)
        elif name in result.columns:
            result.twice.setdefault(name, [result.columns[name]]).append(index)
        else:
            result.columns[name] = index
    return result


def names_fields(cells: list[str]) -> int:
    """How many different fields of any kind of list a row's cells name: a header names at least two."""
    every = _every()
    return len({every[key(c)] for c in cells if key(c) in every})


@cache
def _every() -> dict[str, str]:
    return {k: f for e in LIST_ENTITIES for k, f in words(e).items()}


def find_header(rows: list[list[str]]) -> int | None:
    """The index of the header among the first `HEADER_ROWS` rows: the first naming two fields."""
    for index, cells in enumerate(rows[:HEADER_ROWS]):
        if names_fields(cells) >= 2:
            return index
    return None


def expected_words(entity: str) -> str:
    """Some header words a list of `entity` is expected to have, for a refusal that says which."""
    own = _OWN[entity]
    return ", ".join([own["name"][0], own["code"][0], _COMMON["address"][0], _COMMON["commune"][0]])


def likely_kind(header: list[str], entity: str) -> tuple[str, list[str]] | None:
    """Another kind of list whose own words `header` uses more than this one's, with those headers: a
    producers' list given as cooperatives is refused instead of read as something it is not."""
    own = {k for k, f in words(entity).items() if f not in PLACE_FIELDS}
    keys = [key(h) for h in header]
    mine = sum(1 for k in keys if k in own)
    best: tuple[str, list[str]] | None = None
    for other in LIST_ENTITIES:
        if other == entity:
            continue
        theirs = {k for k, f in words(other).items() if f not in PLACE_FIELDS}
        telling = [h for h, k in zip(header, keys, strict=True) if k in theirs and k not in own]
        if telling and sum(1 for k in keys if k in theirs) > mine and (best is None or len(telling) > len(best[1])):
            best = (other, telling)
    return best
