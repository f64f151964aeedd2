"""grading: load-bearing answer and reasons on points and grades, room observation, trust grading
policy, typed interim controls, two-person risk acceptance, a product check's ligature point

Existing grades keep their recorded band (nothing is re-graded); existing free-text interim
controls become type "other".

Revision ID: 0010_grading
Revises: 0009_assurance
"""
import sqlalchemy as sa
from alembic import op

revision = "0010_grading"
down_revision = "0009_assurance"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("finding", schema=None) as batch_op:
        batch_op.add_column(sa.Column("load_bearing", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("load_bearing_reason", sa.Text(), nullable=True))
    with op.batch_alter_table("finding_grade", schema=None) as batch_op:
        batch_op.add_column(sa.Column("load_bearing", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("patient_group", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("observation", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("consequence_reason", sa.Text(), nullable=True))
    with op.batch_alter_table("room", schema=None) as batch_op:
        batch_op.add_column(sa.Column("observation", sa.String(length=20), nullable=True))
    with op.batch_alter_table("trust", schema=None) as batch_op:
        batch_op.add_column(sa.Column("grading_policy", sa.JSON(), nullable=True))
    with op.batch_alter_table("room_fixture", schema=None) as batch_op:
        batch_op.add_column(sa.Column("finding_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_room_fixture_finding_id_finding"), "finding",
                                    ["finding_id"], ["id"])
    with op.batch_alter_table("action", schema=None) as batch_op:
        batch_op.add_column(sa.Column("interim_control_type", sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column("interim_observation_level", sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column("proposed_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("proposed_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("proposed_rationale", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("proposed_review_date", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("proposed_residual_likelihood", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("proposed_residual_consequence", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("approved_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("approved_at", sa.DateTime(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_action_proposed_by_id_user"), "user", ["proposed_by_id"], ["id"])
        batch_op.create_foreign_key(batch_op.f("fk_action_approved_by_id_user"), "user", ["approved_by_id"], ["id"])
    op.execute("UPDATE action SET interim_control_type = 'other' WHERE interim_control IS NOT NULL")


def downgrade():
    with op.batch_alter_table("action", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_action_approved_by_id_user"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_action_proposed_by_id_user"), type_="foreignkey")
        for name in ("approved_at", "approved_by_id", "proposed_residual_consequence",
                     "proposed_residual_likelihood", "proposed_review_date", "proposed_rationale",
                     "proposed_at", "proposed_by_id", "interim_observation_level", "interim_control_type"):
            batch_op.drop_column(name)
    with op.batch_alter_table("room_fixture", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_room_fixture_finding_id_finding"), type_="foreignkey")
        batch_op.drop_column("finding_id")
    with op.batch_alter_table("trust", schema=None) as batch_op:
        batch_op.drop_column("grading_policy")
    with op.batch_alter_table("room", schema=None) as batch_op:
        batch_op.drop_column("observation")
    with op.batch_alter_table("finding_grade", schema=None) as batch_op:
        for name in ("consequence_reason", "observation", "patient_group", "load_bearing"):
            batch_op.drop_column(name)
    with op.batch_alter_table("finding", schema=None) as batch_op:
        batch_op.drop_column("load_bearing_reason")
        batch_op.drop_column("load_bearing")
