"""How views use the permission table: ``@requires(name)`` on every tenant view (it implies
login), ``@public`` on the few that need no login, ``current_actor()`` for the services, and
``can(name)`` for menus and buttons (a Jinja global), so nobody is shown what they cannot do.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, current_app, g
from flask_login import current_user

from saas.auth.accounts import TenantPrincipal, tenant_user
from saas.auth.permissions import Actor, Refused, permission
from saas.models.user import Role

PUBLIC = "public"
View = TypeVar("View", bound=Callable[..., Any])


def requires(name: str) -> Callable[[View], View]:
    """The view needs permission ``name``: anonymous users go to the login page, users
    without it get 403. The name is kept on the view (``view.permission``) for the tests."""
    permission(name)  # an unknown name fails when the module is imported

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()
            if not current_actor().can(name):
                raise Refused()
            return view(*args, **kwargs)

        wrapped.permission = name  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator


def public(view: View) -> View:
    """The view is open without login (log in, reset a password, …)."""
    view.permission = PUBLIC  # type: ignore[attr-defined]
    return view


def actor_for(principal: TenantPrincipal) -> Actor:
    """A logged-in tenant user as services take them."""
    return Actor(
        user_id=principal.id,
        email=principal.email,
        roles=frozenset(role for role in Role if principal.has_role(role)),
        scope=principal.scope,
        name=principal.name,
    )


def current_actor() -> Actor:
    """The request's logged-in tenant user as services take them; built once per request."""
    if "actor" not in g:
        g.actor = actor_for(tenant_user())
    return g.actor


def can(name: str) -> bool:
    """May the current user do ``name``? False for anyone not logged in to this tenant."""
    if g.get("tenant") is None or not isinstance(
        current_user._get_current_object(), TenantPrincipal
    ):
        return False
    return current_actor().can(name)


def init_access(app: Flask) -> None:
    app.jinja_env.globals["can"] = can
