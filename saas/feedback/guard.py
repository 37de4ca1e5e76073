"""What keeps the public feedback form from being flooded, without a captcha service.

- **Form token.** Every form carries a token signed with the app's secret (itsdangerous),
  binding the tenant, the link and the moment the form was drawn. A form sent sooner than
  ``min_fill`` seconds after it was drawn is refused politely (people take longer to write a
  sentence); one older than ``max_age`` is drawn again with a fresh token.
- **Single use.** A token is spent with a Redis ``SET NX`` on its digest: the same form sent
  twice (a replay, a double tap) is refused the second time.
- **Rate limits.** Fixed windows counted in Redis: attempts per client (every POST, before
  any database work, so a flood of garbage costs a Redis round trip), accepted submissions per
  client, submissions per subject (person or unit), and status look-ups per client.
- **Duplicates.** The text, normalised (NFKC, case-folded, white space dropped), is hashed;
  the same text to the same link within a day is refused (intake.py).

Pure of Flask: the views hand in the secret, Redis and the policy (``app.config``).
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import re
import secrets
import time
import unicodedata
from dataclasses import dataclass, field

from itsdangerous import BadData, URLSafeSerializer
from redis import Redis

_SALT = "kaohe.feedback.form"
TOKEN_LIMIT = 300  # characters: a token made here is about 120
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Limit:
    """At most ``count`` events per ``seconds`` (a fixed window)."""

    count: int
    seconds: int


@dataclass(frozen=True)
class Policy:
    """The numbers of the guards; ``app.config["KAOHE_FEEDBACK_POLICY"]`` (tests shorten
    them)."""

    min_fill: float = 3.0  # seconds between drawing the form and sending it
    max_age: float = 2 * 3600.0  # seconds a drawn form stays good
    attempts: Limit = field(default_factory=lambda: Limit(30, 600))  # POSTs per client
    client: Limit = field(default_factory=lambda: Limit(5, 600))  # submissions per client
    subject: Limit = field(default_factory=lambda: Limit(30, 3600))  # per person or unit
    status: Limit = field(default_factory=lambda: Limit(30, 600))  # status look-ups per client


class Verdict(enum.StrEnum):
    GOOD = "good"
    DAMAGED = "damaged"  # not ours, altered, or for another tenant or link
    TOO_FAST = "too_fast"
    EXPIRED = "expired"


class FormTokens:
    """Signs and reads the form tokens of one app (one secret)."""

    def __init__(self, secret: str) -> None:
        self._serializer = URLSafeSerializer(secret, salt=_SALT)

    def issue(self, slug: str, link_id: int, now: float | None = None) -> str:
        moment = time.time() if now is None else now
        return self._serializer.dumps([slug, link_id, int(moment * 1000), secrets.token_hex(8)])

    def judge(
        self, token: str, slug: str, link_id: int, policy: Policy, now: float | None = None
    ) -> Verdict:
        if not token or len(token) > TOKEN_LIMIT:
            return Verdict.DAMAGED
        try:
            payload = self._serializer.loads(token)
        except BadData:
            return Verdict.DAMAGED
        if not (
            isinstance(payload, list)
            and len(payload) == 4
            and payload[0] == slug
            and payload[1] == link_id
            and isinstance(payload[2], int)
        ):
            return Verdict.DAMAGED
        age = (time.time() if now is None else now) - payload[2] / 1000
        if age < policy.min_fill:
            return Verdict.TOO_FAST
        if age > policy.max_age:
            return Verdict.EXPIRED
        return Verdict.GOOD


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Guard:
    """The Redis side of the guards for one tenant: spent tokens and the counters."""

    def __init__(self, redis: Redis, prefix: str, slug: str, policy: Policy) -> None:
        self.redis, self.policy = redis, policy
        self.prefix = f"{prefix}:feedback:{slug}"

    def spend(self, token: str) -> bool:
        """Mark the token used; False when it was used before (a replay)."""
        key = f"{self.prefix}:spent:{token_digest(token)}"
        ttl = int(self.policy.max_age) + 60  # past its age it is refused as expired anyway
        return bool(self.redis.set(key, b"1", nx=True, ex=ttl))

    def count(self, what: str, who: str, limit: Limit) -> bool:
        """Count one event of ``what`` by ``who``; True while within ``limit``."""
        window = int(time.time() // limit.seconds)
        key = f"{self.prefix}:{what}:{who}:{window}"
        pipe = self.redis.pipeline(transaction=False)
        pipe.incr(key)
        pipe.expire(key, limit.seconds + 1)
        count, _ = pipe.execute()
        return int(count) <= limit.count


def client_hash(secret: str, address: str | None) -> str:
    """A keyed hash of the client's address: counted and stored without the address itself."""
    return hmac.new(secret.encode(), f"feedback-client:{address}".encode(), "sha256").hexdigest()


def normalised(text: str) -> str:
    """The text as duplicates are compared: NFKC, case-folded, without white space (Chinese
    puts none between words; a copy re-wrapped or re-spaced is the same text)."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text).casefold())


def text_hash(text: str) -> str:
    return hashlib.sha256(normalised(text).encode()).hexdigest()
