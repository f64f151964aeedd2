"""``flask --app wsgi bands show|set PATH|reset``: the trust's risk band policy; ``grading ...`` the same
for its clinical grading rules (domain.grading: floors, review intervals, two-person acceptance).

The policy is the score range, colours, remediation target and interim-control deadline of each
band (domain.bands). ``show`` prints it as JSON (the default NPSA policy until a trust sets its
own), ready to edit and ``set`` back; ``set`` refuses a policy with gaps, overlaps, unreadable
colours or impossible deadlines, naming the first problem. Grades already recorded keep the band
they were given; new grades and re-grades use the policy in force.
"""
from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from inspect_app.audit.services import record
from inspect_app.clock import utcnow
from inspect_app.domain.grading import DEFAULT_GRADING, GradingPolicy
from inspect_app.domain.risk import DEFAULT_POLICY, BandPolicy, PolicyError
from inspect_app.estates.models import Trust
from inspect_app.extensions import db

bands_cli = AppGroup("bands", help="The trust's risk band policy: score ranges, colours and deadlines.")
trust_option = click.option("--trust", "trust_code", help="The trust's code (needed when there are several).")


def _trust(code: str | None) -> Trust:
    query = select(Trust).order_by(Trust.id)
    trusts = db.session.scalars(query.where(Trust.code == code) if code else query).all()
    if not trusts:
        raise click.ClickException(f"No trust with code {code!r}." if code else
                                   "There is no trust yet: create the estate (or seed the demo) first.")
    if len(trusts) > 1:
        raise click.ClickException("There are several trusts: name one with --trust CODE ("
                                   + ", ".join(t.code for t in trusts) + ").")
    return trusts[0]


def _summary(policy: BandPolicy) -> str:
    return "; ".join(f"{rule.band.label} {rule.min_score}-{rule.max_score}, {rule.target_days} days"
                     for rule in policy.rules)


@bands_cli.command("show")
@trust_option
def show_command(trust_code: str | None) -> None:
    """Print the band policy in force as JSON (edit it and pass it to ``set``)."""
    trust = _trust(trust_code)
    policy = BandPolicy.from_dict(trust.band_policy) if trust.band_policy else DEFAULT_POLICY
    click.echo(f"{trust.name}: {'its own' if trust.band_policy else 'the default NPSA'} band policy", err=True)
    click.echo(json.dumps(policy.to_dict(), indent=1))


@bands_cli.command("set")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@trust_option
def set_command(path: Path, trust_code: str | None) -> None:
    """Check a band policy JSON file and make it the trust's policy."""
    trust = _trust(trust_code)
    try:
        policy = BandPolicy.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise click.ClickException(f"{path} is not a JSON file: {exc}") from None
    except PolicyError as exc:
        raise click.ClickException(f"Not a usable band policy: {exc}") from None
    old = trust.band_policy
    trust.band_policy = policy.to_dict()
    record("trust.band_policy", trust, by=None, now=utcnow(), old={"band_policy": old},
           new={"band_policy": trust.band_policy})
    db.session.commit()
    click.echo(f"{trust.name} now grades with: {_summary(policy)}. "
               "Grades already recorded keep their band; new grades and re-grades use this policy.")


@bands_cli.command("reset")
@trust_option
def reset_command(trust_code: str | None) -> None:
    """Go back to the default NPSA band policy."""
    trust = _trust(trust_code)
    if trust.band_policy is None:
        click.echo(f"{trust.name} already uses the default NPSA band policy.")
        return
    old, trust.band_policy = trust.band_policy, None
    record("trust.band_policy", trust, by=None, now=utcnow(), old={"band_policy": old}, new={"band_policy": None})
    db.session.commit()
    click.echo(f"{trust.name} now grades with the default NPSA policy: {_summary(DEFAULT_POLICY)}.")



grading_cli = AppGroup("grading", help="The trust's clinical grading rules: floors, review intervals, approval.")


@grading_cli.command("show")
@trust_option
def grading_show_command(trust_code: str | None) -> None:
    """Print the grading policy in force as JSON (edit it and pass it to ``set``)."""
    trust = _trust(trust_code)
    policy = GradingPolicy.from_dict(trust.grading_policy) if trust.grading_policy else DEFAULT_GRADING
    click.echo(f"{trust.name}: {'its own' if trust.grading_policy else 'the default'} grading policy", err=True)
    click.echo(json.dumps(policy.to_dict(), indent=1))


@grading_cli.command("set")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@trust_option
def grading_set_command(path: Path, trust_code: str | None) -> None:
    """Check a grading policy JSON file and make it the trust's policy (keys left out keep their default)."""
    trust = _trust(trust_code)
    try:
        policy = GradingPolicy.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise click.ClickException(f"{path} is not a JSON file: {exc}") from None
    except (PolicyError, TypeError) as exc:
        raise click.ClickException(f"Not a usable grading policy: {exc}") from None
    old = trust.grading_policy
    trust.grading_policy = policy.to_dict()
    record("trust.grading_policy", trust, by=None, now=utcnow(), old={"grading_policy": old},
           new={"grading_policy": trust.grading_policy})
    db.session.commit()
    click.echo(f"{trust.name} now grades with its own grading policy. Grades already recorded keep their "
               "band; new grades and re-grades use this policy.")


@grading_cli.command("reset")
@trust_option
def grading_reset_command(trust_code: str | None) -> None:
    """Go back to the default grading policy."""
    trust = _trust(trust_code)
    if trust.grading_policy is None:
        click.echo(f"{trust.name} already uses the default grading policy.")
        return
    old, trust.grading_policy = trust.grading_policy, None
    record("trust.grading_policy", trust, by=None, now=utcnow(), old={"grading_policy": old},
           new={"grading_policy": None})
    db.session.commit()
    click.echo(f"{trust.name} now grades with the default grading policy.")


COMMANDS = [bands_cli, grading_cli]
