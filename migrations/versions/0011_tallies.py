"""tallies: maintained counts of actions for the dashboard, built from the existing actions:
finished (closed or cancelled) per ward, month of finishing, status, band and grade cell
(closed_tally); not finished per ward, status, band and grade cell (live_tally); open per the same
and target date (due_tally). Finished actions without a closing date get their last update's.
Partial indexes for the attention counts (each reads only the actions it counts) and for a
manager's action list (their wards' open actions in list order).

Revision ID: 0011_tallies
Revises: 0010_grading
"""
import sqlalchemy as sa
from alembic import op

revision = "0011_tallies"
down_revision = "0010_grading"
branch_labels = None
depends_on = None

FINISHED = "('cancelled', 'closed')"
OPEN = "('capital_scheme', 'escalated', 'interim_control', 'open', 'remediated', 'verified', 'work_ordered')"
CELL = "band, COALESCE(likelihood, 0), COALESCE(consequence, 0)"
OPEN_SQL = f"status IN {OPEN}"
# the attention counts' partial indexes (inspect_app.actions.models.ATTENTION_INDEXES, written out)
ATTENTION_INDEXES = (
    ("ix_action_interim_missing", ("interim_by", "ward_id"), f"{OPEN_SQL} AND interim_in_place_at IS NULL"),
    ("ix_action_interim_review", ("interim_review_date", "ward_id"), f"{OPEN_SQL} AND interim_in_place_at IS NOT NULL"),
    ("ix_action_open_created", ("created_at", "ward_id"), OPEN_SQL),
    ("ix_action_accepted_review", ("accepted_review_date", "ward_id"), "status = 'risk_accepted'"),
    ("ix_action_proposed", ("status", "ward_id"), "proposed_by_id IS NOT NULL"),
    # not an attention count: a ward manager's list page in list order (the wards' open actions alone)
    ("ix_action_open_ward_order", ("ward_id", "severity", "target_date", "id"), OPEN_SQL),
)


def _key_columns():
    return [sa.Column("ward_id", sa.Integer(), nullable=False),
            sa.Column("status", sa.String(length=20), nullable=False),
            sa.Column("band", sa.String(length=20), nullable=False),
            sa.Column("likelihood", sa.Integer(), autoincrement=False, nullable=False),
            sa.Column("consequence", sa.Integer(), autoincrement=False, nullable=False)]


def _create(name: str, extra: list, key: list[str], index: str | None) -> None:
    op.create_table(
        name, *_key_columns(), *extra, sa.Column("n", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["ward_id"], ["ward.id"], name=op.f(f"fk_{name}_ward_id_ward")),
        sa.PrimaryKeyConstraint(*key, name=op.f(f"pk_{name}")),
    )
    if index:
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.create_index(batch_op.f(f"ix_{name}_{index}"), [index], unique=False)


def upgrade():
    cell_key = ["status", "band", "likelihood", "consequence"]
    _create("closed_tally", [sa.Column("month", sa.Date(), nullable=False)], ["ward_id", "month", *cell_key], "month")
    _create("live_tally", [], ["ward_id", *cell_key], None)
    _create("due_tally", [sa.Column("target_date", sa.Date(), nullable=False)],
            ["ward_id", *cell_key, "target_date"], "target_date")
    with op.batch_alter_table("action", schema=None) as batch_op:
        for name, columns, where in ATTENTION_INDEXES:
            batch_op.create_index(name, list(columns), unique=False, postgresql_where=sa.text(where),
                                  sqlite_where=sa.text(where))
    # Carry existing actions forward: the same recount as inspect_app.actions.tallies.rebuild_sql
    # (written out here so the migration does not change if the module does).
    op.execute(f"UPDATE action SET closed_at = updated_at WHERE status IN {FINISHED} AND closed_at IS NULL")
    month = ("CAST(date_trunc('month', closed_at) AS date)" if op.get_bind().dialect.name == "postgresql"
             else "date(closed_at, 'start of month')")
    op.execute("INSERT INTO closed_tally (ward_id, month, status, band, likelihood, consequence, n) "
               f"SELECT ward_id, {month}, status, {CELL}, COUNT(*) FROM action WHERE status IN {FINISHED} "
               f"GROUP BY ward_id, {month}, status, {CELL}")
    op.execute("INSERT INTO live_tally (ward_id, status, band, likelihood, consequence, n) "
               f"SELECT ward_id, status, {CELL}, COUNT(*) FROM action WHERE status NOT IN {FINISHED} "
               f"GROUP BY ward_id, status, {CELL}")
    op.execute("INSERT INTO due_tally (ward_id, status, band, likelihood, consequence, target_date, n) "
               f"SELECT ward_id, status, {CELL}, target_date, COUNT(*) FROM action WHERE status IN {OPEN} "
               f"GROUP BY ward_id, status, {CELL}, target_date")


def downgrade():
    with op.batch_alter_table("action", schema=None) as batch_op:
        for name, _columns, where in ATTENTION_INDEXES:
            batch_op.drop_index(name, postgresql_where=sa.text(where), sqlite_where=sa.text(where))
    for name, index in (("due_tally", "target_date"), ("live_tally", None), ("closed_tally", "month")):
        if index:
            with op.batch_alter_table(name, schema=None) as batch_op:
                batch_op.drop_index(batch_op.f(f"ix_{name}_{index}"))
        op.drop_table(name)
