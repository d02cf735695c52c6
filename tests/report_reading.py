"""A filed report read back as a reader finds it (python-docx): its paragraphs, its tables with the
paragraph before each, and every figure row read as numbers."""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import docx
from docx.document import Document
from docx.table import Table
from docx.text.paragraph import Paragraph

from linkage.counting.indicators import COMMUNES, DISTRICTS, INDICATORS, RAW_MATERIAL
from linkage.geo.maps import OLD_MAP, Unit
from linkage.i18n import t

TARGET = {COMMUNES: Fraction(7, 10), DISTRICTS: Fraction(7, 10), RAW_MATERIAL: Fraction(1, 2)}

# --- reading a report back ------------------------------------------------------------------------


@dataclass
class Read:
    """A report as a reader finds it: its paragraphs' text, and its tables with the paragraph before each."""

    document: Document
    paragraphs: list[str] = field(default_factory=list)
    tables: list[tuple[str, list[list[str]]]] = field(default_factory=list)

    @property
    def text(self) -> str:
        cells = [cell for _, rows in self.tables for row in rows for cell in row]
        return "\n".join([*self.paragraphs, *cells])


def read(data: bytes) -> Read:
    opened = docx.Document(io.BytesIO(data))
    found = Read(opened)
    before = ""
    for child in opened.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            text = Paragraph(child, opened).text
            if text.strip():
                found.paragraphs.append(text)
                before = text
        elif tag == "tbl":
            table = Table(child, opened)
            found.tables.append((before, [[cell.text for cell in row.cells] for row in table.rows]))
    return found


def count(text: str, lang: str) -> int:
    return int(text.replace("." if lang == "vi" else ",", ""))


def ratio_of(text: str) -> float | None:
    return None if text == "—" else float(text.removesuffix(" %").replace(",", ".")) / 100


def met_of(text: str, lang: str) -> bool | None:
    words = {t("report.met.yes", lang): True, t("report.met.no", lang): False, t("report.met.none", lang): None}
    return words[text]


def indicator_named(label: str, lang: str) -> str:
    (found,) = [i for i in INDICATORS if t(f"indicator.{i}", lang) == label]
    return found


def figures(found: Read, lang: str) -> dict[tuple[str, str, str], dict[str, Any]]:
    """Every figure row of the report: (indicator, unit code — `self` for the unit's own table, data
    kind) → its figures read as numbers."""
    rows: dict[tuple[str, str, str], dict[str, Any]] = {}
    own, number = t("report.col.indicator", lang), t("report.col.number", lang)
    counted = t("report.col.numerator", lang)
    for before, table in found.tables:
        header, *body = table
        if counted not in header:
            continue
        data = t("report.col.data", lang) in header
        for cells in body:
            if header[0] == own:
                indicator, code = indicator_named(cells[0], lang), "self"
                rest = cells[1:]
            else:
                assert header[0] == number
                indicator, code = indicator_named(before, lang), cells[1]
                rest = cells[3:]
            kind = "reported"
            if data:
                kind = {t("report.data.reported", lang): "reported", t("report.data.verified", lang): "verified"}[
                    rest[0]
                ]
                rest = rest[1:]
            numerator, denominator, ratio, target, met, needed, unplaced = rest
            rows[(indicator, code, kind)] = {
                "numerator": count(numerator, lang),
                "denominator": count(denominator, lang),
                "ratio": ratio_of(ratio),
                "target": ratio_of(target),
                "met": met_of(met, lang),
                "needed": count(needed, lang) if needed else None,
                "unplaced": count(unplaced, lang) if unplaced else None,
                "name": cells[2] if code != "self" else None,
            }
    return rows


# ---- a report against the coverage rows of `linkage coverage` ----


def needed_by_hand(indicator: str, numerator: int, denominator: int) -> int:
    """More units to reach the target: the least n with (numerator + n) / denominator ≥ target."""
    if denominator == 0:
        return 0
    n = 0
    while Fraction(numerator + n, denominator) < TARGET[indicator]:
        n += 1
    return n


def same(figure: dict[str, Any], row: dict[str, Any]) -> None:
    """One row of the document against the coverage row of the same indicator and unit."""
    assert figure["numerator"] == row["numerator"] and figure["denominator"] == row["denominator"], row
    if row["ratio"] is None:
        assert figure["ratio"] is None
    else:
        assert math.isclose(figure["ratio"], round(row["ratio"] * 100, 1) / 100, abs_tol=1e-9), row
    assert figure["target"] == row["target"] and figure["met"] == row["met"], row
    if figure["needed"] is not None:
        assert figure["needed"] == needed_by_hand(row["indicator"], row["numerator"], row["denominator"])
        assert figure["unplaced"] == row["unplaced"]


def check_against(found: Read, lang: str, rows: list[dict[str, Any]], unit: Unit, below: set[str]) -> int:
    """Every figure of the report equals a coverage row, and every row of the unit and of the units below
    it is in the report; returns how many rows were compared."""
    shown = figures(found, lang)
    by_key = {(r["indicator"], r["level"], r["unit_code"]): r for r in rows}
    own = {r["indicator"]: r for r in rows if r["unit_code"] == unit.code and r["level"] == unit.level}
    level = {"national": "province", "province": "district" if unit.map == OLD_MAP else "commune"}.get(unit.level)
    children = {(r["indicator"], r["unit_code"]): r for r in rows if r["level"] == level and r["unit_code"] in below}
    assert {(i, c) for i, c, k in shown if c == "self" and k == "reported"} == {(i, "self") for i in own}
    assert {(i, c) for i, c, k in shown if c != "self" and k == "reported"} == set(children)
    for (indicator, code, kind), figure in shown.items():
        if kind != "reported":
            continue
        row = own[indicator] if code == "self" else children[(indicator, code)]
        same(figure, row)
        if code != "self":
            assert figure["name"] == row["unit_name"]
            assert (indicator, row["level"], code) in by_key
    return len(shown)
