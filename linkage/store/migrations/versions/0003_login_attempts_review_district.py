"""login attempts per name, the verifying district of a review

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "login_attempt",
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("username"),
    )
    with op.batch_alter_table("review") as batch:
        batch.add_column(sa.Column("district_code", sa.String(length=3), nullable=True))
        batch.create_index("ix_review_district_code", ["district_code"])
    # Reviews opened before: the district of the cooperative whose account reported them.
    op.execute(
        "UPDATE review SET district_code = (SELECT c.district_code FROM user_account u"
        " JOIN cooperative k ON k.code = u.cooperative_code JOIN commune c ON c.code = k.commune_code"
        " WHERE u.username = review.reported_by)"
    )
    with op.batch_alter_table("user_account") as batch:
        batch.drop_column("failed_logins")
        batch.drop_column("next_attempt_at")


def downgrade() -> None:
    with op.batch_alter_table("user_account") as batch:
        batch.add_column(sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("review") as batch:
        batch.drop_index("ix_review_district_code")
        batch.drop_column("district_code")
    op.drop_table("login_attempt")
