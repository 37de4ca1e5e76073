"""Which schemes are checklists (a scheme whose definition has an ``inspection`` block), their
current published versions, and the people who may be sent to inspect.

An inspection planned today keeps the version it was planned with: a checklist revised later
changes the inspections planned after that, never one already planned or done.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from saas.models.scheme import AssessmentScheme, SchemeVersion, VersionStatus
from saas.models.user import Role, User, UserRole
from saas.scoring.checks import parse
from saas.scoring.scheme import Scheme

# Who may carry out an inspection (the roles holding inspections.run).
INSPECTOR_ROLES = (Role.INSPECTOR.value, Role.COMMITTEE.value, Role.TENANT_ADMIN.value)


@dataclass(frozen=True)
class Checklist:
    scheme_id: int
    version_id: int
    name: str


def _is_checklist() -> ColumnElement[bool]:
    return SchemeVersion.definition.has_key("inspection")  # JSONB ?: the key is there


def checklists(session: Session) -> list[Checklist]:
    """Every scheme whose latest published version is a checklist, by name (one query)."""
    latest = (
        select(
            SchemeVersion.scheme_id,
            func.max(SchemeVersion.number).label("number"),
        )
        .where(SchemeVersion.status == VersionStatus.PUBLISHED)
        .group_by(SchemeVersion.scheme_id)
        .subquery()
    )
    rows = session.execute(
        select(SchemeVersion.scheme_id, SchemeVersion.id, AssessmentScheme.name)
        .join(
            latest,
            (latest.c.scheme_id == SchemeVersion.scheme_id)
            & (latest.c.number == SchemeVersion.number),
        )
        .join(AssessmentScheme, AssessmentScheme.id == SchemeVersion.scheme_id)
        .where(_is_checklist())
        .order_by(AssessmentScheme.name, SchemeVersion.scheme_id)
    ).all()
    return [Checklist(row[0], row[1], row[2]) for row in rows]


def current_version(session: Session, scheme_id: int) -> int | None:
    """The id of the scheme's latest published version, if that version is a checklist."""
    return next(
        (found.version_id for found in checklists(session) if found.scheme_id == scheme_id), None
    )


def checklist_of(session: Session, version_id: int) -> Scheme:
    """The checklist an inspection was planned with."""
    version = session.get(SchemeVersion, version_id)
    if version is None:  # pragma: no cover - the foreign key keeps it
        raise LookupError(version_id)
    # Parsed here rather than by saas.schemes.versions, whose words the worker does not need.
    scheme, _issues = parse(version.definition)
    if scheme is None:  # pragma: no cover - only a hand-edited row could get here
        raise ValueError(f"scheme version {version_id} is damaged")
    return scheme


def inspectors(session: Session) -> list[tuple[int, str]]:
    """(user id, name) of the active accounts that may carry out an inspection."""
    rows = session.execute(
        select(User.id, User.name)
        .where(
            User.is_active_account.is_(True),
            User.id.in_(select(UserRole.user_id).where(UserRole.role.in_(INSPECTOR_ROLES))),
        )
        .order_by(User.name, User.id)
    ).all()
    return [(row[0], row[1]) for row in rows]


def is_inspector(session: Session, user_id: int | None) -> bool:
    """Is ``user_id`` an active account that may carry out an inspection?"""
    if user_id is None:
        return False
    found = session.scalar(
        select(User.id).where(
            User.id == user_id,
            User.is_active_account.is_(True),
            User.id.in_(select(UserRole.user_id).where(UserRole.role.in_(INSPECTOR_ROLES))),
        )
    )
    return found is not None
