"""two maps: the units of map 2025-07, and a location on it beside the commune of 2025-01

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29

Records keep their commune of 2025-01 (`commune_code`, now optional: a location on 2025-07 may stand
alone, one of the two is required) and gain `commune_code_2025_07`, left empty. Nothing is guessed
into it: a record given on one map is placed on the other by the crosswalk wherever it is read
(`linkage.geo.maps.placed_in`), so every stored record is on both maps as soon as this revision has run,
and an officer who later fills the new column settles a split commune exactly (docs/exchange-files.md, "Locations").

The units of map 2025-07 are loaded here, with the tables, so that the new column's foreign key
can be used at once (`linkage init` loads only what is missing).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LOCATED = ("cooperative", "producer", "raw_material_area")


def upgrade() -> None:
    from datetime import UTC, datetime

    from linkage.geo.geography import new_map_rows

    province_table = op.create_table(
        "province_2025_07",
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("code", sa.String(length=2), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("search_name", sa.String(length=300), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    commune_table = op.create_table(
        "commune_2025_07",
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("code", sa.String(length=5), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("search_name", sa.String(length=300), nullable=False),
        sa.Column("province_code", sa.String(length=2), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("is_rural", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["province_code"], ["province_2025_07.code"]),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_index("ix_commune_2025_07_province_code", "commune_2025_07", ["province_code"])
    now = datetime.now(UTC)
    provinces, communes = new_map_rows()
    op.bulk_insert(province_table, [{**row, "created_at": now, "updated_at": now} for row in provinces])
    op.bulk_insert(commune_table, [{**row, "created_at": now, "updated_at": now} for row in communes])
    for table in (*LOCATED, "buyer"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("commune_code_2025_07", sa.String(length=5), nullable=True))
            batch.create_index(f"ix_{table}_commune_code_2025_07", ["commune_code_2025_07"])
            batch.create_foreign_key(
                f"fk_{table}_commune_code_2025_07", "commune_2025_07", ["commune_code_2025_07"], ["code"]
            )
            if table in LOCATED:
                batch.alter_column("commune_code", existing_type=sa.String(length=5), nullable=True)
                batch.create_check_constraint(
                    f"{table}_located", "commune_code IS NOT NULL OR commune_code_2025_07 IS NOT NULL"
                )


def downgrade() -> None:
    # Refused rather than lossy: a record located only on 2025-07 has no place in the older schema.
    for table in LOCATED:
        query = sa.select(sa.func.count()).select_from(sa.table(table)).where(sa.column("commune_code").is_(None))
        orphans = op.get_bind().execute(query).scalar()
        if orphans:
            raise RuntimeError(f"{orphans} {table} records are located only on map 2025-07: downgrade would lose them")
    for table in (*LOCATED, "buyer"):
        with op.batch_alter_table(table) as batch:
            if table in LOCATED:
                batch.drop_constraint(f"{table}_located", type_="check")
                batch.alter_column("commune_code", existing_type=sa.String(length=5), nullable=False)
            batch.drop_constraint(f"fk_{table}_commune_code_2025_07", type_="foreignkey")
            batch.drop_index(f"ix_{table}_commune_code_2025_07")
            batch.drop_column("commune_code_2025_07")
    op.drop_index("ix_commune_2025_07_province_code", table_name="commune_2025_07")
    op.drop_table("commune_2025_07")
    op.drop_table("province_2025_07")
