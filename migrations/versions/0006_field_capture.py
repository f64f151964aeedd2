"""field capture: a ligature point recorded in error is withdrawn with a reason, by whom and when;
an answer given by "mark remaining items compliant" is marked as part of that bulk answer

Revision ID: 0006_field_capture
Revises: 0005_alerts
"""
import sqlalchemy as sa
from alembic import op

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
    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('bulk', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.drop_column('bulk')
    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_finding_withdrawn_by_id_user'), type_='foreignkey')
        batch_op.drop_column('withdrawn_by_id')
        batch_op.drop_column('withdrawn_at')
        batch_op.drop_column('withdrawn_reason')
