"""seen index: the ligature points present in an inspection, by room, read through one index
(ward overview and room page); the walk's tallies had ANDed the inspection's index with the state's,
which matches every present point of the trust.

Index only; existing data is unchanged.

Revision ID: 0015_seen_index
Revises: 0014_page_cost
"""
from alembic import op

revision = "0015_seen_index"
down_revision = "0014_page_cost"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_finding_seen", "finding", ["last_inspection_id", "state", "room_id"])


def downgrade():
    op.drop_index("ix_finding_seen", table_name="finding")
