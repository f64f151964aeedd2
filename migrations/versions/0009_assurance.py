"""assurance: inspection signatures bound to accounts, label-scan proof of presence, second-look thresholds,
photos of a room itself

Existing signed-off inspections keep their typed name on the inspection; a lead signature row is
carried forward for each from its signing account (marked "legacy", since no re-authentication
was recorded then).

Revision ID: 0009_assurance
Revises: 0008_checklist_library
"""
import sqlalchemy as sa
from alembic import op

revision = "0009_assurance"
down_revision = "0008_checklist_library"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('signature',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('inspection_id', sa.Integer(), nullable=False),
    sa.Column('capacity', sa.String(length=20), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('reauth_method', sa.String(length=20), nullable=False),
    sa.Column('acknowledged_flags', sa.JSON(), nullable=False),
    sa.Column('signed_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspection.id'], name=op.f('fk_signature_inspection_id_inspection')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_signature_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signature')),
    sa.UniqueConstraint('inspection_id', 'capacity', name=op.f('uq_signature_inspection_id'))
    )
    with op.batch_alter_table('signature', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signature_inspection_id'), ['inspection_id'], unique=False)
    with op.batch_alter_table('room_visit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('label_scanned_at', sa.DateTime(), nullable=True))
    with op.batch_alter_table('trust', schema=None) as batch_op:
        batch_op.add_column(sa.Column('assurance_policy', sa.JSON(), nullable=True))
    with op.batch_alter_table('photo', schema=None) as batch_op:
        batch_op.add_column(sa.Column('room_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_photo_room_id'), ['room_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_photo_room_id_room'), 'room', ['room_id'], ['id'])
    # Carry existing signatures forward: the account that signed, named as that account.
    op.execute(
        "INSERT INTO signature (inspection_id, capacity, user_id, name, role, reauth_method, acknowledged_flags, "
        "signed_at) SELECT inspection.id, 'lead', inspection.signed_off_by_id, \"user\".name, \"user\".role, "
        "'legacy', '[]', inspection.signed_off_at FROM inspection JOIN \"user\" ON \"user\".id = "
        "inspection.signed_off_by_id WHERE inspection.signed_off_at IS NOT NULL")


def downgrade():
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:  # batch mode rebuilds trust and photo, which other tables reference
        op.execute("PRAGMA foreign_keys=OFF")
    with op.batch_alter_table('photo', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_photo_room_id_room'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_photo_room_id'))
        batch_op.drop_column('room_id')
    with op.batch_alter_table('trust', schema=None) as batch_op:
        batch_op.drop_column('assurance_policy')
    with op.batch_alter_table('room_visit', schema=None) as batch_op:
        batch_op.drop_column('label_scanned_at')
    with op.batch_alter_table('signature', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_signature_inspection_id'))
    op.drop_table('signature')
    if sqlite:
        op.execute("PRAGMA foreign_keys=ON")
