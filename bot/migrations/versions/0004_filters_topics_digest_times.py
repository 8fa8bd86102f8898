"""Subscription word filters and forum topics; each chat's own digest time.

- `subscriptions.thread_id`: the forum topic a subscription posts into (0: the chat itself);
  a topic is unique per chat and forum topic, no longer per chat.
- `subscriptions.required_words` / `excluded_words`: the +word / -word filters, as JSON lists.
- `chats.digest_time`, `chats.digest_zone`: when a daily chat gets its digest ("07:30", an IANA
  zone); NULL means DAILY_DIGEST_TIME in UTC. `chats.digest_sent_at`: when the last one went out.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

OLD_UNIQUE = "subscriptions_chat_id_topic_key"  # PostgreSQL's name for 0001's UNIQUE (chat, topic)
NEW_UNIQUE = "subscriptions_chat_id_thread_id_topic_key"


def _subscriptions_before() -> sa.Table:
    """0001's table without its unnamed UNIQUE: what SQLite's copy is made from."""
    return sa.Table(
        "subscriptions",
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("chat_id", sa.BigInteger, nullable=False),
        sa.Column("topic", sa.Text, nullable=False),
        sa.Column("every_article", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("sensitivity", sa.Text, nullable=False),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("vector", sa.LargeBinary, nullable=False),
    )


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if not sqlite:
        op.drop_constraint(OLD_UNIQUE, "subscriptions", type_="unique")
    # SQLite cannot drop a constraint: the table is copied (alembic's batch mode), rows and ids
    # as they are, in this migration's transaction.
    with op.batch_alter_table(
        "subscriptions", copy_from=_subscriptions_before() if sqlite else None,
        recreate="always" if sqlite else "never",
    ) as batch:  # fmt: skip
        batch.add_column(sa.Column("thread_id", sa.BigInteger, nullable=False, server_default="0"))
        batch.add_column(sa.Column("required_words", sa.Text, nullable=False, server_default="[]"))
        batch.add_column(sa.Column("excluded_words", sa.Text, nullable=False, server_default="[]"))
        batch.create_unique_constraint(NEW_UNIQUE, ["chat_id", "thread_id", "topic"])
    op.add_column("chats", sa.Column("digest_time", sa.Text))
    op.add_column("chats", sa.Column("digest_zone", sa.Text))
    op.add_column("chats", sa.Column("digest_sent_at", sa.Text))


def downgrade() -> None:
    for column in ("digest_sent_at", "digest_zone", "digest_time"):
        op.drop_column("chats", column)
    with op.batch_alter_table("subscriptions") as batch:
        batch.drop_constraint(NEW_UNIQUE, type_="unique")
        for column in ("excluded_words", "required_words", "thread_id"):
            batch.drop_column(column)
        batch.create_unique_constraint(OLD_UNIQUE, ["chat_id", "topic"])
