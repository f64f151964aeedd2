"""field capture: a ligature point recorded in error is withdrawn with a reason, by whom and when

Revision ID: 0006_field_capture
Revises: 0005_alerts
"""
from alembic import op
import sqlalchemy as sa


revision = "0006_field_capture"
down_revision = "0005_alerts"
branch_labels = None
depends_on = None


def upgrade():
    # Existing rows carry forward unchanged: nothing was withdrawn before this column existed.
    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.add_column(sa.Column('withdrawn_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('withdrawn_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('withdrawn_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_finding_withdrawn_by_id_user'), 'user', ['withdrawn_by_id'], ['id'])


def downgrade():
    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_finding_withdrawn_by_id_user'), type_='foreignkey')
        batch_op.drop_column('withdrawn_by_id')
        batch_op.drop_column('withdrawn_at')
        batch_op.drop_column('withdrawn_reason')
