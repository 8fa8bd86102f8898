"""Each chat's time zone, and the recent questions and answers a reply can follow up.

- `chats.time_zone`: the IANA zone `/timezone` set (NULL: the digest's zone, else UTC), in which
  "yesterday" in a question is read.
- `conversation_turns`: one answered question per row (chat, forum topic, question, the cited
  article and story ids as JSON lists, when, and the turn it followed up, if any); a few per chat,
  the older ones deleted as new ones come.
- `conversation_messages`: the messages each turn's answer was sent as, so a reply to any of them
  finds its turn.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("chats", sa.Column("time_zone", sa.Text))
    op.create_table(
        "conversation_turns",
        sa.Column("seq", sa.Integer, primary_key=True),
        sa.Column("chat_id", sa.BigInteger, nullable=False),
        sa.Column("thread_id", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("question", sa.Text, nullable=False),
        sa.Column("article_ids", sa.Text, nullable=False, server_default="[]"),
        sa.Column("story_ids", sa.Text, nullable=False, server_default="[]"),
        sa.Column("asked_at", sa.Text, nullable=False),
        sa.Column("follows", sa.Integer),
    )
    op.create_index("conversation_turns_by_chat", "conversation_turns", ["chat_id", "seq"])
    op.create_index("conversation_turns_by_time", "conversation_turns", ["asked_at"])
    op.create_table(
        "conversation_messages",
        sa.Column("chat_id", sa.BigInteger, nullable=False),
        sa.Column("message_id", sa.BigInteger, nullable=False),
        sa.Column("turn", sa.Integer, sa.ForeignKey("conversation_turns.seq"), nullable=False),
        sa.PrimaryKeyConstraint("chat_id", "message_id"),
    )
    op.create_index("conversation_messages_by_turn", "conversation_messages", ["turn"])


def downgrade() -> None:
    op.drop_index("conversation_messages_by_turn", table_name="conversation_messages")
    op.drop_table("conversation_messages")
    op.drop_index("conversation_turns_by_time", table_name="conversation_turns")
    op.drop_index("conversation_turns_by_chat", table_name="conversation_turns")
    op.drop_table("conversation_turns")
    with op.batch_alter_table("chats") as batch:
        batch.drop_column("time_zone")
