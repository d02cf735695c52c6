"""Reference data: geography and the catalogs in `data/`, loaded by `linkage init`.

Only missing rows are added, so running `init` again never overwrites what an admin changed.
"""

from __future__ import annotations

import csv
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from linkage.exchange.values import parse_bool
from linkage.geo.geography import gso_rows, new_map_rows
from linkage.store.db import migrate, read_session, write_session
from linkage.store.models import Commune, Commune202507, District, Product, Province, Province202507, Technology, utcnow

DATA = Path(__file__).resolve().parents[2] / "data"


def _csv(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def products() -> list[dict[str, object]]:
    return [{**row, "national_key": parse_bool(row["national_key"])} for row in _csv("products.csv")]


def technologies() -> list[dict[str, str]]:
    return _csv("technologies.csv")


def load_geography(session: Session) -> int:
    """Insert the units of both maps that are not stored yet; returns how many were added."""
    added = 0
    tables = zip(
        (Province, District, Commune, Province202507, Commune202507), (*gso_rows(), *new_map_rows()), strict=True
    )
    for model, rows in tables:
        have = set(session.execute(sa.select(model.code)).scalars())  # type: ignore[attr-defined]
        new = [r for r in rows if r["code"] not in have]
        if new:
            session.execute(sa.insert(model), new)
            added += len(new)
    return added


def load_catalogs(engine: Engine) -> dict[str, int]:
    """Geography, products and technologies that are not stored yet; returns rows added per kind."""
    added: dict[str, int] = {}
    with write_session(engine) as session:
        added["geography"] = load_geography(session)
        for kind, model, rows in (("technologies", Technology, technologies()), ("products", Product, products())):
            have = set(session.execute(sa.select(col(model.code))).scalars())
            now = utcnow()
            new = [{**r, "created_at": now, "updated_at": now} for r in rows if r["code"] not in have]
            if new:
                session.execute(sa.insert(model), new)
            added[kind] = len(new)
    return added


def init(engine: Engine) -> dict[str, int]:
    """Create or migrate the schema, then load reference data; safe to run again."""
    migrate(engine)
    return load_catalogs(engine)


def stored_products(engine: Engine) -> list[tuple[str, str, str]]:
    """Every live product as (code, Vietnamese name, English name): reference data all may read."""
    with read_session(engine) as session:
        rows = session.execute(
            sa.select(col(Product.code), col(Product.name_vi), col(Product.name_en))
            .where(col(Product.archived_at).is_(None))
            .order_by(col(Product.name_vi))
        )
        return [(code, vi, en or vi) for code, vi, en in rows]
