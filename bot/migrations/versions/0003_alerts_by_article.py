"""An index of the alert log by article: a scan asks which of its new articles are logged.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("alerts_by_article", "alerts", ["article_id"])


def downgrade() -> None:
    op.drop_index("alerts_by_article", table_name="alerts")
