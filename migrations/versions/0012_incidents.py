"""incidents: ligature incidents linked to rooms and points ("find the point" tasks derived from
them), trust-wide checks and their per-ward tasks. New tables only: existing data is unchanged.

Revision ID: 0012_incidents
Revises: 0011_tallies
"""
import sqlalchemy as sa
from alembic import op

revision = "0012_incidents"
down_revision = "0011_tallies"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('incident',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=60), nullable=True),
    sa.Column('ward_id', sa.Integer(), nullable=False),
    sa.Column('room_id', sa.Integer(), nullable=False),
    sa.Column('finding_id', sa.Integer(), nullable=True),
    sa.Column('occurred_at', sa.DateTime(), nullable=False),
    sa.Column('incident_type', sa.String(length=30), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('fixture_category', sa.String(length=80), nullable=True),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.Column('point_resolved_at', sa.DateTime(), nullable=True),
    sa.Column('point_resolved_by_id', sa.Integer(), nullable=True),
    sa.Column('point_note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['finding_id'], ['finding.id'], name=op.f('fk_incident_finding_id_finding')),
    sa.ForeignKeyConstraint(['point_resolved_by_id'], ['user.id'], name=op.f('fk_incident_point_resolved_by_id_user')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id'], name=op.f('fk_incident_recorded_by_id_user')),
    sa.ForeignKeyConstraint(['room_id'], ['room.id'], name=op.f('fk_incident_room_id_room')),
    sa.ForeignKeyConstraint(['ward_id'], ['ward.id'], name=op.f('fk_incident_ward_id_ward')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident')),
    sa.UniqueConstraint('reference', name=op.f('uq_incident_reference'))
    )
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incident_finding_id'), ['finding_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_incident_occurred_at'), ['occurred_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_incident_room_id'), ['room_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_incident_ward_id'), ['ward_id'], unique=False)

    op.create_table('trust_check',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('category', sa.String(length=80), nullable=True),
    sa.Column('product', sa.String(length=120), nullable=True),
    sa.Column('installed_before', sa.Date(), nullable=True),
    sa.Column('instructions', sa.Text(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=True),
    sa.Column('fixture_check_id', sa.Integer(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('launched_by_id', sa.Integer(), nullable=False),
    sa.Column('launched_at', sa.DateTime(), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['fixture_check_id'], ['fixture_check.id'], name=op.f('fk_trust_check_fixture_check_id_fixture_check')),
    sa.ForeignKeyConstraint(['incident_id'], ['incident.id'], name=op.f('fk_trust_check_incident_id_incident')),
    sa.ForeignKeyConstraint(['launched_by_id'], ['user.id'], name=op.f('fk_trust_check_launched_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trust_check'))
    )
    with op.batch_alter_table('trust_check', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_trust_check_fixture_check_id'), ['fixture_check_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_trust_check_incident_id'), ['incident_id'], unique=False)

    op.create_table('trust_check_task',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('check_id', sa.Integer(), nullable=False),
    sa.Column('ward_id', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('matches', sa.JSON(), nullable=False),
    sa.Column('answered_at', sa.DateTime(), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('answer_note', sa.Text(), nullable=True),
    sa.Column('finding_ids', sa.JSON(), nullable=False),
    sa.Column('photo_uuids', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['answered_by_id'], ['user.id'], name=op.f('fk_trust_check_task_answered_by_id_user')),
    sa.ForeignKeyConstraint(['check_id'], ['trust_check.id'], name=op.f('fk_trust_check_task_check_id_trust_check')),
    sa.ForeignKeyConstraint(['ward_id'], ['ward.id'], name=op.f('fk_trust_check_task_ward_id_ward')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trust_check_task')),
    sa.UniqueConstraint('check_id', 'ward_id', name=op.f('uq_trust_check_task_check_id'))
    )
    with op.batch_alter_table('trust_check_task', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_trust_check_task_check_id'), ['check_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_trust_check_task_ward_id'), ['ward_id'], unique=False)



def downgrade():
    with op.batch_alter_table('trust_check_task', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_trust_check_task_ward_id'))
        batch_op.drop_index(batch_op.f('ix_trust_check_task_check_id'))

    op.drop_table('trust_check_task')
    with op.batch_alter_table('trust_check', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_trust_check_incident_id'))
        batch_op.drop_index(batch_op.f('ix_trust_check_fixture_check_id'))

    op.drop_table('trust_check')
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incident_ward_id'))
        batch_op.drop_index(batch_op.f('ix_incident_room_id'))
        batch_op.drop_index(batch_op.f('ix_incident_occurred_at'))
        batch_op.drop_index(batch_op.f('ix_incident_finding_id'))

    op.drop_table('incident')
