"""Every model, imported in one place so Alembic and the schema test see the whole metadata."""
from inspect_app.audit.models import AuditEvent
from inspect_app.auth.models import LoginThrottle, User
from inspect_app.checklists.models import AreaType, ChecklistItem, ChecklistTemplate
from inspect_app.estates.models import Room, Site, Trust, Ward, ward_managers

__all__ = ["AreaType", "AuditEvent", "ChecklistItem", "ChecklistTemplate", "LoginThrottle", "Room", "Site",
           "Trust", "User", "Ward", "ward_managers"]
