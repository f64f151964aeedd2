"""audit trail append-only: on PostgreSQL a trigger refuses UPDATE and DELETE on audit_event

Revision ID: 0004_audit_guard
Revises: 0003_notifications

The ORM guard (inspect_app/audit/guard.py) covers every database; this trigger also stops
raw SQL on PostgreSQL. It is a row trigger, so TRUNCATE (the tests' clean-up between tests)
still works; an operator with TRUNCATE rights is outside what the application can police.
"""
from alembic import op

revision = "0004_audit_guard"
down_revision = "0003_notifications"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("""
        CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
        BEGIN
            RAISE EXCEPTION 'audit_event is append-only: % refused', TG_OP
                USING ERRCODE = 'insufficient_privilege';
        END;
        $$ LANGUAGE plpgsql
    """)
    op.execute("""
        CREATE TRIGGER audit_event_append_only
            BEFORE UPDATE OR DELETE ON audit_event
            FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()
    """)


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event")
    op.execute("DROP FUNCTION IF EXISTS audit_event_append_only()")
