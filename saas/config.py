"""Settings, read from the environment once at start-up.

Secrets that an operator did not set are generated on first use and kept in the instance
folder, so a web server and its workers on one machine agree on them without any set-up.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path


def normalise_database_url(url: str) -> str:
    """Point plain postgres URLs at the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _instance_secrets(instance: Path) -> dict[str, str]:
    path = instance / "secrets.json"
    if path.exists():
        return json.loads(path.read_text())
    instance.mkdir(parents=True, exist_ok=True)
    values = {"secret_key": secrets.token_hex(32), "key_passphrase": secrets.token_urlsafe(32)}
    # Created with 0600 from the start so the secrets are never world-readable, even briefly.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(values, fh)
    return values


EMBEDDED_FILE = "embedded.json"


def embedded_urls(instance: Path) -> dict[str, str]:
    """URLs of the embedded servers `kaohe up` last started under ``instance``, if any."""
    path = instance / EMBEDDED_FILE
    return json.loads(path.read_text()) if path.exists() else {}


@dataclass(frozen=True)
class Settings:
    database_url: str
    redis_url: str
    instance: Path
    secret_key: str
    key_passphrase: str
    queue_name: str = "kaohe"
    base_url: str = "http://127.0.0.1:8000"
    login_rate_limit: str = "10 per minute"
    secure_cookies: bool = False
    # Outgoing mail (invitations, password resets); unset, links are shown to the admin instead.
    smtp_url: str | None = field(default=None, repr=False)  # may carry a password
    mail_from: str = "Kaohe <no-reply@localhost>"
    reset_rate_limit: str = "5 per 15 minutes"
    # How many uploaded files the whole deployment verifies at once (each in a bounded child
    # process); one more upload is told to try again shortly.
    verify_slots: int = 1
    verify_rate_limit: str = "30 per minute"  # /verify requests per client
    # The pooler between Kaohe and PostgreSQL, if any: "transaction" for PgBouncer in
    # transaction mode, which turns psycopg's server-side prepared statements off.
    db_pooler: str | None = None


def _pooler(value: str) -> str | None:
    # A session-mode pooler keeps a client on one server connection: nothing to change there.
    if value not in ("", "transaction"):
        raise ValueError(
            f"KAOHE_DB_POOLER must be 'transaction' (behind a transaction-mode pooler) or unset,"
            f" not {value!r}"
        )
    return value or None


def _positive(value: str, name: str) -> int:
    if not (value.strip().isascii() and value.strip().isdigit() and int(value) > 0):
        raise ValueError(f"{name} must be a whole number above 0, not {value!r}")
    return int(value)


def load_settings(**overrides) -> Settings:
    """Build settings from the environment; keyword overrides win (tests use them)."""
    env = os.environ
    instance = Path(overrides.pop("instance", None) or env.get("KAOHE_INSTANCE", "instance"))
    instance = instance.resolve()
    stored: dict[str, str] = {}
    if not (env.get("KAOHE_SECRET_KEY") and env.get("KAOHE_KEY_PASSPHRASE")):
        stored = _instance_secrets(instance)
    embedded = embedded_urls(instance)
    values = {
        "database_url": normalise_database_url(
            env.get("DATABASE_URL")
            or embedded.get("database_url", "postgresql+psycopg://postgres@127.0.0.1:5432/kaohe")
        ),
        "redis_url": env.get("REDIS_URL") or embedded.get("redis_url", "redis://127.0.0.1:6379/0"),
        "instance": instance,
        "secret_key": env.get("KAOHE_SECRET_KEY") or stored["secret_key"],
        "key_passphrase": env.get("KAOHE_KEY_PASSPHRASE") or stored["key_passphrase"],
        "queue_name": env.get("KAOHE_QUEUE", "kaohe"),
        "base_url": env.get("KAOHE_BASE_URL", "http://127.0.0.1:8000").rstrip("/"),
        "login_rate_limit": env.get("KAOHE_LOGIN_RATE_LIMIT", "10 per minute"),
        "secure_cookies": env.get("KAOHE_SECURE_COOKIES", "") == "1",
        "smtp_url": env.get("KAOHE_SMTP_URL") or None,
        "mail_from": env.get("KAOHE_MAIL_FROM") or "Kaohe <no-reply@localhost>",
        "reset_rate_limit": env.get("KAOHE_RESET_RATE_LIMIT", "5 per 15 minutes"),
        "verify_rate_limit": env.get("KAOHE_VERIFY_RATE_LIMIT", "30 per minute"),
        "verify_slots": _positive(env.get("KAOHE_VERIFY_SLOTS", "1"), "KAOHE_VERIFY_SLOTS"),
        "db_pooler": _pooler(env.get("KAOHE_DB_POOLER", "").strip().lower()),
    }
    if "database_url" in overrides:
        overrides["database_url"] = normalise_database_url(overrides["database_url"])
    values.update(overrides)
    return Settings(**values)
