"""Which events queue emails (``inspect_app.events``); ``flask --app wsgi notify`` sends them."""
from __future__ import annotations

from inspect_app import events
from inspect_app.notifications import services


@events.action_created.connect
def new_action(action, *, now, **_) -> None:
    services.queue_new_action(action, now=now)


@events.action_band_raised.connect
def band_raised(action, *, old_band, now, cause=None, **_) -> None:
    services.queue_band_raised(action, old_band=old_band, now=now, cause=cause)


@events.incident_recorded.connect
def incident_recorded(incident, *, now, **_) -> None:
    services.queue_incident(incident, now=now)


@events.trust_check_launched.connect
def trust_check_launched(check, *, now, **_) -> None:
    services.queue_trust_check(check, now=now)


@events.acceptance_proposed.connect
def acceptance_proposed(action, *, now, **_) -> None:
    services.queue_acceptance_proposed(action, now=now)
