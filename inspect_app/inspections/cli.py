"""``flask --app wsgi second-look show|set``: the trust's "needs a second look" thresholds.

Which tiers are flagged when every item is answered not applicable, which when a room has no
photo, and how many answers given within how many seconds count as answered without looking
(domain.assurance.SecondLookPolicy; defaults and why in docs/decisions.md). Flags never refuse a
sign-off; each signatory acknowledges them.
"""
from __future__ import annotations

import json

import click
from flask.cli import AppGroup

from inspect_app import transaction
from inspect_app.audit.services import record
from inspect_app.clock import utcnow
from inspect_app.domain.assurance import DEFAULT_SECOND_LOOK, SecondLookPolicy
from inspect_app.estates.cli import _trust, trust_option

second_look_cli = AppGroup("second-look", help="The trust's 'needs a second look' thresholds.")


def _tiers(value: str | None):
    return None if value is None else [t.strip().upper() for t in value.split(",") if t.strip()]


@second_look_cli.command("show")
@trust_option
@transaction.command()
def show_command(trust_code: str | None) -> None:
    """Print the thresholds in force as JSON."""
    trust = _trust(trust_code)
    policy = SecondLookPolicy.from_dict(trust.assurance_policy)
    click.echo(f"{trust.name}: {'its own' if trust.assurance_policy else 'the default'} thresholds", err=True)
    click.echo(json.dumps(policy.to_dict(), indent=1))


@second_look_cli.command("set")
@trust_option
@click.option("--all-na-tiers", help="Tiers flagged when every item is N/A, comma separated (e.g. T2,T3).")
@click.option("--photo-tiers", help="Tiers flagged when the room has no photo, comma separated (e.g. T3).")
@click.option("--rapid-min-answers", type=int, help="Answers a room needs before rapid answering is judged.")
@click.option("--rapid-seconds", type=int, help="All of them within this many seconds is flagged.")
@click.option("--reset", is_flag=True, help="Go back to the defaults.")
@transaction.command()
def set_command(trust_code: str | None, all_na_tiers: str | None, photo_tiers: str | None,
                rapid_min_answers: int | None, rapid_seconds: int | None, reset: bool) -> str:
    """Change the thresholds (options not given keep their value)."""
    trust = _trust(trust_code)
    current = {} if reset else SecondLookPolicy.from_dict(trust.assurance_policy).to_dict()
    changes = {"all_na_tiers": _tiers(all_na_tiers), "photo_tiers": _tiers(photo_tiers),
               "rapid_min_answers": rapid_min_answers, "rapid_seconds": rapid_seconds}
    try:
        policy = SecondLookPolicy.from_dict({**current, **{k: v for k, v in changes.items() if v is not None}})
    except (TypeError, ValueError) as exc:
        raise click.ClickException(f"Not usable thresholds: {exc}") from None
    old = trust.assurance_policy
    trust.assurance_policy = None if policy == DEFAULT_SECOND_LOOK else policy.to_dict()
    record("trust.assurance_policy", trust, by=None, now=utcnow(), old={"assurance_policy": old},
           new={"assurance_policy": trust.assurance_policy})
    return f"{trust.name} now flags: {json.dumps(policy.to_dict())}"


COMMANDS = [second_look_cli]
