"""``flask --app wsgi seed-demo``: the invented demo trust and its four accounts."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from inspect_app import transaction
from inspect_app.clock import utcnow
from inspect_app.demo import seed
from inspect_app.demo.examples import seed_examples
from inspect_app.demo.learning import seed_learning
from inspect_app.demo.plans import seed_plans


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Do nothing (and succeed) when the database already has users.")
@with_appcontext
@transaction.command(seed.SeedRefused)
def seed_demo_command(if_empty: bool) -> list[str]:
    """Create the demo trust (2 sites, 6 wards, 20+ rooms each) and the demo accounts."""
    if if_empty and seed.has_users():
        return ["The database already has users; demo seed skipped."]
    trust = seed.seed_demo(now=utcnow())
    # Worked examples of the assurance rules (not in the test fixture's demo trust).
    seed_examples(trust, now=utcnow(), password=seed.DEMO_PASSWORD)
    seed_learning(now=utcnow())  # invented incidents and a trust-wide check in progress
    seed_plans(trust, now=utcnow())  # floor plans with rooms and pins for Larch and Willow wards
    return ["Demo trust created. Demo logins (password: %s):" % seed.DEMO_PASSWORD,
            *(f"  {email:28} {role}" for email, _name, role in seed.DEMO_ACCOUNTS)]


COMMANDS = [seed_demo_command]
