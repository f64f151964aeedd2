"""alerts register: alerts, checklist item citations, room fixtures and their recurring checks

Revision ID: 0005_alerts
Revises: 0004_audit_guard
"""
import sqlalchemy as sa
from alembic import op

revision = "0005_alerts"
down_revision = "0004_audit_guard"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('alert',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=60), nullable=True),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('issuing_body', sa.String(length=200), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=True),
    sa.Column('action_underway_by', sa.Date(), nullable=True),
    sa.Column('action_complete_by', sa.Date(), nullable=True),
    sa.Column('restricted', sa.Boolean(), nullable=False),
    sa.Column('required_actions', sa.Text(), nullable=True),
    sa.Column('patient_groups', sa.JSON(), nullable=False),
    sa.Column('area_type_codes', sa.JSON(), nullable=False),
    sa.Column('response_status', sa.String(length=20), nullable=False),
    sa.Column('response_note', sa.Text(), nullable=True),
    sa.Column('response_by_id', sa.Integer(), nullable=True),
    sa.Column('response_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['response_by_id'], ['user.id'], name=op.f('fk_alert_response_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert')),
    sa.UniqueConstraint('reference', name=op.f('uq_alert_reference')),
    sa.UniqueConstraint('title', name=op.f('uq_alert_title'))
    )
    op.create_table('item_alert_citation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('alert_id', sa.Integer(), nullable=False),
    sa.Column('section', sa.String(length=120), nullable=True),
    sa.ForeignKeyConstraint(['alert_id'], ['alert.id'], name=op.f('fk_item_alert_citation_alert_id_alert')),
    sa.ForeignKeyConstraint(['item_id'], ['checklist_item.id'], name=op.f('fk_item_alert_citation_item_id_checklist_item'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_item_alert_citation')),
    sa.UniqueConstraint('item_id', 'alert_id', name=op.f('uq_item_alert_citation_item_id'))
    )
    with op.batch_alter_table('item_alert_citation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_item_alert_citation_alert_id'), ['alert_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_item_alert_citation_item_id'), ['item_id'], unique=False)

    op.create_table('room_fixture',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('room_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('label', sa.String(length=120), nullable=False),
    sa.Column('interval_days', sa.Integer(), nullable=False),
    sa.Column('alert_id', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('registered_on', sa.Date(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['alert_id'], ['alert.id'], name=op.f('fk_room_fixture_alert_id_alert')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_room_fixture_created_by_id_user')),
    sa.ForeignKeyConstraint(['room_id'], ['room.id'], name=op.f('fk_room_fixture_room_id_room')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_room_fixture'))
    )
    with op.batch_alter_table('room_fixture', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_room_fixture_room_id'), ['room_id'], unique=False)

    op.create_table('fixture_check',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fixture_id', sa.Integer(), nullable=False),
    sa.Column('result', sa.String(length=10), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('checked_at', sa.DateTime(), nullable=False),
    sa.Column('checked_by_id', sa.Integer(), nullable=False),
    sa.Column('inspection_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['checked_by_id'], ['user.id'], name=op.f('fk_fixture_check_checked_by_id_user')),
    sa.ForeignKeyConstraint(['fixture_id'], ['room_fixture.id'], name=op.f('fk_fixture_check_fixture_id_room_fixture')),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspection.id'], name=op.f('fk_fixture_check_inspection_id_inspection')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fixture_check'))
    )
    with op.batch_alter_table('fixture_check', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fixture_check_fixture_id'), ['fixture_id'], unique=False)


def downgrade():
    with op.batch_alter_table('fixture_check', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fixture_check_fixture_id'))

    op.drop_table('fixture_check')
    with op.batch_alter_table('room_fixture', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_room_fixture_room_id'))

    op.drop_table('room_fixture')
    with op.batch_alter_table('item_alert_citation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_item_alert_citation_item_id'))
        batch_op.drop_index(batch_op.f('ix_item_alert_citation_alert_id'))

    op.drop_table('item_alert_citation')
    op.drop_table('alert')
