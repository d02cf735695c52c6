"""scopes on a named map; the reporting cooperative's place on 2025-07 in every review

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29

Accounts made before keep their unit on map 2025-01 (the only map they could name). A review
opened before gets the place on 2025-07 of the cooperative whose account reported it, placed by
the crosswalk (docs/exchange-files.md, "Two maps"), so the officers of today's map find it in their queue.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("user_account") as batch:
        batch.add_column(sa.Column("unit_map", sa.String(length=7), nullable=False, server_default="2025-01"))
        batch.create_check_constraint("user_map", "unit_map IN ('2025-01', '2025-07')")
    with op.batch_alter_table("review") as batch:
        batch.add_column(sa.Column("commune_2025_07", sa.String(length=5), nullable=True))
        batch.add_column(sa.Column("province_2025_07", sa.String(length=2), nullable=True))
        batch.create_index("ix_review_commune_2025_07", ["commune_2025_07"])
        batch.create_index("ix_review_province_2025_07", ["province_2025_07"])
    _place_open_reviews()


def _place_open_reviews() -> None:
    from linkage.geo.maps import NEW_MAP, map_data, placed_in  # lazy: only a database with reviews needs the maps

    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT r.entity, r.record_key, k.commune_code, k.commune_code_2025_07 FROM review r"
            " JOIN user_account u ON u.username = r.reported_by JOIN cooperative k ON k.code = u.cooperative_code"
        )
    ).all()
    new = map_data(NEW_MAP)
    for entity, key, old_commune, new_commune in rows:
        if not (old_commune or new_commune):
            continue
        place = placed_in(old_commune, new_commune, NEW_MAP)
        province = new.province_of(place) if place.level in ("commune", "province") else None
        bind.execute(
            sa.text(
                "UPDATE review SET commune_2025_07 = :commune, province_2025_07 = :province"
                " WHERE entity = :entity AND record_key = :key"
            ),
            {
                "commune": place.code if place.level == "commune" else None,
                "province": province,
                "entity": entity,
                "key": key,
            },
        )


def downgrade() -> None:
    with op.batch_alter_table("review") as batch:
        batch.drop_index("ix_review_province_2025_07")
        batch.drop_index("ix_review_commune_2025_07")
        batch.drop_column("province_2025_07")
        batch.drop_column("commune_2025_07")
    with op.batch_alter_table("user_account") as batch:
        batch.drop_constraint("user_map", type_="check")
        batch.drop_column("unit_map")
