"""Create the data-request tables (データ公開の要望): requests, comments, followers, notifications, coordinators.

Revision ID: 12b9d057b20d
Revises:
Create Date: 2026-12-07 05:45:00
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "12b9d057b20d"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "testbed_request",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("title", sa.UnicodeText, nullable=False),
        sa.Column("description", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("purpose", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("data_format", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("area", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("search_text", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("requester_id", sa.UnicodeText, sa.ForeignKey("user.id", ondelete="CASCADE"), nullable=False),
        sa.Column("organization_id", sa.UnicodeText, sa.ForeignKey("group.id", ondelete="SET NULL"), nullable=True),
        sa.Column("assignee_id", sa.UnicodeText, sa.ForeignKey("user.id", ondelete="SET NULL"), nullable=True),
        sa.Column("status", sa.UnicodeText, nullable=False, server_default="open"),
        sa.Column("resolution", sa.UnicodeText, nullable=True),
        sa.Column("reason", sa.UnicodeText, nullable=True),
        sa.Column("close_note", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("dataset_id", sa.UnicodeText, sa.ForeignKey("package.id", ondelete="SET NULL"), nullable=True),
        sa.Column(
            "duplicate_of", sa.UnicodeText, sa.ForeignKey("testbed_request.id", ondelete="SET NULL"), nullable=True
        ),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.Column("modified", sa.DateTime, nullable=False),
        sa.Column("closed_at", sa.DateTime, nullable=True),
        sa.CheckConstraint("status IN ('open', 'assigned', 'closed')", name="testbed_request_status_check"),
    )
    op.create_index("testbed_request_org_idx", "testbed_request", ["organization_id", "created"])
    op.create_index("testbed_request_requester_idx", "testbed_request", ["requester_id"])
    op.create_index("testbed_request_created_idx", "testbed_request", ["created"])
    op.create_table(
        "testbed_request_comment",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column(
            "request_id", sa.UnicodeText, sa.ForeignKey("testbed_request.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("user_id", sa.UnicodeText, sa.ForeignKey("user.id", ondelete="CASCADE"), nullable=False),
        sa.Column("text", sa.UnicodeText, nullable=False),
        sa.Column("created", sa.DateTime, nullable=False),
    )
    op.create_index("testbed_request_comment_request_idx", "testbed_request_comment", ["request_id", "created"])
    op.create_table(
        "testbed_request_follower",
        sa.Column(
            "request_id",
            sa.UnicodeText,
            sa.ForeignKey("testbed_request.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("user_id", sa.UnicodeText, sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("created", sa.DateTime, nullable=False),
    )
    op.create_table(
        "testbed_request_notification",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("user_id", sa.UnicodeText, sa.ForeignKey("user.id", ondelete="CASCADE"), nullable=False),
        sa.Column(
            "request_id", sa.UnicodeText, sa.ForeignKey("testbed_request.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("kind", sa.UnicodeText, nullable=False),
        sa.Column("actor_id", sa.UnicodeText, sa.ForeignKey("user.id", ondelete="SET NULL"), nullable=True),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.Column("read_at", sa.DateTime, nullable=True),
    )
    op.create_index("testbed_request_notification_user_idx", "testbed_request_notification", ["user_id", "created"])
    op.create_table(
        "testbed_request_coordinator",
        sa.Column("user_id", sa.UnicodeText, sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("created", sa.DateTime, nullable=False),
    )


def downgrade():
    op.drop_table("testbed_request_coordinator")
    op.drop_table("testbed_request_notification")
    op.drop_table("testbed_request_follower")
    op.drop_table("testbed_request_comment")
    op.drop_table("testbed_request")
