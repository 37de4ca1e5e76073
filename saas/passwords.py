"""Password checks that take as long whether or not the account exists.

Checking a password costs one scrypt run (~80 ms); looking up an unknown address costs a few
milliseconds. If a wrong login stopped at "no such user", its speed would tell an attacker
which addresses have accounts. So every login runs exactly one hash check: against the
account's hash, or, when there is no usable account, against a dummy hash made with the same
method and parameters as real ones, and then fails.
"""

from __future__ import annotations

import secrets
from functools import cache

from werkzeug.security import check_password_hash, generate_password_hash


@cache
def dummy_hash() -> str:
    """A hash of a random password nobody knows, made once per process with werkzeug's
    defaults (the same defaults ``generate_password_hash`` gives real accounts)."""
    return generate_password_hash(secrets.token_urlsafe(32))


def verify(stored_hash: str | None, password: str) -> bool:
    """True if ``password`` matches ``stored_hash``. Pass None for an unknown, disabled or
    password-less account: the dummy hash is checked instead, so the answer (False) takes
    the same time as a wrong password for a real account."""
    if not stored_hash:
        check_password_hash(dummy_hash(), password)
        return False
    return check_password_hash(stored_hash, password)
