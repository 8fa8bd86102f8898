"""Alerts per story: one alert per story and chat, edited when another outlet reports it.

- `alerts.story_id`, `alerts.follows`: the story of the matched article and the story that
  story develops (`index.stories`); NULL in rows logged before (the article is its own story).
- `story_alerts`: per (chat, forum topic, story), the alert's message id, its title, the outlets
  it names and what it was rendered from, so another outlet's article edits it rather than
  alerting again; `editable` false once Telegram refused the edit for good.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("alerts", sa.Column("story_id", sa.Text))
    op.add_column("alerts", sa.Column("follows", sa.Text))
    op.create_table(
        "story_alerts",
        sa.Column("chat_id", sa.BigInteger, nullable=False),
        sa.Column("thread_id", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("story_id", sa.Text, nullable=False),
        sa.Column("message_id", sa.BigInteger),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("outlets", sa.Text, nullable=False, server_default="[]"),
        sa.Column("shown", sa.Text, nullable=False),
        sa.Column("editable", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("sent_at", sa.Text, nullable=False),
        sa.Column("edited_at", sa.Text),
        sa.PrimaryKeyConstraint("chat_id", "thread_id", "story_id"),
    )


def downgrade() -> None:
    op.drop_table("story_alerts")
    with op.batch_alter_table("alerts") as batch:
        batch.drop_column("follows")
        batch.drop_column("story_id")
