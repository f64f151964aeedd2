"""Alert response dashboard (patient safety lead) and the alert response evidence PDF."""
from __future__ import annotations

from flask import Blueprint, Response, abort, render_template
from flask_login import current_user

from inspect_app.alerts import queries
from inspect_app.alerts.evidence import collect
from inspect_app.alerts.pdf import render_evidence
from inspect_app.auth.services import trust_name
from inspect_app.clock import utcnow
from inspect_app.domain.alerts import ResponseStatus, WardAlertState
from inspect_app.domain.workflow import Role
from inspect_app.security.access import requires

bp = Blueprint("alert_dashboard", __name__, url_prefix="/alerts")


@bp.get("/dashboard")
@requires(Role.SAFETY_LEAD, Role.ADMIN)
def dashboard():
    today = utcnow().date()
    alerts = queries.alerts_by_deadline()
    panels = []
    for alert in alerts:
        rows = queries.ward_rows(alert, today=today)
        counts = {state: sum(r.state == state for r in rows) for state in WardAlertState}
        panels.append((alert, alert.deadlines(today), rows, counts))
    checks = queries.fixture_counts(today=today)
    wards = queries.wards_by_site(set(checks), active_only=False)
    return render_template("alerts/dashboard.html", panels=panels, today=today, check_wards=wards,
                           check_counts=checks, NOT_APPLICABLE=ResponseStatus.NOT_APPLICABLE.value)


@bp.get("/<int:alert_id>/evidence.pdf")
@requires(Role.SAFETY_LEAD, Role.ADMIN)
def evidence(alert_id: int):
    alert = queries.get_alert(alert_id) or abort(404)
    trust = trust_name() or "Trust"
    area_names = queries.area_type_names()
    report = collect(alert, trust=trust, by=current_user, now=utcnow(), area_names=area_names)
    pdf = render_evidence(report)
    safe = "".join(c if c.isalnum() else "-" for c in alert.label)[:60].strip("-")
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="alert-response-evidence-{safe}.pdf"',
        "Cache-Control": "no-store"})
