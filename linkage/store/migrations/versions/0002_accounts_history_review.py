"""accounts history review

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


APPEND_ONLY_MESSAGE = "change_log is append-only: history cannot be changed or deleted"


def _append_only() -> None:
    """Refuse UPDATE and DELETE on the history in the database itself, whatever the interface."""
    if op.get_bind().dialect.name == "sqlite":
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER change_log_no_{event.lower()} BEFORE {event} ON change_log "
                f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END"
            )
    else:
        op.execute(
            "CREATE FUNCTION change_log_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}'; END $$"
        )
        op.execute(
            "CREATE TRIGGER change_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON change_log "
            "FOR EACH STATEMENT EXECUTE FUNCTION change_log_append_only()"
        )


def upgrade() -> None:
    op.create_table(
        "change_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("record_key", sa.String(length=200), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("comment", sa.String(length=2000), nullable=True),
        sa.CheckConstraint(
            "action IN ('create', 'update', 'archive', 'restore', 'verify', 'return')", name="change_action"
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("change_log", schema=None) as batch_op:
        batch_op.create_index("ix_change_log_record", ["entity", "record_key"], unique=False)
    _append_only()

    op.create_table(
        "review",
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("record_key", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=True),
        sa.Column("reported_by", sa.String(length=64), nullable=False),
        sa.Column("comment", sa.String(length=2000), nullable=True),
        sa.CheckConstraint("status IN ('reported', 'returned')", name="review_status"),
        sa.PrimaryKeyConstraint("entity", "record_key"),
    )
    op.create_table(
        "user_account",
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("unit_code", sa.String(length=5), nullable=True),
        sa.Column("cooperative_code", sa.String(length=40), nullable=True),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "(role = 'admin') OR (role IN ('planner', 'officer') AND unit_code IS NOT NULL) OR (role = 'cooperative' AND cooperative_code IS NOT NULL)",
            name="user_scope",
        ),
        sa.CheckConstraint("role IN ('admin', 'planner', 'officer', 'cooperative')", name="user_role"),
        sa.ForeignKeyConstraint(
            ["cooperative_code"],
            ["cooperative.code"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("username"),
    )


def downgrade() -> None:
    op.drop_table("user_account")
    op.drop_table("review")
    with op.batch_alter_table("change_log", schema=None) as batch_op:
        batch_op.drop_index("ix_change_log_record")

    if op.get_bind().dialect.name != "sqlite":
        op.execute("DROP TRIGGER IF EXISTS change_log_append_only ON change_log")
        op.execute("DROP FUNCTION IF EXISTS change_log_append_only()")
    op.drop_table("change_log")
