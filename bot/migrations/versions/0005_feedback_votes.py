"""Readers' 👍 / 👎 on answers: the answers that can be voted on, and the votes.

- `feedback_answers`: one page of a question's cited passages (its "More ▸" key and page), in the
  chat it was asked in, with the index version they were found in; `voted` once anyone voted.
- `feedback_votes`: one vote (+1 or -1) per user and answer, with when it was cast.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "feedback_answers",
        sa.Column("seq", sa.Integer, primary_key=True),
        sa.Column("key", sa.Text, nullable=False),
        sa.Column("page", sa.Integer, nullable=False),
        sa.Column("chat_id", sa.BigInteger, nullable=False),
        sa.Column("question", sa.Text, nullable=False),
        sa.Column("passages", sa.Text, nullable=False),
        sa.Column("index_version", sa.Text, nullable=False),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("voted", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.UniqueConstraint("key", "page"),
    )
    op.create_index("feedback_answers_unvoted", "feedback_answers", ["voted", "seq"])
    op.create_table(
        "feedback_votes",
        sa.Column("key", sa.Text, nullable=False),
        sa.Column("page", sa.Integer, nullable=False),
        sa.Column("user_id", sa.BigInteger, nullable=False),
        sa.Column("vote", sa.SmallInteger, nullable=False),
        sa.Column("voted_at", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("key", "page", "user_id"),
        sa.ForeignKeyConstraint(["key", "page"], ["feedback_answers.key", "feedback_answers.page"]),
        sa.CheckConstraint("vote IN (-1, 1)", name="feedback_votes_vote"),
    )
    op.create_index("feedback_votes_by_time", "feedback_votes", ["voted_at"])


def downgrade() -> None:
    op.drop_index("feedback_votes_by_time", table_name="feedback_votes")
    op.drop_table("feedback_votes")
    op.drop_index("feedback_answers_unvoted", table_name="feedback_answers")
    op.drop_table("feedback_answers")
