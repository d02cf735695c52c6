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


# Catalog texts that may start in lower case: each goes inside other text, never shown on its own.
INSIDE = {
    "choice.": "a value's word inside a sentence, a label or after a kind (`Hợp tác xã K5`)",
    "role.": "a role inside a sentence (`Đăng nhập: lan (cán bộ nông nghiệp)`); tables and lists capitalize it",
    "action.": "what happened, inside a history line",
    "entity.": "a kind of record or unit inside a sentence",
    "graph.": "words inside the drawing's title (`tính đến`)",
    "coverage_map.level.": "inside the map's description",
    "coverage_map.source.": "a value in the map's tooltip, after its label",
    "report.data.": "inside the report's table heading",
    "report.reading.": "inside the report's note on method",
    "report.gap.": "after the indicator's name and a colon in the report",
    "app.lists.status.": "counted inside a sentence (`Đã ghi: 5 mới, 0 cập nhật`)",
    "app.settling_choice.yours": "after a commune's name and a dash",
    "app.settling_choice.others": "after a commune's name and a dash",
    "app.verification.reported_by": "after the record's name and a dot",
    "app.users_scope.no_scope": "after `Phạm vi:`",
    # Refusals: after a file, row and column or a command's name; alone on a screen through i18n.sentence
    "errors.": "a refusal",
    "import.": "a refusal of a row",
    "lists.": "a refusal or note of an office list's row",
    "report.refused.": "after `linkage report:`",
}


def test_every_message_shown_on_its_own_starts_with_a_capital() -> None:
    """A message, a label, an option or a table cell of the catalogs starts as a sentence does; only
    words that go inside other text (`INSIDE`, each with where it goes) may start in lower case."""
    for lang in ("vi", "en"):
        lower = [
            key
            for key, text in catalog(lang).items()
            if text[:1].islower() and not any(key == k or (k.endswith(".") and key.startswith(k)) for k in INSIDE)
        ]
        assert lower == [], (lang, lower)


def test_running_init_again_adds_nothing_and_keeps_what_an_admin_changed(engine: Engine) -> None:
    with write_session(engine) as session:
        session.execute(sa.update(Product).where(Product.code == "RICE").values(name_en="Paddy"))
    again = init(engine)
    assert again == {"geography": 0, "technologies": 0, "products": 0}
    with engine.connect() as conn:
        assert conn.execute(sa.select(Product.name_en).where(Product.code == "RICE")).scalar_one() == "Paddy"
