"""The values of an office's list as the exchange files write them (docs/exchange-files.md), or `Bad`.

Beyond the exchange files' forms: a date cell (read as `YYYY-MM-DD`), `D/M/YYYY` without leading zeros
and with dots or dashes (`5.3.2019`), a year alone (`2019`: 1 January), numbers typed as text with
Vietnamese separators (`1.200` members, `12,5` ha), and kinds in Vietnamese words (`Hộ gia đình`).
"""

from __future__ import annotations

import re

from linkage.exchange.values import Bad, parse_area, parse_date, parse_int
from linkage.geo.geography import fold

YEAR = re.compile(r"^(\d{4})$")
DAY_FIRST = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4})$")
THOUSANDS = re.compile(r"^\d{1,3}([.,]\d{3})+$")

KIND_WORDS = {
    "producers": {
        "household": ("ho", "ho gia dinh", "ho nong dan", "ho san xuat", "household"),
        "farm": ("trang trai", "farm"),
        "cooperative_group": ("to hop tac", "tht", "cooperative group", "cooperative_group"),
        "enterprise": ("doanh nghiep", "dn", "cong ty", "enterprise"),
    },
    "buyers": {
        "processor": ("che bien", "co so che bien", "doanh nghiep che bien", "processor"),
        "trader": ("thuong lai", "thu mua", "thuong nhan", "trader"),
        "exporter": ("xuat khau", "doanh nghiep xuat khau", "exporter"),
        "retailer": ("ban le", "sieu thi", "cua hang", "retailer"),
        "enterprise": ("doanh nghiep", "cong ty", "dn", "enterprise"),
        "other": ("khac", "other"),
    },
}


def date_text(text: str) -> str:
    """A date of the list in the form the exchange files read (`YYYY-MM-DD`), or `Bad`."""
    value = text.strip()
    if match := YEAR.match(value):
        value = f"{match.group(1)}-01-01"
    elif match := DAY_FIRST.match(value):
        value = f"{match.group(1)}/{match.group(2)}/{match.group(3)}"
    return parse_date(value).isoformat()


def int_text(text: str) -> str:
    """A count typed with thousands separators (`1.200`, `1,200`) or as `12.0`, as digits."""
    value = text.strip().replace(" ", "")
    if THOUSANDS.match(value):
        value = re.sub(r"[.,]", "", value)
    return str(parse_int(value))


def area_text(text: str) -> str:
    """An area in hectares with a decimal comma (`12,5`) or thousands dots (`1.234,5`), as `12.5`."""
    value = text.strip().replace(" ", "").removesuffix("ha").strip()
    if "," in value and "." in value:
        value = (
            value.replace(".", "").replace(",", ".") if value.rfind(",") > value.rfind(".") else value.replace(",", "")
        )
    elif "," in value:
        value = value.replace(",", ".")
    return format(parse_area(value).normalize(), "f")


def kind_text(text: str, entity: str) -> str:
    """A kind of producer or buyer from its English code or its Vietnamese words."""
    folded = " ".join(fold(text).replace("_", " ").split())
    for kind, said in KIND_WORDS[entity].items():
        if folded in said or folded == kind.replace("_", " "):
            return kind
    choices = ", ".join(KIND_WORDS[entity])
    raise Bad("choice", value=text.strip(), choices=choices)
