"""The live read in plain SQL (`facts.read_facts`) against the read through the models, record by record.

`coverage.load_facts(session, verified_only=True)` with no change waiting for an officer reads every
entity through SQLModel (`_records`), the parties' homes merged in pandas: a second formulation of
the same facts, sharing none of `linkage.counting.facts`' SQL. Some records of every kind the facts read are
archived first, so leaving them out is checked too.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from linkage.counting.coverage import load_facts, pending_reviews
from linkage.counting.facts import read_facts
from linkage.records import forms
from linkage.store.db import driver_connection, read_session, write_session
from linkage.store.models import LinkageParty

from .facts_compare import assert_same
from .helpers import ADMIN


def _archive(engine: Engine, entity: str, key: str) -> None:
    forms.archive(engine, ADMIN, forms.read(engine, ADMIN, entity, key))


def test_the_live_read_in_sql_equals_the_read_through_the_models(bac_kan: Engine) -> None:
    _archive(bac_kan, "cooperatives", "C2")
    _archive(bac_kan, "linkage_parties", "L2|producer|P1")  # a record in use leaves its linkages first
    _archive(bac_kan, "producers", "P1")
    _archive(bac_kan, "linkage_parties", "L4|raw_material_area|A2")
    _archive(bac_kan, "raw_material_areas", "A2")
    _archive(bac_kan, "digital_adoptions", "L4|e_commerce|2021-06-01")
    with write_session(bac_kan) as session:  # a buyer leaves L2: L2 no longer has one
        party = LinkageParty
        session.execute(
            sa.update(party)
            .where(party.linkage_code == "L2", party.party_type == "buyer")
            .values(archived_at=sa.func.now())
        )
    with read_session(bac_kan) as session:
        assert pending_reviews(session) == {}  # an admin's changes wait for nobody: "verified" is live
        mine = read_facts(driver_connection(session))
        through_models = load_facts(session, verified_only=True)
    assert_same(mine, through_models)
    assert sorted(map(tuple, mine.key_products.to_numpy().tolist())) == sorted(
        map(tuple, through_models.key_products.to_numpy().tolist())
    )
    assert mine.national_keys == through_models.national_keys
    # the archived records are out, so the comparison above covered leaving them out
    assert "C2" not in set(mine.cooperatives["code"])
    assert not mine.linkages.loc[mine.linkages["code"] == "L2", "has_buyer"].any()
    assert "L4" not in set(mine.adoptions["linkage_code"])
