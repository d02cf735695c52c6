"""Parsing one cell of an exchange file into its stored value, or naming what is wrong.

Each parser returns the value or raises `Bad(code, params)`; the caller adds file, row and
column. Dates are day-first (`DD/MM/YYYY`) or ISO; never month-first (docs/exchange-files.md, "Values").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import partial

from linkage.geo.geography import normalize_code
from linkage.store.models import CODE_LENGTH, NAME_LENGTH

TRUE = {"true", "1", "yes", "có", "co", "x"}
FALSE = {"false", "0", "no", "không", "khong"}
ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")  # a time is dropped
DAY_FIRST = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
FIRST_YEAR, LAST_YEAR = 1900, 2100  # outside these, a date is a typing slip (2205 for 2025), not a plan
MAX_INT = 10_000_000
MAX_AREA = Decimal("10000000")


class Bad(Exception):
    def __init__(self, code: str, **params: object):
        super().__init__(code)
        self.code = code
        self.params = params


def clean(text: str) -> str:
    """Text as stored: NFC (Vietnamese typed in decomposed form looks the same but differs), trimmed."""
    return unicodedata.normalize("NFC", text).strip()


_nfc = partial(unicodedata.normalize, "NFC")  # `clean` without the trim, for `map`


def parse_code(text: str, limit: int = CODE_LENGTH) -> str:
    value = clean(text)
    if value.endswith(".0") and value[:-2].isdigit():
        value = value[:-2]
    if len(value) > limit:
        raise Bad("too_long", value=value[:20] + "…", limit=limit)
    plain = value.isascii() and value.isprintable() and " " not in value  # nearly every code: no scan
    if not plain and any(ch.isspace() or unicodedata.category(ch).startswith("C") for ch in value):
        raise Bad("code_spaces", value=value)
    if "|" in value:  # joins the parts of a record's key in history and reviews
        raise Bad("code_bar", value=value)
    return value


def parse_text(text: str, limit: int = NAME_LENGTH) -> str:
    value = clean(text)
    if not value.isprintable() and any(unicodedata.category(ch) == "Cc" and ch not in "\t\n" for ch in value):
        raise Bad("control_characters")
    if len(value) > limit:
        raise Bad("too_long", value=value[:20] + "…", limit=limit)
    return value


def parse_codes(texts: Sequence[str], limit: int = CODE_LENGTH) -> list[str]:
    """`parse_code` of each text, for a column of a file at once: a column of plain codes (ASCII,
    printable, no space, no bar, no `.0`, none too long; nearly every real one) is checked as one text;
    any other is parsed text by text, which raises what `parse_code` raises."""
    values = list(map(str.strip, map(_nfc, texts)))
    block = "".join(values)
    plain = block.isascii() and block.isprintable() and " " not in block and "|" not in block and ".0" not in block
    if plain and max(map(len, values), default=0) <= limit:
        return values
    return [parse_code(text, limit) for text in texts]


def parse_texts(texts: Sequence[str], limit: int = NAME_LENGTH) -> list[str]:
    """`parse_text` of each text, for a column of a file at once: printable texts none of which is too
    long (nearly every column) are checked as one; any other column is parsed text by text."""
    values = list(map(str.strip, map(_nfc, texts)))
    if "".join(values).isprintable() and max(map(len, values), default=0) <= limit:
        return values
    return [parse_text(text, limit) for text in texts]


def parse_date(text: str) -> date:
    value = clean(text)
    if match := ISO.match(value):
        year, month, day = (int(g) for g in match.groups())
    elif match := DAY_FIRST.match(value):
        day, month, year = (int(g) for g in match.groups())
        if month > 12 and day <= 12:
            raise Bad("date_month_first", value=value)
    else:
        raise Bad("date_format", value=value)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise Bad("date_year", value=value, first=FIRST_YEAR, last=LAST_YEAR)
    try:
        return date(year, month, day)
    except ValueError:
        raise Bad("date_impossible", value=value) from None


def parse_bool(text: str) -> bool:
    value = clean(text).lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise Bad("bool", value=clean(text))


def parse_int(text: str) -> int:
    value = clean(text).replace(" ", "")
    if value.endswith(".0"):
        value = value[:-2]
    if not value.lstrip("-").isdigit():
        raise Bad("integer", value=clean(text))
    number = int(value)
    if number < 0:
        raise Bad("negative", value=number)
    if number > MAX_INT:
        raise Bad("too_big", value=number)
    return number


def parse_area(text: str) -> Decimal:
    value = clean(text)
    if "," in value:
        raise Bad("decimal_comma", value=value)
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise Bad("number", value=value) from None
    if not number.is_finite():
        raise Bad("number", value=value)
    if number <= 0:
        raise Bad("area_not_positive", value=value)
    if number > MAX_AREA:
        raise Bad("too_big", value=value)
    return number.quantize(Decimal("0.0001"))


def parse_enum(text: str, choices: tuple[str, ...]) -> str:
    value = clean(text).lower()
    if value not in choices:
        raise Bad("choice", value=clean(text), choices=", ".join(choices))
    return value


def parse_geo(text: str, width: int) -> str:
    value = normalize_code(clean(text), width)
    if not value.isdigit() or len(value) != width:
        raise Bad("geo_code", value=clean(text), width=width)
    return value


def format_area(value: Decimal | float | None) -> str:
    """An area as written in exports: no trailing zeros, never scientific notation."""
    if value is None:
        return ""
    text = format(Decimal(str(value)).normalize(), "f")
    return text


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"


def shield(text: str) -> str:
    """A cell as exported: a leading quote before anything a spreadsheet would run as a formula.

    `=`, `+`, `-` and `@` (and tab or carriage return before them) start formulas in Excel and
    LibreOffice; a quote makes the cell literal text there. A text that `unshield` would change
    (a quote before one of those) gets one more quote, so every value comes back exactly.
    """
    return QUOTE + text if text.startswith(FORMULA_STARTS) or unshield(text) != text else text


def unshield(text: str) -> str:
    """The value a shielded cell stands for; a quote typed before ordinary text is kept."""
    if text.startswith(QUOTE) and text[1:2] and text[1:].startswith((*FORMULA_STARTS, QUOTE)):
        return text[1:]
    return text


def format_value(value: object) -> str:
    """A stored value in the text form the importer reads back (exports, history, forms)."""
    if type(value) is str:  # most values: codes and names, as they are
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal | float):
        return format_area(value)
    return str(value)
