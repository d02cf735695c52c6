"""indexes for the live read of the facts: live parties by type, live producers' places

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30

`linkage coverage` reads the places of every linkage's parties and the distinct places of live
producers on every run (`linkage.counting.facts`); at national scale these two partial indexes make those
reads quicker on SQLite (docs/benchmarks.md). The parties' index leads with type and code,
so a party looked up by its type and code (`graph.unlinked`, for every record of a unit) is one seek:
led by type and linkage, SQLite chose it for that look-up and scanned every party of the type per
record, which made a province's graph page slow. Nothing else changes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIVE = sa.text("archived_at IS NULL")


def upgrade() -> None:
    op.create_index(
        "ix_linkage_party_live",
        "linkage_party",
        ["party_type", "party_code", "linkage_code"],
        sqlite_where=LIVE,
        postgresql_where=LIVE,
    )
    op.create_index(
        "ix_producer_live_places",
        "producer",
        ["commune_code", "commune_code_2025_07"],
        sqlite_where=LIVE,
        postgresql_where=LIVE,
    )


def downgrade() -> None:
    op.drop_index("ix_producer_live_places", table_name="producer")
    op.drop_index("ix_linkage_party_live", table_name="linkage_party")
