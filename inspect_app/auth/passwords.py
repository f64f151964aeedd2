"""Password hashing (Argon2id) and the password policy."""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_hasher = PasswordHasher()  # argon2id with the library's RFC 9106 low-memory profile

MIN_LENGTH = 12
# A short deny-list of the commonest passwords that meet the length rule, plus product words.
COMMON = frozenset(
    """password1234 password12345 123456789012 1234567890123 qwertyuiop12 qwertyuiopas
    iloveyou1234 welcome12345 letmein12345 administrator changeme1234 password123! passw0rd1234
    abcdefghijkl 111111111111 000000000000 aaaaaaaaaaaa nhspassword1 nhspassword123 ward-demo-pass
    wardsafety123 ligature1234 hospital1234 summer2026!! winter2026!! football1234""".split()
)
# A hash used to spend the same time on unknown emails as on real ones.
DUMMY_HASH = _hasher.hash("not-a-real-password-for-timing")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def policy_problems(password: str, *, email: str = "", name: str = "") -> list[str]:
    """Human reasons the password is refused; empty when it is acceptable."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"Use at least {MIN_LENGTH} characters.")
    lowered = password.lower()
    if lowered in COMMON:
        problems.append("That password is too common. Choose another.")
    local = email.split("@", 1)[0].lower()
    if local and len(local) >= 4 and local in lowered:
        problems.append("The password must not contain your email name.")
    if len(set(password)) < 4:
        problems.append("Use more varied characters.")
    return problems
