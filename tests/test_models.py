"""The schema itself holds the rules it can (keys, references, checks), so even a write that
bypasses the importer cannot store what the contract forbids."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from linkage.store.db import data_version, write_session
from linkage.store.models import (
    Buyer,
    Cooperative,
    DigitalAdoption,
    Linkage,
    LinkageParty,
    Producer,
    ProvinceKeyProduct,
    RawMaterialArea,
)

COOP = {"code": "K1", "name": "HTX Một", "commune_code": "01849"}
LINKAGE = {"code": "L1", "name": "Chuỗi", "product_code": "RICE", "started_on": date(2022, 1, 1)}


def insert(engine: Engine, model: type, **values: object) -> None:
    with write_session(engine) as session:
        session.execute(sa.insert(model).values(**values))


def refused(engine: Engine, model: type, **values: object) -> None:
    with pytest.raises(sa.exc.IntegrityError):
        insert(engine, model, **values)


def test_members_cannot_be_negative(engine: Engine) -> None:
    refused(engine, Cooperative, **COOP, members=-1)


def test_a_cooperative_cannot_be_dissolved_before_it_was_established(engine: Engine) -> None:
    refused(engine, Cooperative, **COOP, established_on=date(2022, 1, 2), dissolved_on=date(2022, 1, 1))


def test_a_cooperative_must_sit_in_a_known_commune(engine: Engine) -> None:
    refused(engine, Cooperative, **{**COOP, "commune_code": "99999"})


def test_codes_are_unique(engine: Engine) -> None:
    insert(engine, Cooperative, **COOP)
    refused(engine, Cooperative, **COOP)


def test_producer_kind_is_one_of_the_contract_values(engine: Engine) -> None:
    refused(engine, Producer, code="P1", name="Hộ", commune_code="01849", kind="smallholder")


def test_raw_material_area_must_be_positive(engine: Engine) -> None:
    refused(engine, RawMaterialArea, code="A1", name="Vùng", commune_code="01849", product_code="RICE", area_ha=0)


def test_a_linkage_cannot_end_before_it_starts(engine: Engine) -> None:
    refused(engine, Linkage, **LINKAGE, ended_on=date(2021, 12, 31))


def test_a_party_names_exactly_the_record_of_its_type(engine: Engine) -> None:
    insert(engine, Cooperative, **COOP)
    insert(engine, Linkage, **LINKAGE)
    refused(engine, LinkageParty, linkage_code="L1", party_type="buyer", party_code="K1", cooperative_code="K1")
    refused(engine, LinkageParty, linkage_code="L1", party_type="cooperative", party_code="K9", cooperative_code="K1")
    insert(engine, LinkageParty, linkage_code="L1", party_type="cooperative", party_code="K1", cooperative_code="K1")


def test_a_linkage_has_at_most_one_lead(engine: Engine) -> None:
    insert(engine, Cooperative, **COOP)
    insert(engine, Cooperative, **{**COOP, "code": "K2"})
    insert(engine, Linkage, **LINKAGE)
    lead = {"linkage_code": "L1", "party_type": "cooperative", "is_lead": True}
    insert(engine, LinkageParty, **lead, party_code="K1", cooperative_code="K1")
    refused(engine, LinkageParty, **lead, party_code="K2", cooperative_code="K2")


def test_the_same_adoption_cannot_be_stored_twice(engine: Engine) -> None:
    insert(engine, Linkage, **LINKAGE)
    adoption = {"linkage_code": "L1", "technology": "traceability", "adopted_on": date(2022, 2, 2)}
    insert(engine, DigitalAdoption, **adoption)
    refused(engine, DigitalAdoption, **adoption)
    refused(engine, DigitalAdoption, **{**adoption, "technology": "telepathy"})


def test_every_write_moves_the_data_version_that_caches_watch(engine: Engine) -> None:
    before = data_version(engine)
    insert(engine, Cooperative, **COOP)
    assert data_version(engine) == before + 1


def test_records_carry_timestamps_and_start_at_version_one(engine: Engine) -> None:
    insert(engine, Cooperative, **COOP)
    with engine.connect() as conn:
        row = conn.execute(sa.select(Cooperative.created_at, Cooperative.updated_at, Cooperative.version)).one()
    assert row.created_at is not None and row.updated_at is not None and row.version == 1


def test_buyer_kind_and_linkage_form_are_contract_values(engine: Engine) -> None:
    refused(engine, Buyer, code="B1", name="Đại lý", kind="middleman")
    refused(engine, Linkage, **{**LINKAGE, "form": "barter"})


@pytest.mark.parametrize(
    ("model", "values"),
    [
        (Producer, {"code": "P1", "name": "Hộ", "commune_code": "01849", "cooperative_code": "HTX404"}),
        (RawMaterialArea, {"code": "A1", "name": "Vùng", "commune_code": "01849", "product_code": "X", "area_ha": 1}),
        (Linkage, {**LINKAGE, "product_code": "NOT-A-PRODUCT"}),
        (ProvinceKeyProduct, {"province_code": "06", "product_code": "NOT-A-PRODUCT"}),
        (ProvinceKeyProduct, {"province_code": "99", "product_code": "RICE"}),
        (Buyer, {"code": "B1", "name": "Đại lý", "commune_code": "99999"}),
    ],
)
def test_references_must_resolve_in_the_database_too(engine: Engine, model: type, values: dict[str, object]) -> None:
    refused(engine, model, **values)


def test_a_technology_cannot_be_discontinued_before_it_was_adopted(engine: Engine) -> None:
    insert(engine, Linkage, **LINKAGE)
    refused(
        engine,
        DigitalAdoption,
        linkage_code="L1",
        technology="traceability",
        adopted_on=date(2022, 2, 2),
        discontinued_on=date(2022, 2, 1),
    )


def test_the_same_party_cannot_be_listed_twice_in_a_linkage(engine: Engine) -> None:
    insert(engine, Cooperative, **COOP)
    insert(engine, Linkage, **LINKAGE)
    party = {"linkage_code": "L1", "party_type": "cooperative", "party_code": "K1", "cooperative_code": "K1"}
    insert(engine, LinkageParty, **party)
    refused(engine, LinkageParty, **party)


def test_an_update_through_an_import_moves_updated_at_and_the_version(engine: Engine, files) -> None:  # type: ignore[no-untyped-def]
    from linkage.records.importing import import_path

    import_path(engine, files({"cooperatives": "code,name,commune_code\nK1,HTX Một,01849"}, "a"))
    with engine.connect() as conn:
        first = conn.execute(sa.select(Cooperative.created_at, Cooperative.updated_at, Cooperative.version)).one()
    import_path(engine, files({"cooperatives": "code,name,commune_code\nK1,HTX Một mới,01849"}, "b"))
    with engine.connect() as conn:
        second = conn.execute(sa.select(Cooperative.created_at, Cooperative.updated_at, Cooperative.version)).one()
    assert second.created_at == first.created_at
    assert second.updated_at > first.updated_at and second.version == first.version + 1


def test_the_quick_head_revision_is_alembics_head() -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from linkage.store.db import MIGRATIONS, head_revision

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert head_revision() == ScriptDirectory.from_config(config).get_current_head()


def test_the_migrations_build_exactly_the_schema_the_models_describe(engine: Engine) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from linkage.store.models import SQLModel

    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert differences == []


def test_a_write_holds_the_data_versions_row_for_one_statement_besides_its_update(engine: Engine) -> None:
    """From the counter's UPDATE to the commit every other writer waits for this one: only the changed
    records' rows are written there (the UPDATE returns the new value; nothing is read or pruned)."""
    import linkage.store.db as db

    sent: list[str] = []

    def statement(conn, cursor, text, parameters, context, executemany):  # type: ignore[no-untyped-def]
        sent.append(" ".join(text.split()[:3]))

    def commit(conn):  # type: ignore[no-untyped-def]
        sent.append("COMMIT")

    while (data_version(engine) + 1) % db.PRUNED_EVERY != 0:  # the write measured is one that prunes
        with write_session(engine) as session:
            db.touch(session, "buyers", {"B0": {"name"}})
    sa.event.listen(engine, "before_cursor_execute", statement)
    sa.event.listen(engine, "commit", commit)
    try:
        insert(engine, Cooperative, **COOP)
    finally:
        sa.event.remove(engine, "before_cursor_execute", statement)
        sa.event.remove(engine, "commit", commit)
    update = sent.index("UPDATE data_version SET")
    committed = sent.index("COMMIT", update)
    assert sent[update + 1 : committed] == ["INSERT INTO data_change"]
    assert "DELETE FROM data_change" in sent[committed:]  # pruned, after the commit


def test_the_changed_records_of_the_last_versions_are_kept_and_older_ones_pruned_now_and_then(
    engine: Engine, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    import linkage.store.db as db
    from linkage.store.models import DataChange

    written: set[int] = set()

    def write(n: int) -> None:
        with write_session(engine) as session:
            db.touch(session, "buyers", {f"B{n}": {"name"}})
        written.add(data_version(engine))

    def stored() -> set[int]:
        with engine.connect() as conn:
            return set(conn.execute(sa.select(DataChange.version)).scalars())

    kept, every = 5, 3
    monkeypatch.setattr(db, "VERSIONS_KEPT", kept)
    monkeypatch.setattr(db, "PRUNED_EVERY", every)
    write(0)
    while data_version(engine) % every != 0 or len(written) < kept:  # the last write pruned
        write(0)
    start = data_version(engine)
    for n in range(1, 12):
        write(n)
        now = data_version(engine)
        pruned_at = now - now % every  # the last write that pruned
        assert min(stored()) > pruned_at - kept  # older ones gone, the fixture's too
        assert {v for v in written if v > pruned_at - kept} <= stored()  # every later one kept
        assert len(stored()) >= kept
    assert data_version(engine) == start + 11


def test_a_database_that_cannot_return_from_an_update_reads_the_new_version(engine: Engine, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """SQLite before 3.35 has no RETURNING: the counter is read after its UPDATE, in the same transaction."""
    from linkage.store.models import DataChange

    monkeypatch.setattr(engine.dialect, "update_returning", False)
    before = data_version(engine)
    insert(engine, Cooperative, **COOP)
    assert data_version(engine) == before + 1
    with engine.connect() as conn:
        named = conn.execute(sa.select(DataChange.entity).where(DataChange.version == before + 1)).scalars().all()
    assert named  # the write's changed records are under the version it made
