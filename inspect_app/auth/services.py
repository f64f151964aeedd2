"""Account use cases: sign-in with throttling, account creation and password changes."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import SimpleNamespace

from sqlalchemy import func, select

from inspect_app.audit.services import record
from inspect_app.auth import sessions
from inspect_app.auth.models import LoginThrottle, User
from inspect_app.auth.password_policy import policy_problems
from inspect_app.auth.passwords import DUMMY_HASH, hash_password, needs_rehash, verify_password
from inspect_app.domain.workflow import Role
from inspect_app.estates.models import Trust, Ward
from inspect_app.extensions import db

BAD_CREDENTIALS = "Email or password is incorrect."


class AccountError(ValueError):
    """A refused account operation, with a message for the user."""


@dataclass(frozen=True)
class SignInResult:
    user: User | None
    message: str | None


def trust_name() -> str:
    """The trust's name (the first trust: one trust per installation), for the password policy."""
    return db.session.scalar(select(Trust.name).order_by(Trust.id).limit(1)) or ""


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


#: Who a failed sign-in is recorded as having come from: nobody is signed in yet.
NOT_SIGNED_IN = SimpleNamespace(id=None, name="(not signed in)", role=None)


def _locked_message(minutes: int) -> str:
    return (f"Too many failed sign-in attempts from this device. Try again in {minutes} minutes, "
            "sign in from a device you have used before, or ask an administrator to reset your password.")


def authenticate(email: str, password: str, *, now: datetime, max_failures: int, lock_minutes: int,
                 source: str = "") -> SignInResult:
    """Check credentials, counting failures per email *and source*, whether or not the account exists.

    :param source: where the attempt comes from: ``"device:<token>"`` for a browser this email has
        signed in on before (a signed cookie), otherwise ``"address:<ip>"``. Five wrong passwords
        lock that pair only, so a stranger who knows a colleague's email locks out the stranger's
        own device, never the colleague's (docs/decisions.md).

    The message is the same for an unknown email and a wrong password, and a lock-out applies
    to both, so neither the wording nor the lock reveals which emails have accounts. Sign-ins,
    failures and lock-outs are audited (never the password).
    """
    email = normalise_email(email)[:254]
    key = f"{email}|{source}"[:320]
    seen_from = "a device used before" if source.startswith("device:") else source.removeprefix("address:")
    user = find_user(email)
    throttle = db.session.get(LoginThrottle, key) or LoginThrottle(email=key, failures=0)
    if throttle.locked_until and throttle.locked_until > now:
        minutes = max(1, int((throttle.locked_until - now).total_seconds() // 60) + 1)
        record("user.sign_in_failed", user, by=NOT_SIGNED_IN, now=now, entity_type="user",
               new={"email": email, "from": seen_from, "reason": "locked out"})
        return SignInResult(None, _locked_message(minutes))
    ok = verify_password(user.password_hash if user else DUMMY_HASH, password or "")
    if ok and user is not None and user.active:
        if throttle.failures:
            throttle.failures = 0
            throttle.locked_until = None
            db.session.add(throttle)
        if needs_rehash(user.password_hash):  # older, costlier parameters: upgrade while we have the password
            user.password_hash = hash_password(password)
        user.last_login_at = now
        record("user.sign_in", user, by=user, now=now, new={"from": seen_from})
        return SignInResult(user, None)
    # A long quiet spell forgives old failures.
    if throttle.last_failure_at and now - throttle.last_failure_at > timedelta(minutes=lock_minutes):
        throttle.failures = 0
    throttle.failures = (throttle.failures or 0) + 1
    throttle.last_failure_at = now
    db.session.add(throttle)
    reason = "inactive account" if ok and user is not None else "wrong email or password"
    record("user.sign_in_failed", user, by=NOT_SIGNED_IN, now=now, entity_type="user",
           new={"email": email, "from": seen_from, "reason": reason, "failures": throttle.failures})
    if throttle.failures >= max_failures:
        throttle.locked_until = now + timedelta(minutes=lock_minutes)
        throttle.failures = 0
        record("user.lock_out", user, by=NOT_SIGNED_IN, now=now, entity_type="user",
               new={"email": email, "from": seen_from, "until": throttle.locked_until})
        return SignInResult(None, _locked_message(lock_minutes))
    return SignInResult(None, BAD_CREDENTIALS)


def create_user(*, email: str, name: str, role: str, password: str, by: User | None, now: datetime,
                ward_ids: list[int] | None = None, must_change_password: bool = False) -> User:
    """Create an account after checking the email, role and password policy."""
    email = normalise_email(email)
    if "@" not in email or len(email) > 254:
        raise AccountError("Enter a valid email address.")
    if find_user(email) is not None:
        raise AccountError("An account with that email already exists.")
    try:
        Role(role)
    except ValueError:
        raise AccountError("Choose a valid role.") from None
    name = (name or "").strip()
    if not name:
        raise AccountError("Enter the person's name.")
    problems = policy_problems(password, email=email, name=name, trust_name=trust_name())
    if problems:
        raise AccountError(" ".join(problems))
    user = User(email=email, name=name, role=role, password_hash=hash_password(password),
                active=True, must_change_password=must_change_password, created_at=now)
    if ward_ids:
        _set_wards(user, list(db.session.scalars(select(Ward).where(Ward.id.in_(ward_ids)))))
    db.session.add(user)
    record("user.create", user, by=by, now=now,
           new={"email": email, "name": name, "role": role, "wards": sorted(ward_ids or [])})
    return user


def change_password(user: User, *, current: str, new: str, by: User, now: datetime) -> None:
    if not verify_password(user.password_hash, current or ""):
        raise AccountError("Your current password is incorrect.")
    set_password(user, new, by=by, now=now, forced=False)


def set_password(user: User, new: str, *, by: User | None, now: datetime, forced: bool) -> None:
    """Set a password; ``forced`` means an admin reset it and the user must choose their own."""
    problems = policy_problems(new, email=user.email, name=user.name, trust_name=trust_name())
    if problems:
        raise AccountError(" ".join(problems))
    user.password_hash = hash_password(new)
    user.must_change_password = forced
    sessions.end_all(user, now=now)  # every device signs in again with the new password
    record("user.password_reset" if forced else "user.password_change", user, by=by, now=now)


def update_user(user: User, *, name: str, role: str, active: bool, ward_ids: list[int], by: User,
                now: datetime) -> None:
    try:
        Role(role)
    except ValueError:
        raise AccountError("Choose a valid role.") from None
    if user.id == by.id and (not active or role != user.role):
        raise AccountError("You cannot deactivate your own account or change your own role.")
    old = {"name": user.name, "role": user.role, "active": user.active, "wards": sorted(w.id for w in wards_of(user))}
    user.name = (name or "").strip() or user.name
    user.role = role
    if user.active and not active:
        sessions.end_all(user, now=now)  # sign them out everywhere
    user.active = active
    _set_wards(user, list(db.session.scalars(select(Ward).where(Ward.id.in_(ward_ids or [0])))))
    new = {"name": user.name, "role": user.role, "active": user.active, "wards": sorted(ward_ids or [])}
    if old != new:
        record("user.update", user, by=by, now=now, old={k: old[k] for k in new if old[k] != new[k]},
               new={k: new[k] for k in new if old[k] != new[k]})


def wards_of(user: User) -> list:
    """The wards a person is assigned to: managed (ward managers) or worked on (ward staff)."""
    return user.staff_wards if user.role == Role.WARD_STAFF.value else user.managed_wards


def _set_wards(user: User, wards: list) -> None:
    # A ward staff account is never a ward's manager (managers are notified and act on the ward).
    if user.role == Role.WARD_STAFF.value:
        user.staff_wards, user.managed_wards = wards, []
    else:
        user.managed_wards, user.staff_wards = wards, []


REAUTH_REFUSED = ("Your password is not correct. Enter the password you sign in with to sign"
                  " (or confirm with your trust account, where single sign-on is used).")


#: How recent a re-authentication at the trust's identity provider must be to sign (docs/decisions.md).
SSO_REAUTH_SECONDS = 300


def reauthenticate(user: User, *, password: str | None, now: datetime,
                   sso_authenticated_at: datetime | None = None) -> str:
    """Confirm that the signed-in account's owner is at the device before a signature is recorded.

    The one place a signature's re-authentication is checked: by re-entering the password, or by a
    fresh authentication at the trust's identity provider (``prompt=login``) within
    ``SSO_REAUTH_SECONDS``. Returns the method used (stored with the signature).

    :param sso_authenticated_at: when this session last authenticated afresh at the provider (naive UTC).
    :raises AccountError: the password is wrong, the provider sign-in is not recent, or the account is not active.
    """
    if user is None or not user.active:
        raise AccountError(REAUTH_REFUSED)
    if isinstance(password, str) and password:
        if not verify_password(user.password_hash, password):
            raise AccountError(REAUTH_REFUSED)
        return "password"
    if sso_authenticated_at is not None and timedelta(0) <= now - sso_authenticated_at <= timedelta(
            seconds=SSO_REAUTH_SECONDS):
        return "oidc"
    raise AccountError(REAUTH_REFUSED)


def provision_sso_account(email: str, claims: dict, *, now: datetime) -> User:
    """The account of a person the trust's sign-on vouches for but who has none here: switched off, with
    no usable password (a random one nobody knows); an admin decides the rest (role, wards, switching on)."""
    user = User(email=email, name=str(claims.get("name") or email)[:120], role=Role.INSPECTOR.value,
                password_hash=hash_password(secrets.token_urlsafe(32)), active=False, created_at=now)
    db.session.add(user)
    db.session.flush()
    record("user.create", user, by=None, now=now, new={"email": email, "provisioned": "oidc", "active": False})
    return user
