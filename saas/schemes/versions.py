"""Schemes and their versions as a service: create, edit a draft, publish, archive, copy.

Functions flush but never commit: the caller's transaction holds the change and its audit row
together, and a refused change (:class:`SchemeError`) leaves nothing behind once rolled back.
Only a draft's definition changes; publishing freezes it (a trigger enforces this in the
database too), and "new version from this" copies a version into the scheme's one draft.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from saas.auth.permissions import Actor
from saas.models.audit import record
from saas.models.scheme import AssessmentScheme, SchemeVersion, VersionStatus
from saas.schemes import vocabulary
from saas.scoring.checks import Issue, parse, review
from saas.scoring.scheme import Scheme
from tenants.db import utcnow


class SchemeError(Exception):
    """A refused change; ``message`` is translatable, ``issues`` what stops a publication."""

    def __init__(self, message: Any, issues: list[Issue] | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.issues = issues or []


def stored(scheme: Scheme) -> dict[str, Any]:
    """A definition as the version row keeps it (JSON; decimals as strings)."""
    return scheme.model_dump(mode="json", exclude_none=True)


def definition(version: SchemeVersion) -> Scheme:
    """The scheme a version holds. Stored definitions were valid when saved."""
    scheme, issues = parse(version.definition)
    if scheme is None:  # pragma: no cover - only a hand-edited row could get here
        raise SchemeError(_l("This version's stored definition is damaged."), issues)
    return scheme


def find_version(session: Session, version_id: int, *, lock: bool = False) -> SchemeVersion | None:
    query = select(SchemeVersion).where(SchemeVersion.id == version_id)
    if lock:
        query = query.with_for_update()
    return session.scalar(query)


def create_scheme(
    session: Session, actor: Actor, scheme: Scheme, *, template: str | None = None
) -> SchemeVersion:
    """A new scheme whose first version is a draft holding ``scheme``."""
    record_ = AssessmentScheme(name=scheme.name, template=template, created_by=actor.user_id)
    session.add(record_)
    session.flush()
    version = _new_version(session, actor, record_, scheme, number=1, based_on=None)
    record(
        session,
        actor.email,
        "scheme.create",
        "scheme",
        record_.id,
        None,
        {"name": scheme.name, "template": template, "version": version.id},
    )
    return version


def _new_version(
    session: Session,
    actor: Actor,
    scheme_row: AssessmentScheme,
    scheme: Scheme,
    *,
    number: int,
    based_on: int | None,
) -> SchemeVersion:
    version = SchemeVersion(
        scheme_id=scheme_row.id,
        number=number,
        status=VersionStatus.DRAFT,
        definition=stored(scheme),
        based_on=based_on,
        created_by=actor.user_id,
    )
    session.add(version)
    session.flush()
    return version


def draft_from(session: Session, actor: Actor, source: SchemeVersion) -> SchemeVersion:
    """ "New version from this": the scheme's draft, made from ``source`` if there is none."""
    existing = session.scalar(
        select(SchemeVersion)
        .where(
            SchemeVersion.scheme_id == source.scheme_id, SchemeVersion.status == VersionStatus.DRAFT
        )
        .with_for_update()
    )
    if existing is not None:
        if existing.id == source.id:
            return existing
        raise SchemeError(
            _l(
                "Version %(number)s is already a draft of this scheme: edit it, or "
                "delete it before starting another.",
                number=existing.number,
            )
        )
    number = 1 + session.scalar(
        select(func.max(SchemeVersion.number)).where(SchemeVersion.scheme_id == source.scheme_id)
    )
    version = _new_version(
        session, actor, source.scheme, definition(source), number=number, based_on=source.id
    )
    record(
        session,
        actor.email,
        "scheme.version.create",
        "scheme_version",
        version.id,
        None,
        {"scheme": source.scheme_id, "number": number, "based_on": source.id},
    )
    return version


def frozen(version: SchemeVersion) -> SchemeError:
    """The refusal to change a version that is no longer a draft."""
    return SchemeError(
        _l(
            "Version %(number)s is %(status)s and can no longer be changed. "
            "Make a new version from it to change the standard.",
            number=version.number,
            status=status_label(version.status),
        )
    )


def _require_draft(version: SchemeVersion) -> None:
    if not version.is_draft:
        raise frozen(version)


def save(
    session: Session, actor: Actor, version: SchemeVersion, scheme: Scheme, change: dict[str, Any]
) -> None:
    """Replace a draft's definition; ``change`` says what changed, for the audit log."""
    _require_draft(version)
    version.definition = stored(scheme)
    version.updated_at = utcnow()
    version.scheme.name = scheme.name
    session.flush()
    record(
        session,
        actor.email,
        "scheme.version.edit",
        "scheme_version",
        version.id,
        change.get("before"),
        {"change": change.get("what"), **(change.get("after") or {})},
    )


def publish(session: Session, actor: Actor, version: SchemeVersion) -> None:
    """Freeze a draft. Earlier published versions are archived: one standard is in force."""
    _require_draft(version)
    # The tenant's own words too: an exclusion naming a level it does not have excludes nobody.
    found = review(definition(version), vocabulary.load(session))
    issues = [issue for issue in found if issue.blocks_publishing]
    if issues:
        raise SchemeError(_l("Fix these problems before publishing."), issues)
    now = utcnow()
    for older in session.scalars(
        select(SchemeVersion).where(
            SchemeVersion.scheme_id == version.scheme_id,
            SchemeVersion.status == VersionStatus.PUBLISHED,
        )
    ):
        older.status, older.archived_at = VersionStatus.ARCHIVED, now
        record(
            session,
            actor.email,
            "scheme.version.archive",
            "scheme_version",
            older.id,
            {"status": "published"},
            {"status": "archived", "replaced_by": version.id},
        )
    version.status = VersionStatus.PUBLISHED
    version.published_at, version.published_by = now, actor.user_id
    session.flush()
    record(
        session,
        actor.email,
        "scheme.version.publish",
        "scheme_version",
        version.id,
        {"status": "draft"},
        {"status": "published"},
    )


def archive(session: Session, actor: Actor, version: SchemeVersion) -> None:
    if version.status != VersionStatus.PUBLISHED:
        raise SchemeError(_l("Only a published version can be archived."))
    version.status, version.archived_at = VersionStatus.ARCHIVED, utcnow()
    session.flush()
    record(
        session,
        actor.email,
        "scheme.version.archive",
        "scheme_version",
        version.id,
        {"status": "published"},
        {"status": "archived"},
    )


def restore(session: Session, actor: Actor, version: SchemeVersion) -> None:
    if version.status != VersionStatus.ARCHIVED:
        raise SchemeError(_l("Only an archived version can be restored."))
    version.status, version.archived_at = VersionStatus.PUBLISHED, None
    session.flush()
    record(
        session,
        actor.email,
        "scheme.version.restore",
        "scheme_version",
        version.id,
        {"status": "archived"},
        {"status": "published"},
    )


def discard(session: Session, actor: Actor, version: SchemeVersion) -> int | None:
    """Delete a draft; the whole scheme goes with its only version. Returns the scheme id
    that remains, if any."""
    _require_draft(version)
    scheme_row = version.scheme
    others = [v for v in scheme_row.versions if v.id != version.id]
    record(
        session,
        actor.email,
        "scheme.version.discard",
        "scheme_version",
        version.id,
        {"number": version.number, "name": version.definition.get("name")},
        None,
    )
    session.delete(version)
    if not others:
        session.delete(scheme_row)
        session.flush()
        return None
    session.flush()
    return scheme_row.id


STATUS_LABELS = {
    VersionStatus.DRAFT: _l("draft"),
    VersionStatus.PUBLISHED: _l("published"),
    VersionStatus.ARCHIVED: _l("archived"),
}


def status_label(status: str) -> Any:
    return STATUS_LABELS[VersionStatus(status)]
