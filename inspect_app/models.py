"""Every model, imported in one place so Alembic and the schema test see the whole metadata."""
from inspect_app.actions.models import Action, ActionEvent
from inspect_app.alerts.models import Alert, FixtureCheck, ItemAlertCitation
from inspect_app.api.models import SyncReceipt
from inspect_app.audit.models import AuditEvent
from inspect_app.auth.models import LoginThrottle, User
from inspect_app.briefings.models import BriefingConfirmation
from inspect_app.checklists.models import ChecklistItem, ChecklistTemplate
from inspect_app.estates.models import AreaType, Room, RoomFixture, Site, Trust, Ward, ward_managers, ward_staff
from inspect_app.findings.models import Finding, FindingGrade
from inspect_app.incidents.models import Incident
from inspect_app.inspections.models import Answer, CarryForward, Inspection, RoomVisit
from inspect_app.learning.models import TrustCheck, TrustCheckTask
from inspect_app.notifications.models import Notification
from inspect_app.photos.models import Photo
from inspect_app.plans.models import WardPlan

__all__ = ["Action", "ActionEvent", "Alert", "BriefingConfirmation", "WardPlan", "ward_staff",
           "FixtureCheck", "ItemAlertCitation", "RoomFixture",
           "Answer", "AreaType", "AuditEvent", "CarryForward", "ChecklistItem",
           "ChecklistTemplate", "Finding", "FindingGrade", "Incident", "Inspection", "LoginThrottle", "Notification",
           "Photo", "Room",
           "RoomVisit", "Site", "SyncReceipt", "Trust", "TrustCheck", "TrustCheckTask", "User", "Ward", "ward_managers"]
