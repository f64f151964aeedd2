"""hardening: a payload checksum on sync receipts (a reused op id with another payload is a
conflict), sign-in throttling keyed by email and source (a wider key), and server-side sessions

Revision ID: 0007_hardening
Revises: 0006_field_capture, 0006_history_cost (joins main's two 0006 heads)
"""
import sqlalchemy as sa
from alembic import op

revision = "0007_hardening"
down_revision = ("0006_field_capture", "0006_history_cost")
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('user_session',
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('remember', sa.Boolean(), nullable=False),
    sa.Column('ended_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_user_session_user_id_user')),
    sa.PrimaryKeyConstraint('token', name=op.f('pk_user_session'))
    )
    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_session_user_id'), ['user_id'], unique=False)
    # Receipts written before this have no checksum: their replays are answered as before.
    with op.batch_alter_table("sync_receipt", schema=None) as batch_op:
        batch_op.add_column(sa.Column("payload_sha256", sa.String(length=64), nullable=True))
    # Existing rows (email-only keys) stay valid keys; they expire with their lock-out window.
    with op.batch_alter_table("login_throttle", schema=None) as batch_op:
        batch_op.alter_column("email", existing_type=sa.String(length=254), type_=sa.String(length=320),
                              existing_nullable=False)


def downgrade():
    with op.batch_alter_table("login_throttle", schema=None) as batch_op:
        batch_op.alter_column("email", existing_type=sa.String(length=320), type_=sa.String(length=254),
                              existing_nullable=False)
    with op.batch_alter_table("sync_receipt", schema=None) as batch_op:
        batch_op.drop_column("payload_sha256")
    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_session_user_id'))
    op.drop_table('user_session')
