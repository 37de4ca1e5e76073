"""Scheme versions: draft → published → archived, copies, and a published version that never
changes — refused by the service and by the database itself."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from saas.auth.permissions import Actor
from saas.models.audit import AuditEntry
from saas.models.scheme import SchemeVersion
from saas.schemes import versions
from saas.scoring.checks import parse
from tests.schemes.conftest import SMALL, new_scheme


def actor(db, place) -> Actor:
    return Actor.system(place.tenant.admin_email, user_id=place.admin_id(db))


def test_a_new_scheme_starts_as_draft_version_1(db, place):
    version_id = new_scheme(db, place)
    with db.tenant(place.schema) as session:
        version = session.get(SchemeVersion, version_id)
        assert (version.number, version.status) == (1, "draft")
        assert versions.definition(version).name == "Window service"
        assert (
            session.scalar(select(AuditEntry.action).where(AuditEntry.record_type == "scheme"))
            == "scheme.create"
        )


def test_an_incomplete_draft_cannot_be_published(db, place):
    data = {**SMALL, "sources": [{"kind": "supervisor", "weight": 60}]}
    version_id = new_scheme(db, place, data)
    with db.tenant(place.schema) as session:
        version = session.get(SchemeVersion, version_id)
        with pytest.raises(versions.SchemeError) as refused:
            versions.publish(session, actor(db, place), version)
        assert [issue.code for issue in refused.value.issues] == ["sources.total"]


def test_publishing_freezes_the_version_in_the_service(db, place):
    version_id = new_scheme(db, place, publish=True)
    changed, _ = parse({**SMALL, "name": "Changed"})
    with db.tenant(place.schema) as session:
        version = session.get(SchemeVersion, version_id)
        assert version.status == "published" and version.published_at is not None
        with pytest.raises(versions.SchemeError):
            versions.save(session, actor(db, place), version, changed, {"what": "test"})
        with pytest.raises(versions.SchemeError):
            versions.discard(session, actor(db, place), version)


@pytest.mark.parametrize(
    "statement",
    [
        "update {schema}.scheme_version set definition = '{{}}'::jsonb where id = {id}",
        "update {schema}.scheme_version set status = 'draft' where id = {id}",
        "update {schema}.scheme_version set number = 9 where id = {id}",
        "delete from {schema}.scheme_version where id = {id}",
    ],
)
def test_the_database_refuses_to_change_a_published_version(db, place, statement):
    version_id = new_scheme(db, place, publish=True)
    with pytest.raises(DBAPIError, match="cannot be"), db.engine.begin() as connection:
        connection.execute(text(statement.format(schema=f'"{place.schema}"', id=version_id)))
    with db.tenant(place.schema) as session:
        version = session.get(SchemeVersion, version_id)
        assert (version.status, version.number, version.definition["name"]) == (
            "published",
            1,
            "Window service",
        )


def test_a_draft_can_still_be_changed_directly(db, place):
    version_id = new_scheme(db, place)
    with db.engine.begin() as connection:
        connection.execute(
            text(
                f'update "{place.schema}".scheme_version set definition = '
                f"jsonb_set(definition, '{{name}}', '\"Renamed\"') where id = {version_id}"
            )
        )
    with db.tenant(place.schema) as session:
        assert session.get(SchemeVersion, version_id).definition["name"] == "Renamed"


def test_new_version_from_a_published_one_is_a_copy_numbered_next(db, place):
    first = new_scheme(db, place, publish=True)
    with db.tenant(place.schema) as session:
        source = session.get(SchemeVersion, first)
        draft = versions.draft_from(session, actor(db, place), source)
        assert (draft.number, draft.status, draft.based_on) == (2, "draft", first)
        assert draft.definition == source.definition
        # A second "new version" while the draft exists is refused, not a second draft.
        with pytest.raises(versions.SchemeError):
            versions.draft_from(session, actor(db, place), source)
        assert versions.draft_from(session, actor(db, place), draft).id == draft.id


def test_publishing_a_new_version_archives_the_one_in_force(db, place):
    first = new_scheme(db, place, publish=True)
    with db.tenant(place.schema) as session:
        draft = versions.draft_from(session, actor(db, place), session.get(SchemeVersion, first))
        versions.publish(session, actor(db, place), draft)
        rows = session.execute(select(SchemeVersion.number, SchemeVersion.status)).all()
        statuses = {number: status for number, status in rows}
        assert statuses == {1: "archived", 2: "published"}


def test_archive_and_restore(db, place):
    version_id = new_scheme(db, place, publish=True)
    with db.tenant(place.schema) as session:
        version = session.get(SchemeVersion, version_id)
        versions.archive(session, actor(db, place), version)
        assert version.status == "archived" and version.archived_at is not None
        with pytest.raises(versions.SchemeError):
            versions.archive(session, actor(db, place), version)
        versions.restore(session, actor(db, place), version)
        assert version.status == "published" and version.archived_at is None


def test_discarding_the_only_draft_removes_the_scheme(db, place):
    version_id = new_scheme(db, place)
    with db.tenant(place.schema) as session:
        remaining = versions.discard(
            session, actor(db, place), session.get(SchemeVersion, version_id)
        )
        assert remaining is None
        assert session.scalar(select(SchemeVersion).where(SchemeVersion.id == version_id)) is None
        assert (
            session.scalar(
                select(AuditEntry.action).where(AuditEntry.action == "scheme.version.discard")
            )
            is not None
        )


def test_saving_a_draft_is_audited_with_what_changed(db, place):
    version_id = new_scheme(db, place)
    changed, _ = parse({**SMALL, "name": "Renamed"})
    with db.tenant(place.schema) as session:
        version = session.get(SchemeVersion, version_id)
        versions.save(
            session,
            actor(db, place),
            version,
            changed,
            {"what": "general", "before": {"name": "Window service"}, "after": {"name": "Renamed"}},
        )
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "scheme.version.edit")
        ).one()
        assert entry.before == {"name": "Window service"}
        assert entry.after == {"change": "general", "name": "Renamed"}
        assert version.scheme.name == "Renamed"
