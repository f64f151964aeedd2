"""Group or app-role claims -> role and wards, from the trust's mapping file (``OIDC_ROLE_MAP``).

The file is JSON::

    {"claims": ["groups", "roles"],
     "rules": [
       {"value": "WSI-Admins", "role": "admin"},
       {"value": "WSI-Safety", "role": "safety_lead"},
       {"value": "WSI-Larch-Managers", "role": "ward_manager", "wards": ["Larch"]},
       {"value": "WSI-Estates", "role": "inspector"}]}

``claims`` lists where to look (Entra ID puts security groups in ``groups`` and app roles in
``roles``). The first rule whose value the user carries decides the role; wards of every
matching rule with that role are added together. A user who matches no rule keeps the role and
wards an admin gave them. Without a file, claims change nothing.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from inspect_app.audit.services import record
from inspect_app.domain.workflow import Role
from inspect_app.estates.models import Ward
from inspect_app.extensions import db


@dataclass(frozen=True)
class Grant:
    role: str
    wards: tuple[str, ...]


def load(path: str | None) -> dict | None:
    """The mapping in ``path``; None when no file is configured. A bad file is an error, not a guess."""
    if not path:
        return None
    data = json.loads(Path(path).read_text())
    rules = data.get("rules")
    if not isinstance(rules, list):
        raise ValueError(f"{path}: 'rules' must be a list")
    for rule in rules:
        Role(rule["role"])  # ValueError on an unknown role
    return data


def grant(mapping: dict | None, claims: dict) -> Grant | None:
    """The role and ward names the claims map to, or None when no rule matches."""
    if not mapping:
        return None
    carried: set[str] = set()
    for name in mapping.get("claims", ["groups", "roles"]):
        value = claims.get(name)
        if isinstance(value, str):
            carried.add(value)
        elif isinstance(value, list):
            carried.update(str(v) for v in value)
    matches = [rule for rule in mapping["rules"] if rule["value"] in carried]
    if not matches:
        return None
    role = matches[0]["role"]
    wards = tuple(sorted({w for rule in matches if rule["role"] == role for w in rule.get("wards", [])}))
    return Grant(role, wards)


def apply(user, granted: Grant, *, now: datetime) -> None:
    """Give ``user`` the granted role and wards (audited when anything changes)."""
    wards = list(db.session.scalars(select(Ward).where(Ward.name.in_(granted.wards or ("",))).order_by(Ward.id)))
    old = {"role": user.role, "wards": sorted(w.id for w in user.managed_wards)}
    new = {"role": granted.role, "wards": sorted(w.id for w in wards)}
    if old == new:
        return
    user.role = granted.role
    user.managed_wards = wards
    user.session_version = (user.session_version or 1) + 1  # other sessions carry the old role
    record("user.update", user, by=user, now=now, old=old, new={**new, "source": "oidc claims"})
