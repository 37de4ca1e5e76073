"""Open to-dos on a tenant user's start page, contributed by each area.

An area adds its to-dos by decorating a function with ``@todo_source`` in a module of its
own (goals: ``saas/goals/todos.py``) that its views import; the home page only asks
``todos_for`` and draws what comes back. A source returns nothing for a user with no
such work, so each role sees only what is theirs to do.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from saas.auth.accounts import TenantPrincipal


@dataclass(frozen=True)
class Todo:
    """One kind of open work: what, how many, and the page where it is done."""

    key: str
    label: str
    count: int
    url: str


TodoSource = Callable[[Session, TenantPrincipal], Iterable[Todo]]

_SOURCES: list[TodoSource] = []


def todo_source(source: TodoSource) -> TodoSource:
    """Register an area's to-do source (once, at import)."""
    if source not in _SOURCES:
        _SOURCES.append(source)
    return source


def todos_for(session: Session, principal: TenantPrincipal) -> list[Todo]:
    """Every open to-do of this user, in the order the areas registered."""
    return [todo for source in _SOURCES for todo in source(session, principal) if todo.count]
