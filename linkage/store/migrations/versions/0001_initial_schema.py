"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "data_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("counter", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.bulk_insert(sa.table("data_version", sa.column("id"), sa.column("counter")), [{"id": 1, "counter": 0}])
    op.create_table(
        "product",
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name_vi", sa.String(length=300), nullable=False),
        sa.Column("name_en", sa.String(length=300), nullable=False),
        sa.Column("national_key", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_table(
        "province",
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("code", sa.String(length=2), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("search_name", sa.String(length=300), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_table(
        "technology",
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("label_vi", sa.String(length=300), nullable=False),
        sa.Column("label_en", sa.String(length=300), nullable=False),
        sa.Column("description_vi", sa.String(length=1000), nullable=False),
        sa.Column("description_en", sa.String(length=1000), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_table(
        "district",
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("code", sa.String(length=3), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("search_name", sa.String(length=300), nullable=False),
        sa.Column("province_code", sa.String(length=2), nullable=False),
        sa.ForeignKeyConstraint(
            ["province_code"],
            ["province.code"],
        ),
        sa.PrimaryKeyConstraint("code"),
    )
    with op.batch_alter_table("district", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_district_province_code"), ["province_code"], unique=False)

    op.create_table(
        "linkage",
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("product_code", sa.String(length=40), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("form", sa.String(length=30), nullable=False),
        sa.CheckConstraint(
            "form IN ('production_consumption', 'full_chain', 'input_supply', 'other')", name="linkage_form"
        ),
        sa.CheckConstraint("ended_on IS NULL OR ended_on >= started_on", name="ended_after_started"),
        sa.ForeignKeyConstraint(
            ["product_code"],
            ["product.code"],
        ),
        sa.PrimaryKeyConstraint("code"),
    )
    with op.batch_alter_table("linkage", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_linkage_product_code"), ["product_code"], unique=False)

    op.create_table(
        "province_key_product",
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("province_code", sa.String(length=2), nullable=False),
        sa.Column("product_code", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["product_code"],
            ["product.code"],
        ),
        sa.ForeignKeyConstraint(
            ["province_code"],
            ["province.code"],
        ),
        sa.PrimaryKeyConstraint("province_code", "product_code"),
    )
    op.create_table(
        "commune",
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("code", sa.String(length=5), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("search_name", sa.String(length=300), nullable=False),
        sa.Column("district_code", sa.String(length=3), nullable=False),
        sa.Column("is_rural", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["district_code"],
            ["district.code"],
        ),
        sa.PrimaryKeyConstraint("code"),
    )
    with op.batch_alter_table("commune", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_commune_district_code"), ["district_code"], unique=False)

    op.create_table(
        "digital_adoption",
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("linkage_code", sa.String(length=40), nullable=False),
        sa.Column("technology", sa.String(length=40), nullable=False),
        sa.Column("adopted_on", sa.Date(), nullable=False),
        sa.Column("discontinued_on", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "discontinued_on IS NULL OR discontinued_on >= adopted_on", name="discontinued_after_adopted"
        ),
        sa.ForeignKeyConstraint(
            ["linkage_code"],
            ["linkage.code"],
        ),
        sa.ForeignKeyConstraint(
            ["technology"],
            ["technology.code"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("linkage_code", "technology", "adopted_on", name="uq_adoption"),
    )
    with op.batch_alter_table("digital_adoption", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_digital_adoption_linkage_code"), ["linkage_code"], unique=False)

    op.create_table(
        "buyer",
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("commune_code", sa.String(length=5), nullable=True),
        sa.CheckConstraint(
            "kind IN ('processor', 'trader', 'exporter', 'retailer', 'enterprise', 'other')", name="buyer_kind"
        ),
        sa.ForeignKeyConstraint(
            ["commune_code"],
            ["commune.code"],
        ),
        sa.PrimaryKeyConstraint("code"),
    )
    with op.batch_alter_table("buyer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_buyer_commune_code"), ["commune_code"], unique=False)

    op.create_table(
        "cooperative",
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("commune_code", sa.String(length=5), nullable=False),
        sa.Column("established_on", sa.Date(), nullable=True),
        sa.Column("dissolved_on", sa.Date(), nullable=True),
        sa.Column("members", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "dissolved_on IS NULL OR established_on IS NULL OR dissolved_on >= established_on",
            name="dissolved_after_established",
        ),
        sa.CheckConstraint("members IS NULL OR members >= 0", name="members_not_negative"),
        sa.ForeignKeyConstraint(
            ["commune_code"],
            ["commune.code"],
        ),
        sa.PrimaryKeyConstraint("code"),
    )
    with op.batch_alter_table("cooperative", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cooperative_commune_code"), ["commune_code"], unique=False)

    op.create_table(
        "raw_material_area",
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("commune_code", sa.String(length=5), nullable=False),
        sa.Column("product_code", sa.String(length=40), nullable=False),
        sa.Column("area_ha", sa.Numeric(precision=14, scale=4), nullable=False),
        sa.Column("planting_area_code", sa.String(length=80), nullable=True),
        sa.CheckConstraint("area_ha > 0", name="area_positive"),
        sa.ForeignKeyConstraint(
            ["commune_code"],
            ["commune.code"],
        ),
        sa.ForeignKeyConstraint(
            ["product_code"],
            ["product.code"],
        ),
        sa.PrimaryKeyConstraint("code"),
    )
    with op.batch_alter_table("raw_material_area", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_raw_material_area_commune_code"), ["commune_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_raw_material_area_product_code"), ["product_code"], unique=False)

    op.create_table(
        "producer",
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("commune_code", sa.String(length=5), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("cooperative_code", sa.String(length=40), nullable=True),
        sa.CheckConstraint("kind IN ('household', 'farm', 'cooperative_group', 'enterprise')", name="producer_kind"),
        sa.ForeignKeyConstraint(
            ["commune_code"],
            ["commune.code"],
        ),
        sa.ForeignKeyConstraint(
            ["cooperative_code"],
            ["cooperative.code"],
        ),
        sa.PrimaryKeyConstraint("code"),
    )
    with op.batch_alter_table("producer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_producer_commune_code"), ["commune_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_producer_cooperative_code"), ["cooperative_code"], unique=False)

    op.create_table(
        "linkage_party",
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("linkage_code", sa.String(length=40), nullable=False),
        sa.Column("party_type", sa.String(length=20), nullable=False),
        sa.Column("party_code", sa.String(length=40), nullable=False),
        sa.Column("cooperative_code", sa.String(length=40), nullable=True),
        sa.Column("producer_code", sa.String(length=40), nullable=True),
        sa.Column("buyer_code", sa.String(length=40), nullable=True),
        sa.Column("raw_material_area_code", sa.String(length=40), nullable=True),
        sa.Column("is_lead", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "(party_type = 'cooperative' AND cooperative_code IS NOT NULL AND producer_code IS NULL AND buyer_code IS NULL AND raw_material_area_code IS NULL) OR (party_type = 'producer' AND producer_code IS NOT NULL AND cooperative_code IS NULL AND buyer_code IS NULL AND raw_material_area_code IS NULL) OR (party_type = 'buyer' AND buyer_code IS NOT NULL AND cooperative_code IS NULL AND producer_code IS NULL AND raw_material_area_code IS NULL) OR (party_type = 'raw_material_area' AND raw_material_area_code IS NOT NULL AND cooperative_code IS NULL AND producer_code IS NULL AND buyer_code IS NULL)",
            name="one_party_column",
        ),
        sa.CheckConstraint(
            "party_type IN ('cooperative', 'producer', 'buyer', 'raw_material_area')", name="party_type"
        ),
        sa.CheckConstraint(
            "party_code = COALESCE(cooperative_code, producer_code, buyer_code, raw_material_area_code)",
            name="party_code_matches",
        ),
        sa.ForeignKeyConstraint(
            ["buyer_code"],
            ["buyer.code"],
        ),
        sa.ForeignKeyConstraint(
            ["cooperative_code"],
            ["cooperative.code"],
        ),
        sa.ForeignKeyConstraint(
            ["linkage_code"],
            ["linkage.code"],
        ),
        sa.ForeignKeyConstraint(
            ["producer_code"],
            ["producer.code"],
        ),
        sa.ForeignKeyConstraint(
            ["raw_material_area_code"],
            ["raw_material_area.code"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("linkage_code", "party_type", "party_code", name="uq_linkage_party"),
    )
    with op.batch_alter_table("linkage_party", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_linkage_party_linkage_code"), ["linkage_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_linkage_party_party_code"), ["party_code"], unique=False)
        batch_op.create_index(
            "uq_one_lead_per_linkage",
            ["linkage_code"],
            unique=True,
            sqlite_where=sa.text("is_lead AND archived_at IS NULL"),
            postgresql_where=sa.text("is_lead AND archived_at IS NULL"),
        )


def downgrade() -> None:
    with op.batch_alter_table("linkage_party", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_one_lead_per_linkage",
            sqlite_where=sa.text("is_lead AND archived_at IS NULL"),
            postgresql_where=sa.text("is_lead AND archived_at IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_linkage_party_party_code"))
        batch_op.drop_index(batch_op.f("ix_linkage_party_linkage_code"))

    op.drop_table("linkage_party")
    with op.batch_alter_table("producer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_producer_cooperative_code"))
        batch_op.drop_index(batch_op.f("ix_producer_commune_code"))

    op.drop_table("producer")
    with op.batch_alter_table("raw_material_area", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_raw_material_area_product_code"))
        batch_op.drop_index(batch_op.f("ix_raw_material_area_commune_code"))

    op.drop_table("raw_material_area")
    with op.batch_alter_table("cooperative", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cooperative_commune_code"))

    op.drop_table("cooperative")
    with op.batch_alter_table("buyer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_buyer_commune_code"))

    op.drop_table("buyer")
    with op.batch_alter_table("digital_adoption", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_digital_adoption_linkage_code"))

    op.drop_table("digital_adoption")
    with op.batch_alter_table("commune", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_commune_district_code"))

    op.drop_table("commune")
    op.drop_table("province_key_product")
    with op.batch_alter_table("linkage", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_linkage_product_code"))

    op.drop_table("linkage")
    with op.batch_alter_table("district", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_district_province_code"))

    op.drop_table("district")
    op.drop_table("technology")
    op.drop_table("province")
    op.drop_table("product")
    op.drop_table("data_version")
