"""A report (`content.Report`) as a Word document in the layout of an administrative document of
Decree 30/2020/NĐ-CP (Appendix I): A4 paper, margins top and bottom 20 mm, left 30 mm, right 15 mm,
Times New Roman 14 pt; above the text, the issuing office and the document's number on the left, the
national title, the motto and the place and date on the right; the kind of document (`BÁO CÁO`) and
its subject centred; page numbers at the top centre from the second page; where it is sent and the
signature block at the end.

python-docx writes the file: every text goes in as text (a run's characters, XML-escaped by the
library), so a name a user typed reads in the document exactly as typed and is never a field, a link
or markup. Characters XML cannot hold (control characters) are shown as U+FFFD.
"""

from __future__ import annotations

import io
import math
import os
import re
import tempfile
from collections.abc import Sequence
from copy import deepcopy
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from linkage.actor import Actor
from linkage.counting.indicators import COMMUNES, DISTRICTS, INDICATORS, RAW_MATERIAL, TARGETS
from linkage.geo.maps import NATIONAL_CODE, map_data
from linkage.i18n import day_text, t, vietnam_time
from linkage.reports.chart import start_engine, trend_png
from linkage.reports.content import LISTED, Report, ReportRefused, build

if TYPE_CHECKING:
    from docx.document import Document as DocumentObject
    from docx.table import Table, _Cell
    from docx.text.paragraph import Paragraph
    from sqlalchemy.engine import Engine

    from linkage.geo.maps import Unit

FONT = "Times New Roman"
BODY_PT = 14  # the text of the document (Decree 30: 13–14 pt)
TABLE_PT = 12  # figures in tables
PAPER_MM = (210, 297)  # A4
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}
TEXT_MM = PAPER_MM[0] - MARGINS_MM["left"] - MARGINS_MM["right"]  # 165 mm of text width
BREAKS = frozenset("\t\n\r")  # what python-docx's `add_run` writes as a tab or a line break, not as text
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _text(value: object) -> str:
    return NOT_XML.sub("\ufffd", "" if value is None else str(value))


def number(value: int, lang: str) -> str:
    """A count as a reader of `lang` writes it: `1.234` in Vietnamese, `1,234` in English."""
    text = f"{int(value):,}"
    return text.replace(",", ".") if lang == "vi" else text


def percent(ratio: float | None, lang: str) -> str:
    """A ratio as a percentage with one decimal (`58,3 %`, `58.3 %`); `—` for no data (0 out of 0)."""
    if ratio is None or (isinstance(ratio, float) and math.isnan(ratio)):
        return "—"
    text = f"{ratio * 100:.1f} %"
    return text.replace(".", ",") if lang == "vi" else text


def target_text(target: float, lang: str) -> str:
    """A target as the decision writes it: `70 %`."""
    return f"{round(target * 100)} %"


def met_word(met: object, lang: str) -> str:
    if met is None or (isinstance(met, float) and math.isnan(met)):
        return t("report.met.none", lang)
    return t("report.met.yes" if bool(met) else "report.met.no", lang)


def written_date(day: date, lang: str) -> str:
    """The date line's date: `ngày 06 tháng 12 năm 2026`, `6 December 2026`."""
    if lang == "vi":
        return f"ngày {day:%d} tháng {day:%m} năm {day:%Y}"
    return f"{day.day} {day:%B %Y}"


def place_name(report: Report) -> str:
    """Where the document is issued, as the date line names it: the unit without its division word
    (`Tỉnh Đắk Lắk` → `Đắk Lắk`), the capital for the country."""
    unit = report.unit
    if unit.code == NATIONAL_CODE:
        return "Hà Nội"
    place = map_data(unit.map).level(unit.level).get(unit.code)
    kind = place.kind if place else ""
    name = unit.name
    if kind and name[: len(kind)].lower() == kind.lower():
        name = name[len(kind) :].strip()
    return name


# --- python-docx helpers ----------------------------------------------------------------------------


def _font(run: Any, size: float | None = None, bold: bool = False, italic: bool = False) -> None:
    from docx.shared import Pt  # lazy: python-docx is loaded only when a document is written

    run.font.name = FONT
    if size:
        run.font.size = Pt(size)
    run.font.bold = bold or None
    run.font.italic = italic or None


def _paragraph(
    where: Any,
    text: str = "",
    *,
    size: float | None = None,
    bold: bool = False,
    italic: bool = False,
    align: str = "justify",
    indent: bool = False,
    after: float = 6,
    first: bool = False,
) -> Paragraph:
    """A paragraph of `text` in `where` (the document or a table cell); `first` reuses a cell's own empty
    first paragraph."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH  # lazy, with python-docx
    from docx.shared import Mm, Pt  # lazy, with python-docx

    paragraph = where.paragraphs[0] if first else where.add_paragraph()
    paragraph.alignment = {
        "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
        "center": WD_ALIGN_PARAGRAPH.CENTER,
        "left": WD_ALIGN_PARAGRAPH.LEFT,
        "right": WD_ALIGN_PARAGRAPH.RIGHT,
    }[align]
    layout = paragraph.paragraph_format
    layout.space_before = Pt(0)
    layout.space_after = Pt(after)
    if indent:
        layout.first_line_indent = Mm(12.7)
    if text:
        _font(paragraph.add_run(_text(text)), size, bold, italic)
    return paragraph


def _rule(where: Any, width_mm: float, cell_mm: float) -> None:
    """A short solid line centred under the line above (the decree's rule under the office and the motto)."""
    from docx.oxml import OxmlElement  # lazy, with python-docx
    from docx.oxml.ns import qn  # lazy, with python-docx
    from docx.shared import Mm  # lazy, with python-docx

    paragraph = _paragraph(where, align="center", after=4)
    side = max(0.0, (cell_mm - width_mm) / 2)
    paragraph.paragraph_format.left_indent = Mm(side)
    paragraph.paragraph_format.right_indent = Mm(side)
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for name, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(name), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)
    layout = paragraph.paragraph_format
    from docx.shared import Pt  # lazy, with python-docx

    layout.line_spacing = Pt(2)


def _no_borders(table: Table) -> None:
    from docx.oxml import OxmlElement  # lazy, with python-docx
    from docx.oxml.ns import qn  # lazy, with python-docx

    properties = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:val"), "nil")
        borders.append(edge)
    properties.append(borders)


def _widths(table: Table, widths_mm: Sequence[float]) -> None:
    from docx.shared import Mm  # lazy, with python-docx

    table.autofit = False
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm, strict=True):
            cell.width = Mm(width)


def _cell(cell: _Cell, text: str, *, bold: bool = False, align: str = "center", size: float = TABLE_PT) -> None:
    _paragraph(cell, text, size=size, bold=bold, align=align, after=0, first=True)


def _grid(
    document: DocumentObject, header: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float]
) -> Table:
    """A table with borders, a bold header row repeated on every page, numbers centred, names left."""
    from docx.oxml import OxmlElement  # lazy, with python-docx
    from docx.oxml.ns import qn  # lazy, with python-docx

    table = document.add_table(rows=1 + len(rows), cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        _cell(cell, text, bold=True)
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    table.rows[0]._tr.get_or_add_trPr().append(repeat)
    made: dict[str, Any] = {}  # a formatted cell paragraph of each alignment, copied for the cells after it
    for row, values in zip(table.rows[1:], rows, strict=True):
        for cell, text in zip(row.cells, values, strict=True):
            _filled(cell, text, "left" if not _numeric(text) else "center", made)
    _widths(table, widths)
    _paragraph(document, after=0)
    return table


def _filled(cell: _Cell, text: str, align: str, made: dict[str, Any]) -> None:
    """`_cell(cell, text, align=align)`, made as a copy of the first cell of that alignment with its text
    replaced: python-docx takes about a millisecond to format each cell, and a settling list has
    thousands. Text that python-docx writes as more than one element is formatted as `_cell` does."""
    from docx.oxml.ns import qn  # lazy, with python-docx

    text = _text(text)
    template = made.get(align)
    if template is None or not text or not BREAKS.isdisjoint(text):
        _cell(cell, text, align=align)
        if text and BREAKS.isdisjoint(text):
            made[align] = deepcopy(cell.paragraphs[0]._p)
        return
    paragraph = deepcopy(template)
    (run_text,) = paragraph.iter(qn("w:t"))
    run_text.text = text
    if text.strip() != text:  # as python-docx writes it
        run_text.set(qn("xml:space"), "preserve")
    else:
        run_text.attrib.pop(qn("xml:space"), None)
    cell._tc.replace(cell._tc.p_lst[0], paragraph)


def _numeric(text: str) -> bool:
    return bool(re.fullmatch(r"[\d.,\s%—-]*", text))


def _page_numbers(document: DocumentObject) -> None:
    """The page number at the top centre, from the second page on (Decree 30, Appendix I)."""
    from docx.oxml import OxmlElement  # lazy, with python-docx
    from docx.oxml.ns import qn  # lazy, with python-docx

    section = document.sections[0]
    section.different_first_page_header_footer = True
    paragraph = _paragraph(section.header, align="center", after=0, first=True)
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "2"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _styles(document: DocumentObject, lang: str) -> None:
    """Times New Roman 14 pt everywhere by default (the document's defaults and the Normal style,
    theme fonts removed so no program substitutes its own), single spacing, the text's language."""
    from docx.oxml.ns import qn  # lazy, with python-docx
    from docx.shared import Pt  # lazy, with python-docx

    defaults = document.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        for fonts in defaults.iter(qn("w:rFonts")):
            for name in list(fonts.attrib):
                del fonts.attrib[name]
            for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
                fonts.set(qn(slot), FONT)
        for size in (*defaults.iter(qn("w:sz")), *defaults.iter(qn("w:szCs"))):
            size.set(qn("w:val"), str(BODY_PT * 2))
        for language in defaults.iter(qn("w:lang")):
            language.set(qn("w:val"), "vi-VN" if lang == "vi" else "en-GB")
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY_PT)
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for slot in ("w:eastAsia", "w:cs"):
        fonts.set(qn(slot), FONT)
    normal.paragraph_format.line_spacing = 1.0
    normal.paragraph_format.space_after = Pt(6)


def _page(document: DocumentObject) -> None:
    from docx.enum.section import WD_ORIENT  # lazy, with python-docx
    from docx.shared import Mm  # lazy, with python-docx

    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(PAPER_MM[0]), Mm(PAPER_MM[1])
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    section.header_distance = section.footer_distance = Mm(10)


# --- the parts of the document ----------------------------------------------------------------------


def _heading(document: DocumentObject, report: Report, lang: str) -> None:
    """The body above the issuing office, the office and number (left), national title, motto, place
    and date (right)."""
    left_mm, right_mm = 65.0, TEXT_MM - 65.0
    table = document.add_table(rows=1, cols=2)
    _no_borders(table)
    office, title = table.rows[0].cells
    above, name = report.issuer if report.issuer[1] else ("", report.office)
    if above:  # the body the office belongs to: upright, above the office's own name in bold
        _paragraph(office, above.upper(), size=13, align="center", after=0, first=True)
    _paragraph(office, name.upper(), size=13, bold=True, align="center", after=0, first=not above)
    _rule(office, 25, left_mm)
    _paragraph(office, t("report.number", lang), size=13, align="center", after=0)
    _paragraph(title, t("report.national_title", lang), size=13, bold=True, align="center", after=0, first=True)
    _paragraph(title, t("report.motto", lang), size=14, bold=True, align="center", after=0)
    _rule(title, 55, right_mm)
    place = f"{place_name(report)}, {written_date(report.issued_on, lang)}"
    _paragraph(title, place, size=14, italic=True, align="center", after=0)
    _widths(table, (left_mm, right_mm))
    _paragraph(document, after=6)
    _paragraph(document, t("report.kind", lang), bold=True, align="center", after=0)
    subject = t(
        "report.subject",
        lang,
        unit=report.unit.name,
        date=report.as_of.strftime("%d/%m/%Y"),
        map=report.map,
    )
    _paragraph(document, subject, bold=True, align="center", after=0)
    _rule(document, 50, TEXT_MM)
    _paragraph(document, t("report.opening", lang, map=report.map), indent=True)


def _figures_rows(frame: pd.DataFrame, lang: str, verified: bool) -> list[tuple[str, ...]]:
    """Per row of `frame`: the reported figures, then (when `verified`) the same as last verified."""
    out: list[tuple[str, ...]] = []
    for row in frame.to_dict("records"):
        figures = (
            number(row["numerator"], lang),
            number(row["denominator"], lang),
            percent(row["ratio"], lang),
            target_text(row["target"], lang),
            met_word(row["met"], lang),
            number(row["needed"], lang),
            number(row["unplaced"], lang),
        )
        out.append(("reported", *figures))
        if verified:
            checked = (
                number(row["verified_numerator"], lang),
                number(row["verified_denominator"], lang),
                percent(row["verified_ratio"], lang),
                target_text(row["target"], lang),
                met_word(row["verified_met"], lang),
                "",
                "",
            )
            out.append(("verified", *checked))
    return out


def _figure_header(lang: str) -> list[str]:
    return [t(f"report.col.{c}", lang) for c in ("numerator", "denominator", "ratio", "target", "met", "needed")] + [
        t("report.col.unplaced", lang)
    ]


def _indicators(document: DocumentObject, report: Report, lang: str) -> None:
    _paragraph(document, t("report.part.indicators", lang), bold=True, align="left")
    if not report.has_figures:
        counts = report.counts
        words = t(
            "report.no_rural",
            lang,
            unit=report.unit.name,
            parent=report.figures_unit.name,
            active=number(counts.active, lang),
            raw_material=number(counts.raw_material, lang),
            digital=number(counts.digital, lang),
        )
        _paragraph(document, words, indent=True)
        return
    verified = report.shows_verified
    header = [t("report.col.indicator", lang)]
    if verified:
        header.append(t("report.col.data", lang))
    header += _figure_header(lang)
    rows = []
    for (kind, *figures), indicator in zip(
        _figures_rows(report.cards, lang, verified),
        [i for i in report.cards["indicator"] for _ in range(2 if verified else 1)],
        strict=True,
    ):
        first = [t(f"indicator.{indicator}", lang)]
        if verified:
            first.append(t(f"report.data.{kind}", lang))
        rows.append([*first, *figures])
    widths = [44.0, 20.0] if verified else [52.0]
    rest = (TEXT_MM - sum(widths)) / 7
    _grid(document, header, rows, [*widths, *([rest] * 7)])
    if verified:
        _paragraph(document, t("report.waiting", lang, count=number(report.waiting, lang)), indent=True, italic=True)
    elif report.verified_only:
        _paragraph(document, t("report.verified_only", lang), indent=True, italic=True)
    missing = [i for i in INDICATORS if i not in set(report.cards["indicator"])]
    if missing:
        names = "; ".join(t(f"indicator.{i}", lang) for i in missing)
        _paragraph(document, t("report.not_counted_here", lang, indicators=names, map=report.map), indent=True)


def _children(document: DocumentObject, report: Report, lang: str) -> None:
    if not report.has_figures or report.children.empty:
        return
    level = str(report.children["level"].iloc[0])
    _paragraph(
        document, t("report.part.children", lang, level=t(f"report.level.{level}", lang)), bold=True, align="left"
    )
    _paragraph(document, t("report.children_note", lang), indent=True)
    verified = report.shows_verified
    for indicator in INDICATORS:
        frame = report.children[report.children["indicator"] == indicator]
        if frame.empty:
            continue
        _paragraph(document, t(f"indicator.{indicator}", lang), bold=True, italic=True, align="left", after=3)
        header = [t("report.col.number", lang), t("report.col.code", lang), t("report.col.unit", lang)]
        if verified:
            header.append(t("report.col.data", lang))
        header += _figure_header(lang)
        rows = []
        figures = _figures_rows(frame, lang, verified)
        per_unit = 2 if verified else 1
        for index, row in enumerate(frame.to_dict("records")):
            for step in range(per_unit):
                kind, *values = figures[index * per_unit + step]
                first = [str(index + 1), str(row["unit_code"]), _text(row["unit_name"])]
                if verified:
                    first.append(t(f"report.data.{kind}", lang))
                rows.append([*first, *values])
        widths = [9.0, 13.0, 35.0] + ([17.0] if verified else [])
        rest = (TEXT_MM - sum(widths)) / 7
        _grid(document, header, rows, [*widths, *([rest] * 7)])


def _trend(document: DocumentObject, report: Report, lang: str) -> None:
    years = f"{report.dates[0].year}–{report.dates[-1].year}"
    _paragraph(document, t("report.part.trend", lang, years=years), bold=True, align="left")
    if not report.has_figures or report.history.empty:
        _paragraph(document, t("report.no_trend", lang, unit=report.unit.name), indent=True)
        return
    from docx.shared import Mm  # lazy, with python-docx

    reading = t(f"report.reading.{report.reading}", lang, map=report.map)
    _paragraph(document, t("report.trend_note", lang, reading=reading), indent=True)
    picture = trend_png(report.history, report.unit.name, lang)
    run = _paragraph(document, align="center", after=3).add_run()
    _font(run)
    run.add_picture(io.BytesIO(picture), width=Mm(160))
    shown = sorted(set(report.history["as_of"]))
    if len(shown) < len(report.dates):
        _paragraph(document, t("report.partial_trend", lang, unit=report.unit.name), indent=True, italic=True)
    header = [t("report.col.date", lang), t("report.col.map", lang)] + [
        t(f"report.short.{i}", lang) for i in INDICATORS if (report.history["indicator"] == i).any()
    ]
    rows = []
    for day in shown:
        at = report.history[report.history["as_of"] == day]
        cells = [day_text(day), str(at["map"].iloc[0])]
        for indicator in INDICATORS:
            if not (report.history["indicator"] == indicator).any():
                continue
            one = at[at["indicator"] == indicator]
            if one.empty:
                cells.append("—")
                continue
            row = one.iloc[0]
            cells.append(
                f"{number(row['numerator'], lang)}/{number(row['denominator'], lang)} ({percent(row['ratio'], lang)})"
            )
        rows.append(cells)
    first = [30.0, 22.0]
    rest = (TEXT_MM - sum(first)) / (len(header) - 2)
    _grid(document, header, rows, [*first, *([rest] * (len(header) - 2))])


def _gaps(document: DocumentObject, report: Report, lang: str) -> None:
    _paragraph(document, t("report.part.gaps", lang), bold=True, align="left")
    cards = report.cards
    behind = cards[cards["needed"] > 0] if len(cards) else cards
    if behind.empty:
        key = "report.no_gap" if report.has_figures else "report.no_gap_unit"
        _paragraph(document, t(key, lang, unit=report.unit.name), indent=True)
    found = report.candidates
    lists = {
        COMMUNES: ("communes", found.communes_without_cooperative),
        DISTRICTS: ("districts", found.districts_without_key_linkage),
        RAW_MATERIAL: ("linkages", found.linkages_without_digital),
    }
    for row in behind.to_dict("records"):
        indicator = str(row["indicator"])
        words = t(
            f"report.gap.{indicator}",
            lang,
            needed=number(row["needed"], lang),
            target=target_text(float(TARGETS[indicator]), lang),
            numerator=number(row["numerator"], lang),
            denominator=number(row["denominator"], lang),
        )
        _paragraph(document, f"- {t(f'indicator.{indicator}', lang)}: {words}", indent=True)
        kind, frame = lists[indicator]
        _candidates(document, report, kind, frame, lang)


def _candidates(document: DocumentObject, report: Report, kind: str, frame: pd.DataFrame, lang: str) -> None:
    if frame.empty:
        _paragraph(document, t(f"report.candidates.none_{kind}", lang), indent=True, italic=True)
        return
    total = len(frame)
    shown = frame.sort_values(frame.columns[0]).head(LISTED)
    _paragraph(document, t(f"report.candidates.{kind}", lang, count=number(total, lang)), indent=True)
    if kind == "communes":
        districts = map_data(report.map).districts
        header = [t("report.col.number", lang), t("report.col.code", lang), t("report.col.commune", lang)]
        rows = [[str(n + 1), str(r["code"]), _text(r["name"])] for n, r in enumerate(shown.to_dict("records"))]
        if report.map == "2025-01":
            header.append(t("report.col.district", lang))
            for row, record in zip(rows, shown.to_dict("records"), strict=True):
                place = districts.get(str(record.get("district_code") or ""))
                row.append(place.name if place else "")
    elif kind == "districts":
        header = [t("report.col.number", lang), t("report.col.code", lang), t("report.col.district", lang)]
        rows = [[str(n + 1), str(r["district_code"]), _text(r["name"])] for n, r in enumerate(shown.to_dict("records"))]
    else:
        header = [
            t("report.col.number", lang),
            t("report.col.code", lang),
            t("report.col.linkage", lang),
            t("report.col.product", lang),
        ]
        rows = [
            [
                str(n + 1),
                _text(r["code"]),
                _text(report.linkage_names.get(str(r["code"]), "")),
                _text(r["product_code"]),
            ]
            for n, r in enumerate(shown.to_dict("records"))
        ]
    widths = [12.0, 25.0] + [(TEXT_MM - 37.0) / (len(header) - 2)] * (len(header) - 2)
    _grid(document, header, rows, widths)
    if total > LISTED:
        _paragraph(document, t("report.more", lang, shown=number(LISTED, lang), total=number(total, lang)), italic=True)


def _unplaced(document: DocumentObject, report: Report, lang: str) -> None:
    _paragraph(document, t("report.part.unplaced", lang, map=report.map), bold=True, align="left")
    if not report.unplaced and not report.settling:
        _paragraph(document, t("report.none_unplaced", lang, map=report.map), indent=True)
        return
    for effect in report.settling:
        name = t(f"indicator.{effect.indicator}", lang)
        if effect.indicator == RAW_MATERIAL:
            words = t("report.settling.linkages", lang, count=number(effect.unplaced, lang), indicator=name)
        else:
            ratio = effect.at_most / effect.denominator if effect.denominator else None
            words = t(
                f"report.settling.{'meets' if effect.would_meet else 'short'}",
                lang,
                count=number(effect.unplaced, lang),
                indicator=name,
                numerator=number(effect.numerator, lang),
                at_most=number(effect.at_most, lang),
                denominator=number(effect.denominator, lang),
                ratio=percent(ratio, lang),
            )
        _paragraph(document, f"- {words}", indent=True)
    if not report.unplaced:
        return
    total = len(report.unplaced)
    _paragraph(document, t("report.unplaced_list", lang, count=number(total, lang), map=report.map), indent=True)
    header = [
        t("report.col.number", lang),
        t("report.col.record", lang),
        t("report.col.name", lang),
        t("report.col.placed", lang),
        t("report.col.candidates", lang),
    ]
    rows = [
        [
            str(n + 1),
            f"{t(f'entity.{r.file}', lang)} {_text(r.code)}",
            _text(r.name),
            r.placed.name,
            "; ".join(f"{c.code} {c.name}" for c in r.candidates),
        ]
        for n, r in enumerate(report.unplaced[:LISTED])
    ]
    _grid(document, header, rows, [10.0, 33.0, 42.0, 30.0, TEXT_MM - 115.0])
    if total > LISTED:
        _paragraph(document, t("report.more", lang, shown=number(LISTED, lang), total=number(total, lang)), italic=True)
    _paragraph(document, t("report.settle_how", lang, map=report.map), indent=True, italic=True)


def _method(document: DocumentObject, report: Report, lang: str) -> None:
    _paragraph(document, t("report.part.method", lang), bold=True, align="left")
    for key in ("rules", "communes", "districts", "raw_material", "active"):
        _paragraph(document, f"- {t(f'report.method.{key}', lang)}", indent=True)
    _paragraph(document, f"- {t(f'report.method.map_{report.map}', lang)}", indent=True)
    _paragraph(document, f"- {t('report.method.crosswalk', lang)}", indent=True)
    data = t(
        "report.method.data",
        lang,
        date=report.as_of.strftime("%d/%m/%Y"),
        read=vietnam_time(report.read_at),
        last=vietnam_time(report.last_change) if report.last_change else "—",
    )
    _paragraph(document, f"- {data}", indent=True)
    which = "verified_only" if report.verified_only else "reported"
    _paragraph(document, f"- {t(f'report.method.{which}', lang)}", indent=True)


def _closing(document: DocumentObject, report: Report, lang: str) -> None:
    """Where the report goes (left) and the signature block (right)."""
    _paragraph(document, after=6)
    table = document.add_table(rows=1, cols=2)
    _no_borders(table)
    sent, signed = table.rows[0].cells
    _paragraph(sent, t("report.recipients", lang), size=12, bold=True, italic=True, align="left", after=0, first=True)
    for line in t("report.recipient_lines", lang).split("|"):
        _paragraph(sent, line, size=11, align="left", after=0)
    _paragraph(signed, t("report.signer", lang), size=14, bold=True, align="center", after=0, first=True)
    _paragraph(signed, t("report.signature", lang), size=14, italic=True, align="center", after=0)
    _widths(table, (80.0, TEXT_MM - 80.0))


def render(report: Report, lang: str) -> bytes:
    """The report as the bytes of a .docx file in `lang` (`vi` or `en`)."""
    from docx import Document  # lazy: python-docx is loaded only when a document is written

    document = Document()
    _page(document)
    _styles(document, lang)
    _page_numbers(document)
    properties = document.core_properties
    properties.author = _text(report.office)
    properties.title = _text(
        t("report.subject", lang, unit=report.unit.name, date=day_text(str(report.as_of)), map=report.map)
    )
    properties.language = "vi-VN" if lang == "vi" else "en-GB"
    _heading(document, report, lang)
    _indicators(document, report, lang)
    _children(document, report, lang)
    _trend(document, report, lang)
    _gaps(document, report, lang)
    _unplaced(document, report, lang)
    _method(document, report, lang)
    _closing(document, report, lang)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def make(
    engine: Engine,
    unit: Unit,
    as_of: date,
    *,
    lang: str,
    office: str,
    actor: Actor,
    verified_only: bool = False,
    reading: str = "map",
    today: date | None = None,
    issuer: tuple[str, str] = ("", ""),
) -> tuple[Report, bytes]:
    """The report of `unit` (`content.build`) and its document in `lang` (`render`); the chart's engine
    starts while the figures are counted."""
    start_engine()
    found = build(
        engine,
        unit,
        as_of,
        office=office,
        actor=actor,
        verified_only=verified_only,
        reading=reading,
        today=today,
        issuer=issuer,
    )
    return found, render(found, lang)


def file_name(report: Report) -> str:
    """The name a downloaded report takes: `bao-cao-2025-01-06-2025-12-31.docx`."""
    return f"bao-cao-{report.map}-{report.unit.code}-{report.as_of.isoformat()}.docx"


def save(data: bytes, path: Path) -> None:
    """Write `data` to `path` whole or not at all: into a temporary file beside it, then renamed over
    it, so a failure leaves no partial file behind (and an older file at `path` untouched)."""
    target = Path(path)
    if target.is_dir():
        raise ReportRefused("is_folder", path=str(path))
    try:
        handle, temporary = tempfile.mkstemp(prefix=".report-", suffix=".part", dir=target.parent)
    except OSError as exc:
        raise ReportRefused("not_writable", path=str(path), reason=exc.strerror or str(exc)) from None
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temporary, 0o644)  # as any file the office saves (mkstemp makes it private to its owner)
        os.replace(temporary, target)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise ReportRefused("not_writable", path=str(path), reason=exc.strerror or str(exc)) from None
