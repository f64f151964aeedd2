"""checklist library: check items (pass/fail, default priority), item tier, patient-group and
inspection-type scopes, area sources; N/A reasons on answers; failed checks as findings of kind
"check"; the patient group an inspection was started for

Revision ID: 0008_checklist_library
Revises: 0007_hardening (re-chained after it so the tree has one head)
"""
import sqlalchemy as sa
from alembic import op

revision = "0008_checklist_library"
down_revision = "0007_hardening"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('area_type', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source', sa.Text(), nullable=True))
    with op.batch_alter_table('checklist_item', schema=None) as batch_op:
        # Every existing item is a ligature item, answered as before.
        batch_op.add_column(sa.Column('kind', sa.String(length=10), nullable=False, server_default='ligature'))
        batch_op.add_column(sa.Column('default_priority', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('default_tier', sa.String(length=4), nullable=True))
        batch_op.add_column(sa.Column('patient_groups', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('inspection_types', sa.String(length=100), nullable=True))
    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('na_reason', sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column('na_detail', sa.Text(), nullable=True))
    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=10), nullable=False, server_default='ligature'))
        batch_op.create_index(batch_op.f('ix_finding_kind'), ['kind'], unique=False)
    with op.batch_alter_table('inspection', schema=None) as batch_op:
        batch_op.add_column(sa.Column('patient_group', sa.String(length=40), nullable=True))
    # Inspections already started keep every item (their ward's group is recorded for the record).
    op.execute("UPDATE inspection SET patient_group = (SELECT ward.patient_group FROM ward "
               "WHERE ward.id = inspection.ward_id)")


def downgrade():
    # Columns are dropped in place (SQLite 3.35+): recreating these tables, which other tables
    # reference, would trip the foreign keys the app keeps on.
    with op.batch_alter_table('inspection', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('patient_group')
    with op.batch_alter_table('finding', schema=None, recreate='never') as batch_op:
        batch_op.drop_index(batch_op.f('ix_finding_kind'))
        batch_op.drop_column('kind')
    with op.batch_alter_table('answer', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('na_detail')
        batch_op.drop_column('na_reason')
    with op.batch_alter_table('checklist_item', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('inspection_types')
        batch_op.drop_column('patient_groups')
        batch_op.drop_column('default_tier')
        batch_op.drop_column('default_priority')
        batch_op.drop_column('kind')
    with op.batch_alter_table('area_type', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('source')
