"""plans: ward floor plans, room placements and point pins on them, ward staff accounts and the
ligature briefing's confirmations; the trust's "ward staff may see photos" setting (off)

Existing rooms and points are simply not placed or pinned yet; nothing is changed.

Revision ID: 0013_plans
Revises: 0012_incidents
"""
import sqlalchemy as sa
from alembic import op

revision = "0013_plans"
down_revision = "0012_incidents"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "ward_plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("ward_id", sa.Integer(), nullable=False),
        sa.Column("source_format", sa.String(length=10), nullable=False),
        sa.Column("key_large", sa.String(length=255), nullable=False),
        sa.Column("key_thumb", sa.String(length=255), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["uploaded_by_id"], ["user.id"], name=op.f("fk_ward_plan_uploaded_by_id_user")),
        sa.ForeignKeyConstraint(["ward_id"], ["ward.id"], name=op.f("fk_ward_plan_ward_id_ward")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ward_plan")),
        sa.UniqueConstraint("uuid", name=op.f("uq_ward_plan_uuid")),
    )
    with op.batch_alter_table("ward_plan", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ward_plan_ward_id"), ["ward_id"], unique=False)
    op.create_table(
        "ward_staff",
        sa.Column("ward_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_ward_staff_user_id_user"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["ward_id"], ["ward.id"], name=op.f("fk_ward_staff_ward_id_ward"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("ward_id", "user_id", name=op.f("pk_ward_staff")),
    )
    op.create_table(
        "briefing_confirmation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ward_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_briefing_confirmation_user_id_user")),
        sa.ForeignKeyConstraint(["ward_id"], ["ward.id"], name=op.f("fk_briefing_confirmation_ward_id_ward")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_briefing_confirmation")),
        sa.UniqueConstraint("ward_id", "user_id", "version",
                            name=op.f("uq_briefing_confirmation_ward_id")),
    )
    with op.batch_alter_table("briefing_confirmation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_briefing_confirmation_user_id"), ["user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_briefing_confirmation_ward_id"), ["ward_id"], unique=False)
    with op.batch_alter_table("room", schema=None) as batch_op:
        for name in ("plan_x", "plan_y", "plan_w", "plan_h"):
            batch_op.add_column(sa.Column(name, sa.Float(), nullable=True))
    with op.batch_alter_table("finding", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pin_x", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("pin_y", sa.Float(), nullable=True))
    with op.batch_alter_table("trust", schema=None) as batch_op:
        batch_op.add_column(sa.Column("staff_photos", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table("trust", schema=None) as batch_op:
        batch_op.drop_column("staff_photos")
    with op.batch_alter_table("finding", schema=None) as batch_op:
        batch_op.drop_column("pin_y")
        batch_op.drop_column("pin_x")
    with op.batch_alter_table("room", schema=None) as batch_op:
        for name in ("plan_h", "plan_w", "plan_y", "plan_x"):
            batch_op.drop_column(name)
    with op.batch_alter_table("briefing_confirmation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_briefing_confirmation_ward_id"))
        batch_op.drop_index(batch_op.f("ix_briefing_confirmation_user_id"))
    op.drop_table("briefing_confirmation")
    op.drop_table("ward_staff")
    with op.batch_alter_table("ward_plan", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ward_plan_ward_id"))
    op.drop_table("ward_plan")
