"""The password policy: long enough, not a common password, not easy to guess, and not built
from the person's email name or the trust's name (docs/decisions.md).

The common-password list is the 30,000 most common passwords that ``zxcvbn`` ships (from
leaked-password corpora), checked after undoing the usual disguises: case, "l33t" substitutions
and digits or symbols added at either end, so ``P@ssw0rd1234`` is ``password``. ``zxcvbn``'s
guess estimate then refuses what is still easy to guess (``correcthorse``: two dictionary words).
"""
from __future__ import annotations

import functools
import re

from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

MIN_LENGTH = 12
#: zxcvbn's "safely unguessable" threshold: about 10^8 guesses (its score 3).
MIN_GUESSES_LOG10 = 8
#: zxcvbn's matching grows quickly with length; past this a password is long enough on its own.
ESTIMATE_CHARS = 64
LEET = str.maketrans({"@": "a", "4": "a", "8": "b", "(": "c", "3": "e", "6": "g", "1": "i", "!": "i", "|": "i",
                      "0": "o", "$": "s", "5": "s", "7": "t", "+": "t", "2": "z"})
#: Words in most trust names that identify no trust (what is left is the trust's own name).
GENERIC = frozenset(["nhs", "foundation", "trust", "health", "healthcare", "care", "mental", "and", "the", "of", "for",
                    "partnership", "partnerships", "university", "hospital", "hospitals", "services",
                    "service", "community", "teaching", "integrated", "demo"])
#: Product and setting words an attacker would try first.
EXTRA = ("wardsafety", "ligature", "inspection", "inspector", "hospital", "nhspassword")


@functools.cache
def common_passwords() -> frozenset[str]:
    """The shipped list of common passwords (lower-case), at least 10,000 of them."""
    return frozenset(FREQUENCY_LISTS["passwords"]) | frozenset(EXTRA)


def _variants(password: str) -> set[str]:
    lowered = password.lower()
    plain = lowered.translate(LEET)
    found = set()
    for text in (lowered, plain):
        found.add(text)
        core = re.sub(r"^[\W\d_]+|[\W\d_]+$", "", text)  # digits and symbols tacked on at the ends
        found.add(core)
        found.add(re.sub(r"[\W_]+", "", core))  # "qwerty-uiop" is still "qwertyuiop"
    return {v for v in found if len(v) >= 4}


def _alnum(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def trust_words(trust_name: str) -> set[str]:
    """The words of a trust's name that identify it (``"Northmoor and Vale ..."`` -> northmoor, vale)."""
    return {w for w in re.findall(r"[a-z0-9]+", (trust_name or "").lower()) if len(w) >= 4 and w not in GENERIC}


def policy_problems(password: str, *, email: str = "", name: str = "", trust_name: str = "") -> list[str]:
    """Human reasons the password is refused; empty when it is acceptable.

    :param email: the account's email; its name part must not be in the password.
    :param name: the person's name (its parts count as guessable words).
    :param trust_name: the trust's name; its own words must not be in the password.
    """
    password = password or ""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"Use at least {MIN_LENGTH} characters.")
    variants = _variants(password)
    if variants & common_passwords():
        problems.append("That password is too common: it is on a list of passwords attackers try first. "
                        "Choose another.")
    squeezed = _alnum(password.translate(LEET)) + " " + _alnum(password)
    local = _alnum(email.split("@", 1)[0])
    if len(local) >= 3 and local in squeezed:
        problems.append("The password must not contain your email name.")
    if (_alnum(trust_name) and _alnum(trust_name) in squeezed) or any(w in squeezed for w in trust_words(trust_name)):
        problems.append("The password must not contain the trust's name.")
    if len(set(password)) < 4:
        problems.append("Use more varied characters.")
    if not problems:
        words = [w for w in re.findall(r"\w+", f"{name} {email.split('@', 1)[0]} {trust_name}") if len(w) >= 3]
        estimate = zxcvbn(password[:ESTIMATE_CHARS], user_inputs=words)
        if estimate["guesses_log10"] < MIN_GUESSES_LOG10:
            problems.append("That password is too easy to guess. A short sentence of four or more "
                            "unrelated words works well.")
    return problems
