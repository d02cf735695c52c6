"""When a record is in force: one definition of "active on a date", for SQL, DataFrames and plain rows.

A cooperative, a linkage or a digital technology adoption is active on a day when it started on
or before that day and had not ended by it: the start day counts, the end day does not (a
cooperative dissolved on 1 March is inactive on 1 March). No start means it was always there; no
end, that it goes on. `in_force` states that rule once; SQL (`Lifespan.condition`), pandas
(`Lifespan.mask`) and the rules' plain ordinals (`linkage.counting.rules`) all evaluate that same
expression, each with open bounds in its own terms.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # loaded where frames are made: the rules (`linkage.counting.rules`) count without them
    import numpy as np
    import pandas as pd

NEVER = 10**9  # an ordinal after any real date: "no end"
ALWAYS = -1  # an ordinal before any real date: "no start"
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()  # NumPy counts days from 1970-01-01


def in_force[Bound](start: Bound, end: Bound, day: object) -> Bound:
    """The rule: started on or before `day`, not ended by it. Works on SQL expressions, pandas Series
    and plain ordinals alike (`&` is SQL's AND, pandas' element-wise and, and `bool`'s and)."""
    return (start <= day) & (end > day)  # type: ignore[operator,no-any-return]


def ordinals(series: pd.Series, missing: int) -> np.ndarray:
    """Dates (ISO text from SQLite, date objects from PostgreSQL, either as last verified) as
    proleptic ordinals; anything missing (None, NaN, empty text) is `missing`. NumPy parses ISO text
    in one call, several times quicker than pandas' parser."""
    import numpy as np  # lazy: see the module's imports
    import pandas as pd  # lazy: see the module's imports

    values = series.to_numpy(dtype=object)
    given = pd.notna(values) & (values != "")
    days = np.where(given, values, "NaT").astype("datetime64[D]").astype(np.int64) + EPOCH_ORDINAL
    return np.where(given, days, missing).astype(np.int64)


class Days(dict[object, int]):
    """`ordinals` for plain values, one at a time (`Days(ALWAYS)[value]`): each distinct date parsed
    once, anything missing (None, empty text) the open bound given."""

    def __init__(self, missing: int) -> None:
        super().__init__({None: missing, "": missing})

    def __missing__(self, value: object) -> int:
        day = value if isinstance(value, date) else date.fromisoformat(str(value))
        self[value] = found = day.toordinal()
        return found


@dataclass(frozen=True)
class Lifespan:
    """The start and end columns of an entity whose records begin and end."""

    start: str
    end: str

    def condition(self, columns: Any, day: date) -> Any:
        """A SQL condition selecting the records of `columns` (a model, or a table's `.c`) active on `day`."""
        import sqlalchemy as sa  # lazy: `linkage coverage` counts plain rows and never loads SQLAlchemy

        start = sa.func.coalesce(getattr(columns, self.start), sa.literal(date.min, sa.Date))
        end = sa.func.coalesce(getattr(columns, self.end), sa.literal(date.max, sa.Date))
        return in_force(start, end, day)

    def with_ordinals(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The frame with its start and end dates replaced by `start` and `end` ordinals, open bounds
        as ALWAYS and NEVER: what `mask` reads, many dates cheaply."""
        frame = frame.copy()
        frame["start"] = ordinals(frame.pop(self.start), ALWAYS)
        frame["end"] = ordinals(frame.pop(self.end), NEVER)
        return frame

    def mask(self, frame: pd.DataFrame, day: int) -> pd.Series:
        """Which rows of a `with_ordinals` frame are active on the day with ordinal `day`."""
        return in_force(frame["start"], frame["end"], day)


COOPERATIVE = Lifespan("established_on", "dissolved_on")
LINKAGE = Lifespan("started_on", "ended_on")
ADOPTION = Lifespan("adopted_on", "discontinued_on")
