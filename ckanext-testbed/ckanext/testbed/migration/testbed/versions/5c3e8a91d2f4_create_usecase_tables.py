"""Create the use-case tables (利活用事例): use cases and the datasets each uses.

Revision ID: 5c3e8a91d2f4
Revises: 12b9d057b20d
Create Date: 2026-12-07 08:50:00
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "5c3e8a91d2f4"
down_revision = "12b9d057b20d"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "testbed_usecase",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("title", sa.UnicodeText, nullable=False),
        sa.Column("description", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("kind", sa.UnicodeText, nullable=False),
        sa.Column("author", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("url", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("image", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("practice", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("search_text", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("creator_id", sa.UnicodeText, sa.ForeignKey("user.id", ondelete="CASCADE"), nullable=False),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.Column("modified", sa.DateTime, nullable=False),
        sa.CheckConstraint("kind IN ('app', 'map', 'report', 'analysis', 'other')", name="testbed_usecase_kind_check"),
    )
    op.create_index("testbed_usecase_created_idx", "testbed_usecase", ["created"])
    op.create_index("testbed_usecase_creator_idx", "testbed_usecase", ["creator_id"])
    op.create_table(
        "testbed_usecase_dataset",
        sa.Column(
            "usecase_id", sa.UnicodeText, sa.ForeignKey("testbed_usecase.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("package_id", sa.UnicodeText, sa.ForeignKey("package.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("position", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_index("testbed_usecase_dataset_package_idx", "testbed_usecase_dataset", ["package_id"])


def downgrade():
    op.drop_table("testbed_usecase_dataset")
    op.drop_table("testbed_usecase")
