"""The checklists Kaohe ships (the canteen's, and the outsourced cleaning inspection built from
source 003 section 4), and the ``inspection`` block kept through the scheme file, the editor,
an export and an import."""

from __future__ import annotations

import io
from decimal import Decimal

from sqlalchemy import select

from saas.inspections.checklists import checklists
from saas.models.scheme import SchemeVersion
from saas.schemes import editing, files, versions
from saas.schemes.templates import load_template
from saas.scoring.scheme import Mode, PeriodKind, SourceKind, Subject
from tests.inspections.conftest import Site

CLEANING = {
    "CL-1": ["EN-02", "EN-07", "EN-08", "FS-18", "EN-06"],
    "CL-2": ["EN-05", "EN-09"],
    "CL-3": ["EN-01", "EN-11", "EN-12", "EN-03"],
    "CL-4": ["OS-09", "OS-01", "OS-05"],
}


def test_the_outsourced_cleaning_checklist():
    scheme = load_template("outsourced_cleaning")
    assert (scheme.subject, scheme.period) == (Subject.PROVIDER, PeriodKind.MONTH)
    assert {s.key: [i.key for i in s.items] for s in scheme.sections} == CLEANING
    assert sum(s.max for s in scheme.sections) == scheme.scale == 100
    for section in scheme.sections:
        assert sum(item.max for item in section.items) == section.max
        assert "max" in section.defaulted
        assert all("max" in item.defaulted and item.reference for item in section.items)
    modes = {item.key: item.mode for s in scheme.sections for item in s.items}
    assert modes["EN-09"] is Mode.DEDUCTION and modes["EN-06"] is Mode.SCALE
    assert modes["EN-08"] is Mode.YES_NO and modes["EN-02"] is Mode.POINTS
    settings = scheme.inspection
    assert (settings.rectify_days, settings.feeds) == (7, SourceKind.SUPERVISOR)
    assert (settings.failed_item_event, settings.failed_critical_event) == (
        "inspection_failed_item",
        "inspection_failed_critical",
    )
    assert settings.overdue_notice_event == "notice_overdue"
    assert set(settings.defaulted) == {"rectify_days", "feeds"}
    assert [b.label for b in scheme.bands] == ["优秀", "良好", "合格", "不合格"]
    assert all("threshold" in band.defaulted for band in scheme.bands)


def test_the_canteen_checklist_has_its_inspection_block():
    settings = load_template("canteen_hygiene").inspection
    assert (settings.rectify_days, settings.feeds) == (3, SourceKind.COMMITTEE)
    assert settings.failed_item_event == "inspection_failed_item"
    assert settings.overdue_notice_event == "notice_overdue"


def test_the_block_survives_the_file_and_the_stored_definition():
    scheme = load_template("outsourced_cleaning")
    text = files.dump(scheme)
    assert "\ninspection:\n  rectify_days: 7\n  feeds: supervisor\n" in text
    again = files.load(text).scheme
    assert again.inspection == scheme.inspection
    stored = versions.stored(scheme)
    assert stored["inspection"]["rectify_days"] == 7
    edited = editing.edit_general(stored, {"name": "保洁检查（修订）", "subject": "provider"})
    assert edited.ok and edited.scheme.inspection == scheme.inspection
    edited = editing.edit_item(versions.stored(edited.scheme), "EN-02", {"max": "10", "text": "x"})
    assert edited.ok and edited.scheme.inspection == scheme.inspection
    bad = files.load(text.replace("rectify_days: 7", "rectify_days: 0"))
    assert bad.scheme is None and bad.errors[0].field == "inspection.rectify_days"


def test_the_editor_export_and_import_keep_the_block(client, db, site: Site):
    """Edited in the editor, exported, imported into a new draft: still a checklist."""
    with db.tenant(site.schema) as session:
        draft = versions.draft_from(
            session,
            site.admin(),
            session.scalar(select(SchemeVersion).where(SchemeVersion.scheme_id == site.cleaning)),
        )
        draft_id = draft.id
    csrf = site.log_in(client, "admin")
    base = f"/t/{site.slug}/schemes/v/{draft_id}"
    general = client.post(
        f"{base}/general",
        data={
            "csrf_token": csrf,
            "name": "外包保洁服务检查（修订）",
            "subject": "provider",
            "period": "month",
            "scale": "100",
            "precision": "2",
            "cap_at_scale": "on",
            "missing_sources": "renormalise",
            "third_party_cap": "20",
        },
    )
    assert general.status_code == 302, general.get_data(as_text=True)[:400]
    item = client.post(
        f"{base}/items/EN-02", data={"csrf_token": csrf, "max": "10", "text": "公共区域全天整洁"}
    )
    assert item.status_code == 302
    exported = client.get(f"{base}/export").get_data(as_text=True)
    assert "\ninspection:\n  rectify_days: 7\n" in exported and "公共区域全天整洁" in exported
    imported = client.post(
        f"{base}/import",
        data={"csrf_token": csrf, "file": (io.BytesIO(exported.encode()), "cleaning.yaml")},
        content_type="multipart/form-data",
    )
    assert imported.status_code == 302
    with db.tenant(site.schema) as session:
        stored = session.get(SchemeVersion, draft_id).definition
        assert stored["inspection"]["feeds"] == "supervisor"
        assert stored["name"] == "外包保洁服务检查（修订）"
        versions.publish(session, site.admin(), session.get(SchemeVersion, draft_id))
        found = {c.scheme_id: c.version_id for c in checklists(session)}
    assert found[site.cleaning] == draft_id  # the new version is the checklist now
    assert Decimal(stored["sections"][0]["items"][0]["max"]) == 10
