"""page cost: a marker that every change of the dashboard's maintained counts moves (per ward),
so a server process may keep the counts it read until the marker moves

New table only; it starts with a random value for scope 0 (counts as they stand), so the marker of
this database is unlike that of any other. Existing data is unchanged.

Revision ID: 0014_page_cost
Revises: 0013_plans
"""
import secrets

import sqlalchemy as sa
from alembic import op

revision = "0014_page_cost"
down_revision = "0013_plans"
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        "tally_version",
        sa.Column("scope", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("scope", name=op.f("pk_tally_version")),
    )
    op.bulk_insert(table, [{"scope": 0, "n": 1 + secrets.randbelow(2**31)}])


def downgrade():
    op.drop_table("tally_version")
