"""``flask --app wsgi create-user``: make a real account from the command line."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from inspect_app import transaction
from inspect_app.auth import services
from inspect_app.clock import utcnow
from inspect_app.domain.workflow import Role


@click.command("create-user")
@click.option("--email", prompt=True)
@click.option("--name", prompt=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), prompt=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@with_appcontext
@transaction.command(services.AccountError)
def create_user_command(email: str, name: str, role: str, password: str) -> str:
    """Create a user account."""
    user = services.create_user(email=email, name=name, role=role, password=password, by=None, now=utcnow())
    return f"Created {user.role} account {user.email}."


COMMANDS = [create_user_command]
