"""closed tally: maintained counts of finished (closed or cancelled) actions per ward, month of
closing, status, band and grade cell, built from the existing actions (the dashboard reads these
instead of a year's closed rows)

Revision ID: 0011_closed_tally
Revises: 0010_grading
"""
from alembic import op
import sqlalchemy as sa


revision = "0011_closed_tally"
down_revision = "0010_grading"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "closed_tally",
        sa.Column("ward_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("band", sa.String(length=20), nullable=False),
        sa.Column("likelihood", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("consequence", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["ward_id"], ["ward.id"], name=op.f("fk_closed_tally_ward_id_ward")),
        sa.PrimaryKeyConstraint("ward_id", "month", "status", "band", "likelihood", "consequence",
                                name=op.f("pk_closed_tally")),
    )
    with op.batch_alter_table("closed_tally", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_closed_tally_month"), ["month"], unique=False)
    # Carry existing actions forward: the same recount as inspect_app.actions.closed_tally.rebuild_sql
    # (written out here so the migration does not change if the module does).
    at = "COALESCE(closed_at, updated_at)"
    month = (f"CAST(date_trunc('month', {at}) AS date)" if op.get_bind().dialect.name == "postgresql"
             else f"date({at}, 'start of month')")
    op.execute("INSERT INTO closed_tally (ward_id, month, status, band, likelihood, consequence, n) "
               f"SELECT ward_id, {month}, status, band, COALESCE(likelihood, 0), COALESCE(consequence, 0), COUNT(*) "
               "FROM action WHERE status IN ('cancelled', 'closed') "
               f"GROUP BY ward_id, {month}, status, band, COALESCE(likelihood, 0), COALESCE(consequence, 0)")


def downgrade():
    with op.batch_alter_table("closed_tally", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_closed_tally_month"))
    op.drop_table("closed_tally")
