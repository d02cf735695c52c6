"""SQLModel tables: the programme's nouns (cooperatives, producers, buyers, raw material areas,
linkages), keyed by the codes users already use.

Codes are the natural primary keys because the exchange files upsert by code (docs/exchange-files.md);
GSO codes are zero-padded strings. Every user-entered record carries created/updated
timestamps, an `archived_at` instead of deletion (nothing a user entered is ever lost) and
a `version` for optimistic concurrency.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from linkage.vocabulary import BUYER_KINDS, LINKAGE_FORMS, PARTY_TYPES, PRODUCER_KINDS, ROLES

CODE_LENGTH = 40
NAME_LENGTH = 300


def utcnow() -> datetime:
    return datetime.now(UTC)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _stamp() -> datetime:
    return Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True), nullable=False)  # type: ignore[no-any-return]


class Stamped(SQLModel):
    """Created/updated timestamps (UTC) carried by every table."""

    created_at: datetime = _stamp()
    updated_at: datetime = _stamp()


class Tracked(Stamped):
    """A user-entered record: archived, never deleted; versioned against lost updates."""

    archived_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    version: int = Field(default=1, nullable=False)


# --- GSO geography (docs/exchange-files.md, "Two maps") ----------------------------------------


class Province(Stamped, table=True):
    code: str = Field(primary_key=True, max_length=2)
    name: str = Field(max_length=NAME_LENGTH)
    search_name: str = Field(max_length=NAME_LENGTH, description="name without diacritics, lower case")


class District(Stamped, table=True):
    code: str = Field(primary_key=True, max_length=3)
    name: str = Field(max_length=NAME_LENGTH)
    search_name: str = Field(max_length=NAME_LENGTH)
    province_code: str = Field(foreign_key="province.code", index=True, max_length=2)


class Commune(Stamped, table=True):
    code: str = Field(primary_key=True, max_length=5)
    name: str = Field(max_length=NAME_LENGTH)
    search_name: str = Field(max_length=NAME_LENGTH)
    district_code: str = Field(foreign_key="district.code", index=True, max_length=3)
    is_rural: bool = Field(description="a `Xã`: the programme's commune")


class Province202507(Stamped, table=True):
    """A province of map `2025-07`: its codes are not those of `province`."""

    __tablename__ = "province_2025_07"

    code: str = Field(primary_key=True, max_length=2)
    name: str = Field(max_length=NAME_LENGTH)
    search_name: str = Field(max_length=NAME_LENGTH)


class Commune202507(Stamped, table=True):
    """A commune-level unit of map `2025-07`; a code here may name another place in `commune`."""

    __tablename__ = "commune_2025_07"

    code: str = Field(primary_key=True, max_length=5)
    name: str = Field(max_length=NAME_LENGTH)
    search_name: str = Field(max_length=NAME_LENGTH)
    province_code: str = Field(foreign_key="province_2025_07.code", index=True, max_length=2)
    kind: str = Field(max_length=20, description="division type: `xã`, `phường` or `đặc khu`")
    is_rural: bool = Field(description="a `xã`: the programme's commune on this map")


# --- Reference catalogs ---------------------------------------------------------------


class Technology(Stamped, table=True):
    code: str = Field(primary_key=True, max_length=CODE_LENGTH)
    label_vi: str = Field(max_length=NAME_LENGTH)
    label_en: str = Field(max_length=NAME_LENGTH)
    description_vi: str = Field(default="", max_length=1000)
    description_en: str = Field(default="", max_length=1000)


class Product(Tracked, table=True):
    code: str = Field(primary_key=True, max_length=CODE_LENGTH)
    name_vi: str = Field(max_length=NAME_LENGTH)
    name_en: str = Field(default="", max_length=NAME_LENGTH)
    national_key: bool = Field(default=False)


class ProvinceKeyProduct(Tracked, table=True):
    __tablename__ = "province_key_product"

    province_code: str = Field(foreign_key="province.code", primary_key=True, max_length=2)
    product_code: str = Field(foreign_key="product.code", primary_key=True, max_length=CODE_LENGTH)


# --- The linkage graph ----------------------------------------------------------------

# A record lies in a commune of map 2025-01 (`commune_code`, its meaning since the first release), of
# map 2025-07 (`commune_code_2025_07`), or both; at least one (docs/exchange-files.md, "Locations").
LOCATED_ON_A_MAP = "commune_code IS NOT NULL OR commune_code_2025_07 IS NOT NULL"
OLD, NEW = "commune", "commune_2025_07"


def _commune(table: str) -> str | None:
    return Field(default=None, foreign_key=f"{table}.code", index=True, max_length=5)  # type: ignore[no-any-return]


class Cooperative(Tracked, table=True):
    __table_args__ = (
        sa.CheckConstraint(LOCATED_ON_A_MAP, name="cooperative_located"),
        sa.CheckConstraint("members IS NULL OR members >= 0", name="members_not_negative"),
        sa.CheckConstraint(
            "dissolved_on IS NULL OR established_on IS NULL OR dissolved_on >= established_on",
            name="dissolved_after_established",
        ),
    )

    code: str = Field(primary_key=True, max_length=CODE_LENGTH)
    name: str = Field(max_length=NAME_LENGTH)
    commune_code: str | None = _commune(OLD)
    commune_code_2025_07: str | None = _commune(NEW)
    established_on: date | None = None
    dissolved_on: date | None = None
    members: int | None = None


class Producer(Tracked, table=True):
    __table_args__ = (
        sa.CheckConstraint(_in("kind", PRODUCER_KINDS), name="producer_kind"),
        sa.CheckConstraint(LOCATED_ON_A_MAP, name="producer_located"),
        # the distinct places of live producers (`live.PRODUCER_PLACES`) read from the index alone
        sa.Index(
            "ix_producer_live_places",
            "commune_code",
            "commune_code_2025_07",
            sqlite_where=sa.text("archived_at IS NULL"),
            postgresql_where=sa.text("archived_at IS NULL"),
        ),
    )

    code: str = Field(primary_key=True, max_length=CODE_LENGTH)
    name: str = Field(max_length=NAME_LENGTH)
    commune_code: str | None = _commune(OLD)
    commune_code_2025_07: str | None = _commune(NEW)
    kind: str = Field(default="household", max_length=20)
    cooperative_code: str | None = Field(
        default=None, foreign_key="cooperative.code", index=True, max_length=CODE_LENGTH
    )


class Buyer(Tracked, table=True):
    __table_args__ = (sa.CheckConstraint(_in("kind", BUYER_KINDS), name="buyer_kind"),)

    code: str = Field(primary_key=True, max_length=CODE_LENGTH)
    name: str = Field(max_length=NAME_LENGTH)
    kind: str = Field(default="enterprise", max_length=20)
    commune_code: str | None = _commune(OLD)
    commune_code_2025_07: str | None = _commune(NEW)


class RawMaterialArea(Tracked, table=True):
    __tablename__ = "raw_material_area"
    __table_args__ = (
        sa.CheckConstraint("area_ha > 0", name="area_positive"),
        sa.CheckConstraint(LOCATED_ON_A_MAP, name="raw_material_area_located"),
    )

    code: str = Field(primary_key=True, max_length=CODE_LENGTH)
    name: str = Field(max_length=NAME_LENGTH)
    commune_code: str | None = _commune(OLD)
    commune_code_2025_07: str | None = _commune(NEW)
    product_code: str = Field(foreign_key="product.code", index=True, max_length=CODE_LENGTH)
    area_ha: Decimal = Field(max_digits=14, decimal_places=4)
    planting_area_code: str | None = Field(default=None, max_length=CODE_LENGTH * 2)


class Linkage(Tracked, table=True):
    __table_args__ = (
        sa.CheckConstraint(_in("form", LINKAGE_FORMS), name="linkage_form"),
        sa.CheckConstraint("ended_on IS NULL OR ended_on >= started_on", name="ended_after_started"),
    )

    code: str = Field(primary_key=True, max_length=CODE_LENGTH)
    name: str = Field(max_length=NAME_LENGTH)
    product_code: str = Field(foreign_key="product.code", index=True, max_length=CODE_LENGTH)
    started_on: date
    ended_on: date | None = None
    form: str = Field(default="production_consumption", max_length=30)


class LinkageParty(Tracked, table=True):
    """One party of a linkage; exactly one of the four party columns is set, as `party_type` says.

    Four foreign-key columns rather than one polymorphic code so the database itself refuses a
    party that does not exist.
    """

    __tablename__ = "linkage_party"
    __table_args__ = (
        sa.CheckConstraint(_in("party_type", PARTY_TYPES), name="party_type"),
        sa.CheckConstraint(
            "(party_type = 'cooperative' AND cooperative_code IS NOT NULL"
            " AND producer_code IS NULL AND buyer_code IS NULL AND raw_material_area_code IS NULL)"
            " OR (party_type = 'producer' AND producer_code IS NOT NULL"
            " AND cooperative_code IS NULL AND buyer_code IS NULL AND raw_material_area_code IS NULL)"
            " OR (party_type = 'buyer' AND buyer_code IS NOT NULL"
            " AND cooperative_code IS NULL AND producer_code IS NULL AND raw_material_area_code IS NULL)"
            " OR (party_type = 'raw_material_area' AND raw_material_area_code IS NOT NULL"
            " AND cooperative_code IS NULL AND producer_code IS NULL AND buyer_code IS NULL)",
            name="one_party_column",
        ),
        sa.CheckConstraint(
            "party_code = COALESCE(cooperative_code, producer_code, buyer_code, raw_material_area_code)",
            name="party_code_matches",
        ),
        sa.UniqueConstraint("linkage_code", "party_type", "party_code", name="uq_linkage_party"),
        # the live parties of one type with their code and linkage (`live.PARTY_PLACES`, `PARTY_KINDS`),
        # and one party found by type and code (`graph.unlinked` looks up every record of a unit so)
        sa.Index(
            "ix_linkage_party_live",
            "party_type",
            "party_code",
            "linkage_code",
            sqlite_where=sa.text("archived_at IS NULL"),
            postgresql_where=sa.text("archived_at IS NULL"),
        ),
        sa.Index(
            "uq_one_lead_per_linkage",
            "linkage_code",
            unique=True,
            sqlite_where=sa.text("is_lead AND archived_at IS NULL"),
            postgresql_where=sa.text("is_lead AND archived_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    linkage_code: str = Field(foreign_key="linkage.code", index=True, max_length=CODE_LENGTH)
    party_type: str = Field(max_length=20)
    party_code: str = Field(max_length=CODE_LENGTH, index=True)
    cooperative_code: str | None = Field(default=None, foreign_key="cooperative.code", max_length=CODE_LENGTH)
    producer_code: str | None = Field(default=None, foreign_key="producer.code", max_length=CODE_LENGTH)
    buyer_code: str | None = Field(default=None, foreign_key="buyer.code", max_length=CODE_LENGTH)
    raw_material_area_code: str | None = Field(
        default=None, foreign_key="raw_material_area.code", max_length=CODE_LENGTH
    )
    is_lead: bool = Field(default=False)


class DigitalAdoption(Tracked, table=True):
    __tablename__ = "digital_adoption"
    __table_args__ = (
        sa.UniqueConstraint("linkage_code", "technology", "adopted_on", name="uq_adoption"),
        sa.CheckConstraint(
            "discontinued_on IS NULL OR discontinued_on >= adopted_on", name="discontinued_after_adopted"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    linkage_code: str = Field(foreign_key="linkage.code", index=True, max_length=CODE_LENGTH)
    technology: str = Field(foreign_key="technology.code", max_length=CODE_LENGTH)
    adopted_on: date
    discontinued_on: date | None = None


class DataVersion(SQLModel, table=True):
    """One row whose counter every write bumps, so caches in any process learn of changes."""

    __tablename__ = "data_version"

    id: int = Field(default=1, primary_key=True)
    counter: int = Field(default=0, nullable=False)


class DataChange(SQLModel, table=True):
    """Which records a write changed, under the data version it made: a cache in any process catches
    up by reading those records again (`coverage.patched`) instead of every fact. A write that does
    not name its records (a bulk load, the catalogs) leaves one row of entity and key `*`: read all.
    At least the last `db.VERSIONS_KEPT` versions are kept (up to `db.PRUNED_EVERY` more); a cache older
    than what is kept reads all.
    """

    __tablename__ = "data_change"

    version: int = Field(primary_key=True)
    entity: str = Field(primary_key=True, max_length=40)
    record_key: str = Field(primary_key=True, max_length=200)
    fields: str = Field(default="", max_length=2000, description="the fields changed, comma-separated; empty: any")


# --- Accounts, history and review (who changed what, and whether an officer checked it) -----

ACTIONS = ("create", "update", "archive", "restore", "verify", "return")


class UserAccount(Stamped, table=True):
    """A person who signs in: a role and the scope it acts in (the country, or a unit on a named map:
    a province, a district of 2025-01 or a commune of 2025-07; or a cooperative)."""

    __tablename__ = "user_account"
    __table_args__ = (
        sa.CheckConstraint(_in("role", ROLES), name="user_role"),
        sa.CheckConstraint(
            "(role = 'admin') OR (role IN ('planner', 'officer') AND unit_code IS NOT NULL)"
            " OR (role = 'cooperative' AND cooperative_code IS NOT NULL)",
            name="user_scope",
        ),
        sa.CheckConstraint("unit_map IN ('2025-01', '2025-07')", name="user_map"),
    )

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(unique=True, max_length=64)
    password_hash: str = Field(max_length=200)
    role: str = Field(max_length=20)
    unit_code: str | None = Field(
        default=None, max_length=5, description="VN, a province, a district or a commune code, on `unit_map`"
    )
    unit_map: str = Field(
        default="2025-01",
        max_length=7,
        sa_column_kwargs={"server_default": "2025-01"},
        description="the map `unit_code` is read on (a code does not say its map)",
    )
    cooperative_code: str | None = Field(default=None, foreign_key="cooperative.code", max_length=CODE_LENGTH)
    disabled: bool = Field(default=False)
    version: int = Field(default=1)
    # Sign-in through the office's identity provider (OpenID Connect), where one is configured.
    email: str | None = Field(default=None, unique=True, index=True, max_length=254)
    oidc_subject: str | None = Field(default=None, unique=True, index=True, max_length=255)


class LoginAttempt(Stamped, table=True):
    """Failed sign-ins in a row for a user name, whether or not an account has that name: the
    throttle then answers an unknown name exactly as a known one (no way to probe for accounts)."""

    __tablename__ = "login_attempt"

    username: str = Field(primary_key=True, max_length=64)
    failed_logins: int = Field(default=0)
    next_attempt_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))


class ChangeLog(SQLModel, table=True):
    """Append-only history: one row per create, update, archive, restore, verification or return.

    `changes` maps each field to `[old, new]` (JSON-ready text values). Database triggers refuse any
    UPDATE or DELETE of this table, so no interface can rewrite the past.
    """

    __tablename__ = "change_log"
    __table_args__ = (
        sa.CheckConstraint(_in("action", ACTIONS), name="change_action"),
        sa.Index("ix_change_log_record", "entity", "record_key"),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _stamp()
    actor: str = Field(max_length=64)
    action: str = Field(max_length=20)
    entity: str = Field(max_length=40)
    record_key: str = Field(max_length=200)
    changes: dict[str, list[str | None]] = Field(default_factory=dict, sa_type=sa.JSON)
    comment: str | None = Field(default=None, max_length=2000)


class Review(Stamped, table=True):
    """A record changed by a cooperative and not yet verified by an officer (`permissions.verifies`).

    `snapshot` keeps the values as last verified (None for a record created unverified), so
    coverage on verified data can use them while the change waits.
    """

    __table_args__ = (sa.CheckConstraint("status IN ('reported', 'returned')", name="review_status"),)

    entity: str = Field(primary_key=True, max_length=40)
    record_key: str = Field(primary_key=True, max_length=200)
    status: str = Field(default="reported", max_length=20)
    snapshot: dict[str, str | None] | None = Field(default=None, sa_type=sa.JSON)
    reported_by: str = Field(max_length=64)
    district_code: str | None = Field(
        default=None,
        max_length=3,
        index=True,
        description="the reporting cooperative's district: whose officers verify",
    )
    # The reporting cooperative's place on today's map: who verifies is decided when the
    # queue is read, from the officer accounts that exist then (`permissions.verifier_condition`).
    commune_2025_07: str | None = Field(
        default=None, max_length=5, index=True, description="its commune on 2025-07 (None if placed above one)"
    )
    province_2025_07: str | None = Field(default=None, max_length=2, index=True, description="its province on 2025-07")
    comment: str | None = Field(default=None, max_length=2000)


class SignInSession(Stamped, table=True):
    """A signed-in browser, kept across reloads and tabs by a random token in an HttpOnly cookie.

    Only the SHA-256 of the token is stored. While `handover_until` is set, `token_hash` holds the
    hash of a one-time code instead: the tab that signed in trades it, over HTTP, for the cookie
    (linkage/accounts/sessions.py). `password_fingerprint` is the SHA-256 of the account's password hash at
    sign-in: a changed password ends every session issued before it.
    """

    __tablename__ = "sign_in_session"
    # A tab checks its session by id: an id must never be given to a later session (SQLite would).
    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(unique=True, max_length=64)
    username: str = Field(foreign_key="user_account.username", index=True, max_length=64)
    password_fingerprint: str = Field(max_length=64)
    language: str | None = Field(default=None, max_length=5)
    expires_at: datetime = Field(sa_type=sa.DateTime(timezone=True), nullable=False, index=True)
    handover_until: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))


# --- Office lists (docs/office-lists.md) ------------------------------------------------------


class ListLayout(Stamped, table=True):
    """How an office reads its own list layout: for lists of one kind of record whose headers read the
    same (`signature`, the SHA-256 of the headers as `lists.headers.key` reads them), the field the
    officer chose for each column in order, so the office's next such list opens with those choices."""

    __tablename__ = "list_layout"
    __table_args__ = (sa.UniqueConstraint("office", "entity", "signature", name="uq_list_layout"),)

    id: int | None = Field(default=None, primary_key=True)
    office: str = Field(max_length=60, description="the office: the unit of the account, `VN` for the country")
    entity: str = Field(max_length=40)
    signature: str = Field(max_length=64)
    columns: list[str] = Field(default_factory=list, sa_type=sa.JSON, description="each column's field, '' for none")
    chosen_by: str = Field(max_length=64)
