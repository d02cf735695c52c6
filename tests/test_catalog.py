"""The reference data in data/: products with the national key flags, technologies, the message catalog."""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from linkage.i18n import catalog
from linkage.records.catalog import init, products, technologies
from linkage.store.db import write_session
from linkage.store.models import Product
from linkage.vocabulary import TECHNOLOGIES

# The ministry's national key agricultural products (Circular 37/2018/TT-BNNPTNT), by catalog code.
NATIONAL_KEY = {"RICE", "COFFEE", "RUBBER", "CASHEW", "PEPPER", "TEA", "CASSAVA", "PORK", "PANGASIUS", "SHRIMP"}


def test_at_least_thirty_products_each_named_in_vietnamese_and_english() -> None:
    rows = products()
    assert len(rows) >= 30
    assert len({r["code"] for r in rows}) == len(rows)
    for row in rows:
        assert str(row["name_vi"]).strip() and str(row["name_en"]).strip(), row["code"]
    assert any(re.search(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", str(r["name_vi"])) for r in rows)


def test_the_national_key_products_are_flagged_and_the_provincial_ones_are_not() -> None:
    flagged = {str(r["code"]) for r in products() if r["national_key"]}
    assert flagged >= NATIONAL_KEY
    assert {"CINNAMON", "STARANISE"}.isdisjoint(flagged)  # key only where a province lists them
    assert any(code in flagged for code in ("CHICKEN", "POULTRY", "EGG"))  # poultry, meat and eggs
    assert any(code in flagged for code in ("WOOD", "TIMBER"))
    assert any(code in flagged for code in ("VEGETABLE", "VEGETABLES"))


def test_technologies_are_exactly_the_contract_categories_with_labels_and_descriptions() -> None:
    rows = technologies()
    assert [r["code"] for r in rows] == list(TECHNOLOGIES)
    for row in rows:
        assert all(row[c].strip() for c in ("label_vi", "label_en", "description_vi", "description_en")), row


def test_vietnamese_and_english_catalogs_have_the_same_messages_and_placeholders() -> None:
    vi, en = catalog("vi"), catalog("en")
    assert sorted(vi) == sorted(en)
    for key in en:
        assert set(re.findall(r"\{(\w+)\}", vi[key])) == set(re.findall(r"\{(\w+)\}", en[key])), key


def test_running_init_again_adds_nothing_and_keeps_what_an_admin_changed(engine: Engine) -> None:
    with write_session(engine) as session:
        session.execute(sa.update(Product).where(Product.code == "RICE").values(name_en="Paddy"))
    again = init(engine)
    assert again == {"geography": 0, "technologies": 0, "products": 0}
    with engine.connect() as conn:
        assert conn.execute(sa.select(Product.name_en).where(Product.code == "RICE")).scalar_one() == "Paddy"
