"""Verification and history: a cooperative's change is *reported* until today's office of its place
verifies it or sends it back (its commune's economic office, else its province's department: the
district offices closed on 1 July 2025); coverage on verified data uses what officers last checked."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from linkage.accounts.users import SYSTEM, Actor
from linkage.counting.coverage import coverage
from linkage.counting.indicators import COMMUNES, RAW_MATERIAL
from linkage.counting.indicators import json_rows as rows_of
from linkage.errors import Refused, StaleEdit
from linkage.geo.maps import NEW_MAP, OLD_MAP
from linkage.records import forms
from linkage.records.history import pending, send_back, verify
from linkage.records.importing import import_path

from .conftest import statements
from .helpers import ADMIN, COOP_C1, OFFICER_058, OFFICER_061, PLANNER_06, PLANNER_VN

# C1 (district 058 on 2025-01) has its office in Xã Phong Quang (01849) on 2025-07, C5 (district 061)
# in Xã Phúc Lộc (01894): each commune's economic office verifies its cooperative's changes.
VERIFIER = Actor("xa_pq", "officer", "01849", unit_map=NEW_MAP)
OTHER_OFFICE = Actor("xa_pl", "officer", "01894", unit_map=NEW_MAP)


def figure(engine: Engine, indicator: str, unit: str, day: date, verified_only: bool) -> tuple[int, int]:
    rows = rows_of(coverage(engine, day, verified_only=verified_only, map_name=OLD_MAP))  # district 058
    row = next(r for r in rows if r["indicator"] == indicator and r["unit_code"] == unit)
    return row["numerator"], row["denominator"]


def dissolve_c1(engine: Engine) -> None:
    original = forms.read(engine, COOP_C1, "cooperatives", "C1")
    forms.save(engine, COOP_C1, "cooperatives", {**original.values, "dissolved_on": "01/06/2021"}, original)


def test_a_cooperative_change_waits_for_the_officer_and_verified_coverage_ignores_it(bac_kan: Engine) -> None:
    dissolve_c1(bac_kan)
    day = date(2025, 12, 31)
    assert figure(bac_kan, COMMUNES, "058", day, verified_only=False) == (0, 2)
    assert figure(bac_kan, COMMUNES, "058", day, verified_only=True) == (1, 2)
    (waiting,) = pending(bac_kan, VERIFIER)
    assert (waiting.entity, waiting.key, waiting.status, waiting.reported_by) == (
        "cooperatives",
        "C1",
        "reported",
        "htx_c1",
    )
    assert waiting.before is not None and waiting.before["dissolved_on"] == ""
    assert waiting.after is not None and waiting.after["dissolved_on"] == "2021-06-01"
    assert waiting.changed_fields == ["dissolved_on"]
    assert pending(bac_kan, OTHER_OFFICE) == []
    verify(bac_kan, VERIFIER, "cooperatives", "C1", waiting.version)
    assert figure(bac_kan, COMMUNES, "058", day, verified_only=True) == (0, 2)
    assert pending(bac_kan, VERIFIER) == []


def test_a_record_created_by_a_cooperative_counts_only_once_verified(bac_kan: Engine) -> None:
    forms.save(
        bac_kan,
        COOP_C1,
        "digital_adoptions",
        {"linkage_code": "L1", "technology": "e_contract", "adopted_on": "2021-06-01"},
    )
    day = date(2021, 12, 31)
    assert figure(bac_kan, RAW_MATERIAL, "058", day, verified_only=False) == (1, 1)
    assert figure(bac_kan, RAW_MATERIAL, "058", day, verified_only=True) == (0, 1)
    (waiting,) = pending(bac_kan, VERIFIER)
    verify(bac_kan, VERIFIER, "digital_adoptions", "L1|e_contract|2021-06-01", waiting.version)
    assert figure(bac_kan, RAW_MATERIAL, "058", day, verified_only=True) == (1, 1)


def test_sending_back_keeps_the_verified_values_and_tells_the_cooperative_why(bac_kan: Engine) -> None:
    dissolve_c1(bac_kan)
    (waiting,) = pending(bac_kan, VERIFIER)
    with pytest.raises(Refused):
        send_back(bac_kan, VERIFIER, "cooperatives", "C1", "   ", waiting.version)
    send_back(bac_kan, VERIFIER, "cooperatives", "C1", "Ngày giải thể không khớp hồ sơ", waiting.version)
    (mine,) = pending(bac_kan, COOP_C1)
    assert (mine.status, mine.comment) == ("returned", "Ngày giải thể không khớp hồ sơ")
    assert forms.read(bac_kan, COOP_C1, "cooperatives", "C1").review_status == "returned"
    assert figure(bac_kan, COMMUNES, "058", date(2025, 12, 31), verified_only=True) == (1, 2)


def test_only_the_office_of_today_or_an_admin_verifies(bac_kan: Engine) -> None:
    dissolve_c1(bac_kan)
    (waiting,) = pending(bac_kan, VERIFIER)
    for outsider in (OFFICER_058, OTHER_OFFICE, OFFICER_061, COOP_C1, PLANNER_06, PLANNER_VN):
        with pytest.raises(Refused):
            verify(bac_kan, outsider, "cooperatives", "C1", waiting.version)
        with pytest.raises(Refused):
            send_back(bac_kan, outsider, "cooperatives", "C1", "sai", waiting.version)
        if outsider is COOP_C1:  # the reporting cooperative follows its own report, and only that
            assert [(p.key, p.status) for p in pending(bac_kan, outsider)] == [("C1", "reported")]
        else:
            assert pending(bac_kan, outsider) == []
    (still,) = pending(bac_kan, VERIFIER)  # the refusals changed nothing
    assert (still.key, still.status, still.version) == ("C1", "reported", waiting.version)
    assert [p.key for p in pending(bac_kan, ADMIN)] == ["C1"]
    verify(bac_kan, ADMIN, "cooperatives", "C1", waiting.version)
    assert pending(bac_kan, VERIFIER) == []


def test_a_change_reported_again_after_the_officer_looked_is_not_verified_unseen(bac_kan: Engine) -> None:
    dissolve_c1(bac_kan)
    (seen,) = pending(bac_kan, VERIFIER)
    again = forms.read(bac_kan, COOP_C1, "cooperatives", "C1")
    forms.save(bac_kan, COOP_C1, "cooperatives", {**again.values, "members": "99"}, again)
    with pytest.raises(StaleEdit):
        verify(bac_kan, VERIFIER, "cooperatives", "C1", seen.version)
    (now,) = pending(bac_kan, VERIFIER)
    assert now.changed_fields == ["dissolved_on", "members"]  # both, against the last verified values
    verify(bac_kan, VERIFIER, "cooperatives", "C1", now.version)
    assert figure(bac_kan, COMMUNES, "058", date(2025, 12, 31), verified_only=True) == (0, 2)


def test_a_returned_change_fixed_by_the_cooperative_is_reported_again(bac_kan: Engine) -> None:
    dissolve_c1(bac_kan)
    (waiting,) = pending(bac_kan, VERIFIER)
    send_back(bac_kan, VERIFIER, "cooperatives", "C1", "Ngày giải thể là 01/07/2021", waiting.version)
    assert pending(bac_kan, VERIFIER)[0].status == "returned"
    fixed = forms.read(bac_kan, COOP_C1, "cooperatives", "C1")
    forms.save(bac_kan, COOP_C1, "cooperatives", {**fixed.values, "dissolved_on": "01/07/2021"}, fixed)
    (again,) = pending(bac_kan, VERIFIER)
    assert (again.status, again.comment, again.before and again.before["dissolved_on"]) == ("reported", None, "")
    assert again.after is not None and again.after["dissolved_on"] == "2021-07-01"


def test_an_officers_import_counts_as_verified(bac_kan: Engine, files) -> None:  # type: ignore[no-untyped-def]
    folder = files({"cooperatives": "code,name,commune_code\nK58,HTX Nông Thượng,01852"})
    import_path(bac_kan, folder, actor=OFFICER_058)
    assert pending(bac_kan, VERIFIER) == []
    assert figure(bac_kan, COMMUNES, "058", date(2025, 12, 31), verified_only=True) == (2, 2)


def test_a_cooperatives_import_waits_for_verification(bac_kan: Engine, files) -> None:  # type: ignore[no-untyped-def]
    folder = files({"producers": "code,name,commune_code,cooperative_code\nP58,Hộ Mới,01849,C1"})
    import_path(bac_kan, folder, actor=COOP_C1)
    assert [(p.entity, p.key, p.status) for p in pending(bac_kan, VERIFIER)] == [("producers", "P58", "reported")]


def test_a_long_queue_is_read_in_a_few_queries(bac_kan: Engine, files) -> None:  # type: ignore[no-untyped-def]
    rows = "\n".join(f"Q{i},Hộ {i},01849,C1" for i in range(300))
    import_path(bac_kan, files({"producers": f"code,name,commune_code,cooperative_code\n{rows}"}), actor=COOP_C1)
    with statements(bac_kan) as sent:
        queue = pending(bac_kan, VERIFIER)
    assert len(queue) == 300
    assert len(sent) < 20


def test_an_officers_change_counts_as_verified_at_once(bac_kan: Engine) -> None:
    original = forms.read(bac_kan, OFFICER_058, "cooperatives", "C1")
    forms.save(bac_kan, OFFICER_058, "cooperatives", {**original.values, "dissolved_on": "2021-06-01"}, original)
    assert pending(bac_kan, VERIFIER) == []
    assert figure(bac_kan, COMMUNES, "058", date(2025, 12, 31), verified_only=True) == (0, 2)


def test_history_records_who_changed_which_field_and_archive_and_restore(bac_kan: Engine) -> None:
    dissolve_c1(bac_kan)
    party = forms.read(bac_kan, OFFICER_058, "linkage_parties", "L1|cooperative|C1")
    forms.archive(bac_kan, OFFICER_058, party)  # C1 leaves L1: nothing live points to it any more
    c1 = forms.read(bac_kan, OFFICER_058, "cooperatives", "C1")
    archived = forms.archive(bac_kan, OFFICER_058, c1)
    assert archived.archived and archived.version == c1.version + 1
    restored = forms.restore(bac_kan, OFFICER_058, archived)
    assert not restored.archived
    steps = forms.history(bac_kan, OFFICER_058, "cooperatives", "C1")
    assert [(e.actor, e.action) for e in steps] == [
        ("system", "create"),
        ("htx_c1", "update"),
        ("lan", "archive"),
        ("lan", "restore"),
    ]
    assert steps[0].changes["name"] == [None, "HTX Dương Quang"]
    assert steps[1].changes == {"dissolved_on": ["", "2021-06-01"]}
    assert steps[2].changes == {"archived": ["false", "true"]}
    with pytest.raises(Refused):
        forms.history(bac_kan, OFFICER_061, "cooperatives", "C1")


def test_an_archived_record_is_kept_out_of_exports_and_coverage_but_not_lost(bac_kan: Engine) -> None:
    forms.archive(bac_kan, SYSTEM, forms.read(bac_kan, SYSTEM, "linkage_parties", "L1|cooperative|C1"))
    c1 = forms.read(bac_kan, SYSTEM, "cooperatives", "C1")
    forms.archive(bac_kan, SYSTEM, c1)
    assert figure(bac_kan, COMMUNES, "058", date(2025, 12, 31), verified_only=False) == (0, 2)
    assert forms.read(bac_kan, SYSTEM, "cooperatives", "C1").values["name"] == "HTX Dương Quang"


@pytest.mark.parametrize("statement", ["UPDATE change_log SET actor = 'someone'", "DELETE FROM change_log"])
def test_the_history_is_append_only_in_the_database_itself(bac_kan: Engine, statement: str) -> None:
    with pytest.raises(sa.exc.DatabaseError, match="append-only"), bac_kan.begin() as conn:
        conn.execute(sa.text(statement))


def test_the_reporting_cooperatives_office_verifies_wherever_the_record_lies(bac_kan: Engine) -> None:
    hanoi = Actor("ha", "officer", "00004", unit_map=NEW_MAP)  # Phường Ba Đình, where the producer lies
    # C1 registers a member producer in a Hà Nội ward: its own commune's office verifies it, not Hà Nội's.
    forms.save(
        bac_kan,
        COOP_C1,
        "producers",
        {"code": "P01", "name": "Hộ ở Hà Nội", "commune_code_2025_07": "00004", "cooperative_code": "C1"},
    )
    assert pending(bac_kan, hanoi) == []
    (waiting,) = pending(bac_kan, VERIFIER)
    with pytest.raises(Refused):
        verify(bac_kan, hanoi, "producers", "P01", waiting.version)
    verify(bac_kan, VERIFIER, "producers", "P01", waiting.version)


def test_a_cooperative_moving_its_office_is_verified_by_the_office_it_leaves(bac_kan: Engine) -> None:
    c1 = forms.read(bac_kan, COOP_C1, "cooperatives", "C1")
    forms.save(bac_kan, COOP_C1, "cooperatives", {**c1.values, "commune_code": "01891"}, c1)  # into Xã Phúc Lộc
    assert [p.key for p in pending(bac_kan, VERIFIER)] == ["C1"]
    assert pending(bac_kan, OTHER_OFFICE) == []


def test_who_verifies_follows_the_officer_accounts_of_todays_map_commune_then_province(
    bac_kan: Engine,
) -> None:
    """The officers whose unit on 2025-07 holds the cooperative's place, the commune's (where it has an
    account) before the province's department — decided when the queue is read, so an account added (or
    disabled) later changes whose queue holds what waits. The district office of 2025-01 closed on
    1 July 2025: it keeps only what was reported to it before then."""
    from linkage.accounts.users import add_user, set_disabled
    from linkage.geo.maps import NEW_MAP, map_data, placed_in
    from linkage.store.models import Review

    place = placed_in("01849", None, NEW_MAP)  # C1's office, where the crosswalk puts it today
    province = map_data(NEW_MAP).province_of(place)
    dissolve_c1(bac_kan)
    commune_officer = Actor("xa", "officer", place.code, unit_map=NEW_MAP)
    province_officer = Actor("so", "officer", province, unit_map=NEW_MAP)
    offices = [OFFICER_058, province_officer]  # the accounts that exist and are enabled

    def holders() -> list[str]:
        return [a.username for a in offices if pending(bac_kan, a)]

    assert holders() == ["so"]  # no commune office account: the province's department, never the old district
    (waiting,) = pending(bac_kan, province_officer)
    with pytest.raises(Refused):
        verify(bac_kan, OFFICER_058, "cooperatives", "C1", waiting.version)
    assert place.level == "commune"  # C1's commune was not split: it has a commune on today's map
    add_user(bac_kan, SYSTEM, "xa", "mật-khẩu-dài", "officer", place.code, unit_map=NEW_MAP)
    offices.append(commune_officer)
    assert holders() == ["xa"]
    with pytest.raises(Refused):
        send_back(bac_kan, province_officer, "cooperatives", "C1", "sai", waiting.version)
    set_disabled(bac_kan, SYSTEM, "xa")
    offices.remove(commune_officer)
    assert holders() == ["so"]  # a disabled account verifies nothing: the province's again
    with bac_kan.begin() as connection:  # as if C1 had reported it in June 2025, before the reform
        connection.execute(sa.update(Review).values(updated_at=datetime(2025, 6, 20, 3, 0, tzinfo=UTC)))
    assert holders() == ["lan"]  # what was reported to the district office before the reform stays there
    verify(bac_kan, OFFICER_058, "cooperatives", "C1", waiting.version)
    assert holders() == []


def test_a_commune_officer_of_another_commune_sees_nothing_of_it(bac_kan: Engine) -> None:
    from linkage.accounts.users import add_user
    from linkage.geo.maps import NEW_MAP, map_data, placed_in

    mine = placed_in("01849", None, NEW_MAP)
    province = map_data(NEW_MAP).province_of(mine)
    other = next(c for c, p in map_data(NEW_MAP).communes.items() if p.province == province and c != mine.code)
    add_user(bac_kan, SYSTEM, "khac", "mật-khẩu-dài", "officer", other, unit_map=NEW_MAP)
    dissolve_c1(bac_kan)
    stranger = Actor("khac", "officer", other, unit_map=NEW_MAP)
    assert pending(bac_kan, stranger) == []
    (waiting,) = pending(
        bac_kan, Actor("so", "officer", province, unit_map=NEW_MAP)
    )  # no account of C1's commune: its province's
    with pytest.raises(Refused):
        verify(bac_kan, stranger, "cooperatives", "C1", waiting.version)


def test_an_officers_queue_is_read_a_page_at_a_time_in_the_database(bac_kan: Engine, files) -> None:  # type: ignore[no-untyped-def]
    from linkage.records.history import queue

    ours = "\n".join(f"Q{i},Hộ {i},01849,C1" for i in range(30))
    import_path(bac_kan, files({"producers": f"code,name,commune_code,cooperative_code\n{ours}"}), actor=COOP_C1)
    coop_c5 = Actor("htx_c5", "cooperative", cooperative_code="C5")  # another district's cooperative reports too
    theirs = "\n".join(f"R{i},Hộ {i},01894,C5" for i in range(30))
    import_path(
        bac_kan, files({"producers": f"code,name,commune_code,cooperative_code\n{theirs}"}, "c5"), actor=coop_c5
    )
    with statements(bac_kan) as sent:
        page = queue(bac_kan, VERIFIER, "reported", first=10, size=10)
    assert page.total == 30  # C5's thirty wait for 061's officer, not here
    assert [p.key for p in page.changes] == [f"Q{i}" for i in range(10, 20)]  # oldest first: in file order
    assert any("LIMIT" in s.upper() and "review" in s for s in sent)  # the page, not the country
    assert queue(bac_kan, OTHER_OFFICE, "reported").total == 30


def test_an_officers_save_of_a_record_waiting_for_review_closes_its_review(bac_kan: Engine) -> None:
    dissolve_c1(bac_kan)
    assert [(p.entity, p.key) for p in pending(bac_kan, VERIFIER)] == [("cooperatives", "C1")]
    original = forms.read(bac_kan, OFFICER_058, "cooperatives", "C1")
    forms.save(bac_kan, OFFICER_058, "cooperatives", {**original.values, "members": "30"}, original)
    assert pending(bac_kan, VERIFIER) == []
    assert forms.read(bac_kan, COOP_C1, "cooperatives", "C1").review_status is None


def test_an_officers_import_closes_the_reviews_of_the_records_it_writes_chunk_by_chunk(
    bac_kan: Engine, files, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    import functools

    import linkage.records.history as history

    monkeypatch.setattr(history, "chunked", functools.partial(history.chunked, size=2))  # five records: three chunks
    rows = "\n".join(f"Q{i},Hộ {i},01849,C1" for i in range(5))
    header = "code,name,commune_code,cooperative_code\n"
    import_path(bac_kan, files({"producers": header + rows}), actor=COOP_C1)
    import_path(bac_kan, files({"producers": header + "Q9,Hộ 9,01849,C1"}), actor=COOP_C1)
    assert len(pending(bac_kan, VERIFIER)) == 6
    import_path(bac_kan, files({"producers": header + rows.replace("Hộ", "Hộ ông")}), actor=OFFICER_058)
    assert [p.key for p in pending(bac_kan, VERIFIER)] == ["Q9"]  # the one the officer did not write


def test_an_import_where_nothing_waits_for_review_does_not_search_the_reviews_chunk_by_chunk(
    bac_kan: Engine, files, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    import functools

    import linkage.records.history as history

    monkeypatch.setattr(history, "chunked", functools.partial(history.chunked, size=2))
    rows = "\n".join(f"Q{i},Hộ {i},01849,C1" for i in range(5))
    folder = files({"producers": "code,name,commune_code,cooperative_code\n" + rows})
    with statements(bac_kan) as sent:
        import_path(bac_kan, folder, actor=OFFICER_058)
    assert not [s for s in sent if s.lstrip().upper().startswith("DELETE FROM REVIEW")]
