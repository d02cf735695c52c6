"""sign-in sessions kept across reloads and tabs (hashed cookie tokens); e-mail and OIDC subject of accounts

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sign_in_session",
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("password_fingerprint", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("handover_until", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["username"], ["user_account.username"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("sign_in_session") as batch:
        batch.create_index("ix_sign_in_session_username", ["username"])
        batch.create_index("ix_sign_in_session_expires_at", ["expires_at"])
    # Accounts reached through an OpenID Connect provider: by the provider's subject, or by e-mail.
    with op.batch_alter_table("user_account") as batch:
        batch.add_column(sa.Column("email", sa.String(length=254), nullable=True))
        batch.add_column(sa.Column("oidc_subject", sa.String(length=255), nullable=True))
        batch.create_index("ix_user_account_email", ["email"], unique=True)
        batch.create_index("ix_user_account_oidc_subject", ["oidc_subject"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("user_account") as batch:
        batch.drop_index("ix_user_account_oidc_subject")
        batch.drop_index("ix_user_account_email")
        batch.drop_column("oidc_subject")
        batch.drop_column("email")
    op.drop_table("sign_in_session")
