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
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
from flask.cli import AppGroup
from sqlalchemy import select

from inspect_app import transaction
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


@dataclass(frozen=True)
class _Kind:
    """One of the trust's policies: the column it is kept in, how it is read, its default."""
    column: str
    read: Callable[[dict], Any]
    default: Any
    errors: tuple[type[Exception], ...]
    label: str  # "band policy"
    default_name: str  # "the default NPSA band policy"


BANDS = _Kind("band_policy", BandPolicy.from_dict, DEFAULT_POLICY, (PolicyError,), "band policy",
              "the default NPSA band policy")
GRADING = _Kind("grading_policy", GradingPolicy.from_dict, DEFAULT_GRADING, (PolicyError, TypeError),
                "grading policy", "the default grading policy")


def _show(kind: _Kind, trust_code: str | None) -> None:
    trust = _trust(trust_code)
    stored = getattr(trust, kind.column)
    policy = kind.read(stored) if stored else kind.default
    click.echo(f"{trust.name}: {f'its own {kind.label}' if stored else kind.default_name}", err=True)
    click.echo(json.dumps(policy.to_dict(), indent=1))


def _store(kind: _Kind, trust: Trust, value: dict | None) -> None:
    old = getattr(trust, kind.column)
    setattr(trust, kind.column, value)
    record(f"trust.{kind.column}", trust, by=None, now=utcnow(), old={kind.column: old}, new={kind.column: value})


def _set(kind: _Kind, path: Path, trust_code: str | None) -> tuple[Trust, Any]:
    """Check the policy file and make it the trust's policy; returns the trust and the policy."""
    trust = _trust(trust_code)
    try:
        policy = kind.read(json.loads(path.read_text(encoding="utf-8")))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise click.ClickException(f"{path} is not a JSON file: {exc}") from None
    except kind.errors as exc:
        raise click.ClickException(f"Not a usable {kind.label}: {exc}") from None
    _store(kind, trust, policy.to_dict())
    return trust, policy


def _reset(kind: _Kind, trust_code: str | None) -> Trust | None:
    """Go back to the default; None when the trust already uses it."""
    trust = _trust(trust_code)
    if getattr(trust, kind.column) is None:
        click.echo(f"{trust.name} already uses {kind.default_name}.")
        return None
    _store(kind, trust, None)
    return trust


@bands_cli.command("show")
@trust_option
@transaction.command()
def show_command(trust_code: str | None) -> None:
    """Print the band policy in force as JSON (edit it and pass it to ``set``)."""
    _show(BANDS, trust_code)


@bands_cli.command("set")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@trust_option
@transaction.command()
def set_command(path: Path, trust_code: str | None) -> str:
    """Check a band policy JSON file and make it the trust's policy."""
    trust, policy = _set(BANDS, path, trust_code)
    return (f"{trust.name} now grades with: {_summary(policy)}. "
            "Grades already recorded keep their band; new grades and re-grades use this policy.")


@bands_cli.command("reset")
@trust_option
@transaction.command()
def reset_command(trust_code: str | None) -> str | None:
    """Go back to the default NPSA band policy."""
    trust = _reset(BANDS, trust_code)
    return f"{trust.name} now grades with the default NPSA policy: {_summary(DEFAULT_POLICY)}." if trust else None


grading_cli = AppGroup("grading", help="The trust's clinical grading rules: floors, review intervals, approval.")


@grading_cli.command("show")
@trust_option
@transaction.command()
def grading_show_command(trust_code: str | None) -> None:
    """Print the grading policy in force as JSON (edit it and pass it to ``set``)."""
    _show(GRADING, trust_code)


@grading_cli.command("set")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@trust_option
@transaction.command()
def grading_set_command(path: Path, trust_code: str | None) -> str:
    """Check a grading policy JSON file and make it the trust's policy (keys left out keep their default)."""
    trust, _ = _set(GRADING, path, trust_code)
    return (f"{trust.name} now grades with its own grading policy. Grades already recorded keep their "
            "band; new grades and re-grades use this policy.")


@grading_cli.command("reset")
@trust_option
@transaction.command()
def grading_reset_command(trust_code: str | None) -> str | None:
    """Go back to the default grading policy."""
    trust = _reset(GRADING, trust_code)
    return f"{trust.name} now grades with the default grading policy." if trust else None


COMMANDS = [bands_cli, grading_cli]
