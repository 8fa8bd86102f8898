"""Chats, subscriptions, the alert log and the scan's progress (SQLite `user_version` 1).

A SQLite database made before migrations were alembic's has exactly this schema at
`user_version` 1; `bot.migrate` stamps it with this revision instead of running it.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "chats",
        sa.Column("chat_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("title", sa.Text),
        sa.Column("delivery", sa.Text, nullable=False, server_default="instant"),
        sa.Column("disabled_at", sa.Text),
        sa.Column("disabled_reason", sa.Text),
    )
    op.create_table(
        "subscriptions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("chat_id", sa.BigInteger, nullable=False),
        sa.Column("topic", sa.Text, nullable=False),
        sa.Column("every_article", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("sensitivity", sa.Text, nullable=False),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("vector", sa.LargeBinary, nullable=False),
        sa.UniqueConstraint("chat_id", "topic"),
    )
    op.create_table(
        "alerts",
        sa.Column("chat_id", sa.BigInteger, nullable=False),
        sa.Column("subscription_id", sa.Integer, sa.ForeignKey("subscriptions.id"), nullable=False),
        sa.Column("article_id", sa.Text, nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("citation", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False, server_default="pending"),
        sa.Column("matched_at", sa.Text, nullable=False),
        sa.Column("sent_at", sa.Text),
        sa.PrimaryKeyConstraint("chat_id", "subscription_id", "article_id"),
    )
    op.create_index("alerts_pending", "alerts", ["status", "chat_id"])
    op.create_table(
        "scan_state",
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("scan_state")
    op.drop_index("alerts_pending", "alerts")
    op.drop_table("alerts")
    op.drop_table("subscriptions")
    op.drop_table("chats")
