"""Two sets of facts compared by what they count: the figures of both maps at dates either side of
the changes the tests make, and the frames the figures come from as sets of rows."""

from __future__ import annotations

from datetime import date

import pandas as pd

from linkage.counting.facts import Facts
from linkage.counting.indicators import compute
from linkage.geo.maps import NEW_MAP, OLD_MAP

DAYS = (date(2021, 12, 31), date(2024, 6, 30), date(2025, 12, 31))


def _rows(frame: pd.DataFrame, columns: list[str]) -> list[tuple[object, ...]]:
    return sorted(map(tuple, frame[columns].astype(object).where(frame[columns].notna(), None).to_numpy().tolist()))


def assert_same(got: Facts, whole: Facts) -> None:
    for day in DAYS:
        for map_name in (OLD_MAP, NEW_MAP):
            a = compute(got, day, map_name=map_name).reset_index(drop=True)
            b = compute(whole, day, map_name=map_name).reset_index(drop=True)
            pd.testing.assert_frame_equal(a, b)
    both = ["commune_code", "commune_code_2025_07"]
    assert _rows(got.party_places, ["linkage_code", *both]) == _rows(whole.party_places, ["linkage_code", *both])
    assert _rows(got.producer_places, both) == _rows(whole.producer_places, both)
    assert _rows(got.cooperatives, ["code", *both, "start", "end"]) == _rows(
        whole.cooperatives, ["code", *both, "start", "end"]
    )
    flags = ["code", "product_code", "start", "end", "has_buyer", "has_raw_material"]
    assert _rows(got.linkages, flags) == _rows(whole.linkages, flags)
    spans = ["linkage_code", "start", "end"]
    assert _rows(got.adoptions, spans) == _rows(whole.adoptions, spans)
