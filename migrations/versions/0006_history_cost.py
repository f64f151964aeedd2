"""history cost: actions carry their severity and current grade, closed_at is indexed, and open
actions have a partial index in list order (the dashboard and lists read open work only)

Revision ID: 0006_history_cost
Revises: 0005_alerts
"""
import sqlalchemy as sa
from alembic import op

revision = "0006_history_cost"
down_revision = "0005_alerts"
branch_labels = None
depends_on = None

OPEN_SQL = ("status IN ('capital_scheme', 'escalated', 'interim_control', 'open', 'remediated', 'verified', "
            "'work_ordered')")  # as inspect_app.actions.models.OPEN_SQL spells it today


def upgrade():
    with op.batch_alter_table("action", schema=None) as batch_op:
        batch_op.add_column(sa.Column("severity", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("likelihood", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("consequence", sa.Integer(), nullable=True))
    # Carry existing rows forward: severity from the band, the grade from the point, and a closing
    # date for any closed action without one (its last change), so closed counts keep them.
    op.execute("UPDATE action SET severity = CASE band WHEN 'extreme' THEN 0 WHEN 'high' THEN 1 "
               "WHEN 'moderate' THEN 2 WHEN 'low' THEN 3 ELSE 9 END")
    op.execute("UPDATE action SET likelihood = (SELECT finding.likelihood FROM finding WHERE finding.id = action.finding_id), "
               "consequence = (SELECT finding.consequence FROM finding WHERE finding.id = action.finding_id)")
    op.execute("UPDATE action SET closed_at = updated_at WHERE status = 'closed' AND closed_at IS NULL")
    with op.batch_alter_table("action", schema=None) as batch_op:
        batch_op.alter_column("severity", existing_type=sa.Integer(), nullable=False)
        batch_op.create_index(batch_op.f("ix_action_closed_at"), ["closed_at"], unique=False)
        batch_op.create_index("ix_action_open_order", ["severity", "target_date", "id"], unique=False,
                              postgresql_where=sa.text(OPEN_SQL), sqlite_where=sa.text(OPEN_SQL))


def downgrade():
    with op.batch_alter_table("action", schema=None) as batch_op:
        batch_op.drop_index("ix_action_open_order", postgresql_where=sa.text(OPEN_SQL), sqlite_where=sa.text(OPEN_SQL))
        batch_op.drop_index(batch_op.f("ix_action_closed_at"))
        batch_op.drop_column("consequence")
        batch_op.drop_column("likelihood")
        batch_op.drop_column("severity")
