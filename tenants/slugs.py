"""Tenant slugs: what a client organisation is called in URLs and in its schema name."""

from __future__ import annotations

import re

SLUG_PATTERN = re.compile(r"[a-z0-9](?:[a-z0-9-]{1,38})[a-z0-9]")

RESERVED = frozenset(
    {
        "admin",
        "api",
        "app",
        "assets",
        "auth",
        "demo-template",
        "healthz",
        "help",
        "kaohe",
        "login",
        "logout",
        "platform",
        "pool",
        "public",
        "root",
        "static",
        "status",
        "support",
        "system",
        "template",
        "tenant",
        "tenants",
        "test",
        "verify",
        "www",
        "information-schema",
        "pg-catalog",
        "pg-toast",
    }
)

RULES = (
    "A slug has 3 to 40 characters: lower-case letters a–z, digits 0–9 and hyphens, "
    "starting and ending with a letter or digit, with no double hyphen."
)


class InvalidSlug(ValueError):
    """The slug breaks the rules; the message says what is allowed."""


def validate_slug(slug: str) -> str:
    """Return ``slug`` if it is acceptable, else raise InvalidSlug saying why."""
    if not isinstance(slug, str) or not SLUG_PATTERN.fullmatch(slug) or "--" in slug:
        raise InvalidSlug(f"{slug!r} is not a valid slug. {RULES}")
    if slug in RESERVED:
        raise InvalidSlug(f"{slug!r} is reserved for Kaohe itself; choose another slug.")
    return slug


def schema_for(slug: str) -> str:
    """The PostgreSQL schema of a tenant. Hyphens become underscores, which slugs never
    contain, so two slugs never share a schema and the name never needs quoting."""
    return "tenant_" + validate_slug(slug).replace("-", "_")
