"""`linkage unplaced`: the records placed on a map above the commune, with their candidate communes.

A record given by its commune on one map only is placed on the other map by the crosswalk
(docs/exchange-files.md, "Two maps"); when the commune was split it lands in a district or a province and cannot count
in a commune. This is the officer's list for settling those splits: each row names the record, the map column that is
missing, where the record is placed now and the communes it may be in. Filling the missing column places it exactly: in
the list itself, opened in a spreadsheet and imported back as it is with `linkage import FILE.csv` (or `.xlsx`;
`exchange.read` reads it as updates of the location columns of the records it names, every other column kept as stored),
or in the entity's exchange file or the form.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from linkage.exchange.read import SETTLEMENT_COLUMNS
from linkage.exchange.values import shield
from linkage.geo.maps import (
    NEW_MAP,
    OLD_MAP,
    Unit,
    check_map,
    crosswalk,
    map_data,
    placements,
    unit_holds,
)
from linkage.geo.typed_codes import AmbiguousCode as AmbiguousCode  # re-exported for the commands
from linkage.geo.typed_codes import UnknownUnit as UnknownUnit
from linkage.geo.typed_codes import read_code
from linkage.store.db import read_session
from linkage.store.models import Buyer, Cooperative, Producer, RawMaterialArea

# The entities located by a commune, by the name of their exchange file.
LOCATED = {
    "cooperatives": Cooperative,
    "producers": Producer,
    "buyers": Buyer,
    "raw_material_areas": RawMaterialArea,
}
COLUMNS = SETTLEMENT_COLUMNS  # the list `linkage import` reads back once filled
MAP_COLUMN = {OLD_MAP: "commune_code", NEW_MAP: "commune_code_2025_07"}


@dataclass(frozen=True)
class UnplacedRecord:
    file: str  # exchange file of the entity: `cooperatives`, `producers`, `buyers`, `raw_material_areas`
    code: str
    name: str
    commune_code: str  # on 2025-01, "" when not given
    commune_code_2025_07: str  # "" when not given
    placed: Unit  # on the map asked for: a district, province or the country
    candidates: tuple[Unit, ...]  # communes of that map the record may be in

    def row(self, on: str) -> dict[str, str]:
        return {
            "file": self.file,
            "code": self.code,
            "name": self.name,
            "commune_code": self.commune_code,
            "commune_code_2025_07": self.commune_code_2025_07,
            "missing_column": MAP_COLUMN[on],
            "placed_level": self.placed.level,
            "placed_code": self.placed.code,
            "placed_name": self.placed.name,
            "candidates": "; ".join(f"{c.code} {c.name}" for c in self.candidates),
        }


def resolve(code: str, on: str, levels: Iterable[str] = ("province", "district", "commune")) -> Unit:
    """The unit of map `on` that a typed `code` names at one of `levels` or as `VN`
    (`typed_codes.read_code`), else `UnknownUnit` (or `AmbiguousCode`) in words naming the map."""
    return read_code(code, on, ("national", *levels))


def unplaced(engine: Engine, on: str, unit: Unit | None = None) -> list[UnplacedRecord]:
    """Live records placed on map `on` above the commune (given only on the other map, in a commune
    that went to several), sorted by file and code; with `unit`, those placed in it or below it, or
    with a candidate commune in it."""
    check_map(on)
    other = NEW_MAP if on == OLD_MAP else OLD_MAP
    own_column, other_column = MAP_COLUMN[on], MAP_COLUMN[other]
    placed_from = placements(other, on)
    # Only a commune the crosswalk places above the communes of `on` leaves a record unplaced (468 of
    # 2025-01, 3,192 of 2025-07: one IN list, under `db.CHUNK`): asked in the query, so a record given in
    # any other commune (nearly all of them on a national database) is never read.
    split = sorted(given for given, placed in placed_from.items() if placed.level != "commune")
    old_communes = map_data(other).communes
    found: list[UnplacedRecord] = []
    with read_session(engine) as session:
        for file, model in LOCATED.items():
            table = model.__table__  # type: ignore[attr-defined]
            query = (
                sa.select(table.c.code, table.c.name, table.c.commune_code, table.c.commune_code_2025_07)
                .where(
                    table.c.archived_at.is_(None),
                    table.c[own_column].is_(None),
                    table.c[other_column].in_(split),
                )
                .order_by(table.c.code)
            )
            for code, name, old, new in session.execute(query):
                given = new if on == OLD_MAP else old
                placed = placed_from[given]
                candidates = crosswalk().candidates(old_communes[given].unit)
                if unit is not None and not (unit_holds(unit, placed) or any(unit_holds(unit, c) for c in candidates)):
                    continue
                found.append(UnplacedRecord(file, code, name, old or "", new or "", placed, candidates))
    return found


def unplaced_csv(records: Sequence[UnplacedRecord], on: str) -> str:
    """The list as CSV text (header row first); a cell a spreadsheet would run as a formula is shielded
    as in the exchange files."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for record in records:
        writer.writerow({k: shield(v) for k, v in record.row(on).items()})
    return out.getvalue()
