"""The addresses of one-time links, built without Flask so a mail job can write them.

The rules are the accounts blueprint's own (``/t/<slug>/accounts/welcome/<token>`` and
``.../reset/<token>``) and the login page's, built with a werkzeug ``Map`` so the token is
quoted as ``url_for`` would; tests/accounts/test_links.py checks both builders agree.
"""

from __future__ import annotations

from werkzeug.routing import Map, Rule

from saas.models.tokens import TokenPurpose

_PREFIX = "/t/<tenant_slug>/accounts"
_RULES = Map(
    [
        Rule(f"{_PREFIX}/welcome/<token>", endpoint=TokenPurpose.INVITE.value),
        Rule(f"{_PREFIX}/reset/<token>", endpoint=TokenPurpose.RESET.value),
        Rule("/t/<tenant_slug>/login", endpoint="login"),
    ]
)


def link_path(purpose: TokenPurpose, slug: str, secret: str) -> str:
    """The path of the page that spends a link of ``purpose`` at tenant ``slug``."""
    adapter = _RULES.bind("", "/")
    return adapter.build(purpose.value, {"tenant_slug": slug, "token": secret})


def link_url(base_url: str, purpose: TokenPurpose, slug: str, secret: str) -> str:
    """The full address written into a mail, or shown once to the admin who issued it."""
    return base_url.rstrip("/") + link_path(purpose, slug, secret)


def login_url(base_url: str, slug: str) -> str:
    """The tenant's login page, printed beside a set-up link for next time."""
    return base_url.rstrip("/") + _RULES.bind("", "/").build("login", {"tenant_slug": slug})
