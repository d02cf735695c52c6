"""What the coverage page shows for the unit a user asks for: one decision, checked for every unit.

A user reaches a unit by search, by a shared link (`?unit=001`), by a commune's code, or as the
home unit of an account. Most units carry indicator figures, but a district with no rural commune
(57 wholly urban districts, and 5 island districts with no commune at all) carries none: CONTRACT §3
counts rural communes and in-scope districts only. Such a unit is still shown, with the figures of
the nearest unit above it that has some, and the page says so.

Example: `unit_view(rows, geography, "001")` opens Quận Ba Đình (`unit == "001"`) with the cards of
Thành phố Hà Nội (`figures_unit == "01"`, `has_figures` false).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from linkage.coverage import breadcrumb, child_rows, district_of, unit_rows
from linkage.geography import NATIONAL_CODE, Geography, level_of, resolve_unit


@dataclass(frozen=True)
class UnitView:
    """The unit the page opens and the figures it shows."""

    unit: str  # the unit shown: the country, a province or a district
    notice: str | None  # why it is not what was asked: "unknown_unit", "commune_in_district", or None
    commune: str | None  # the commune asked for, when a commune was asked for
    figures_unit: str  # whose indicator figures the cards show: `unit`, or the nearest unit above it with figures
    cards: pd.DataFrame  # the indicator rows of `figures_unit`: never empty
    children: pd.DataFrame  # the rows of the units one level below `unit` (empty for a district)
    trail: list[tuple[str, str]]  # (code, name) from the country down to `unit`

    @property
    def has_figures(self) -> bool:
        """Whether the unit itself carries indicator figures (false for a district with no rural commune)."""
        return self.figures_unit == self.unit


def unit_view(rows: pd.DataFrame, g: Geography, asked: str) -> UnitView:
    """The view of `asked` (a code as typed: `1`, `001`, `00001`, `VN`) over `rows`, the indicator rows
    of every unit on one date (`coverage.compute`). An unknown code opens the country; a commune
    opens its district, within which it is counted."""
    resolved = resolve_unit(str(asked))
    notice: str | None = None
    commune: str | None = None
    if resolved is None:
        unit, notice = NATIONAL_CODE, "unknown_unit"
    elif level_of(resolved) == "commune":
        unit, notice, commune = district_of(g, resolved), "commune_in_district", resolved
    else:
        unit = resolved
    trail = breadcrumb(g, unit)
    for code, _ in reversed(trail):  # the country always has figures: the loop always finds some
        cards = unit_rows(rows, code)
        if len(cards):
            break
    return UnitView(unit, notice, commune, code, cards, child_rows(rows, g, unit), trail)
