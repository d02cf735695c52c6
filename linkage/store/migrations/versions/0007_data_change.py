"""which records each data version changed, so caches catch up record by record

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29

Empty at first: a cache older than the first version recorded reads every fact once, as before.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "data_change",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("record_key", sa.String(length=200), nullable=False),
        sa.Column("fields", sa.String(length=2000), nullable=False),
        sa.PrimaryKeyConstraint("version", "entity", "record_key"),
    )


def downgrade() -> None:
    op.drop_table("data_change")
