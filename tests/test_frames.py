"""`frames.is_in` gives pandas' own `isin` answer, for every kind of collection counting passes it."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from linkage.frames import is_in


def codes(rng: random.Random, n: int, missing: float = 0.0) -> list[str | None]:
    return [None if rng.random() < missing else f"{rng.randrange(3000):05d}" for _ in range(n)]


@pytest.mark.parametrize("seed", range(6))
def test_the_answer_is_pandas_isin_for_text_columns(seed: int) -> None:
    rng = random.Random(seed)
    column = pd.Series(codes(rng, 500, missing=0.05), index=rng.sample(range(10_000), 500), name="commune_code")
    looked_for = codes(rng, rng.choice([0, 1, 40, 2500]), missing=0.02 * (seed % 2))
    present = [c for c in looked_for if c is not None]
    for values in (
        set(present),
        frozenset(present),
        present,
        {c: 1 for c in present}.keys(),
        pd.Series(looked_for, dtype="str"),
        pd.Series(looked_for, dtype="str").unique(),
        pd.Index(present, dtype="str"),
        np.array(present, dtype=object),
    ):
        expected = column.isin(list(values) if isinstance(values, type({}.keys())) else values)
        found = is_in(column, values)
        assert found.equals(expected), type(values)
        assert found.index.equals(column.index) and found.dtype == bool


def test_counting_asks_through_is_in_only() -> None:
    """A new `.isin(` on a text column would bring the slow path back: the product asks `is_in`."""
    package = Path(__file__).parent.parent / "linkage"
    found = [
        f"{path.relative_to(package)}:{number}"
        for path in package.rglob("*.py")
        if path.name != "frames.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if ".isin(" in line
    ]
    assert found == []


def test_other_columns_keep_pandas_rules() -> None:
    numbers = pd.Series([1, 2, 3, None])
    assert is_in(numbers, {1, 3}).tolist() == [True, False, True, False]
    text = pd.Series(["1", "2"])
    assert is_in(text, [1, "2"]).tolist() == text.isin([1, "2"]).tolist()
