"""The inspection's rules: planning, the run's values in each mode and "not applicable",
photos, the signatures Kaohe keeps or refuses, finishing and its score, cancelling, the
audit rows; and who sees an unannounced inspection."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from saas.auth.permissions import Refused
from saas.inspections import access, service
from saas.inspections.checklists import checklist_of
from saas.inspections.service import ItemInput
from saas.models.attachment import Attachment
from saas.models.audit import AuditEntry
from saas.models.inspection import Inspection
from saas.validation import Invalid
from tests.inspections.conftest import TODAY, drawn, full_marks, photo_bytes, plan


def _run(db, site, inspection_id: int, values: dict, who: str = "inspector") -> None:
    with db.tenant(site.schema) as session:
        actor = site.actor(session, who)
        inspection = session.get(Inspection, inspection_id)
        checklist = checklist_of(session, inspection.version_id)
        for key, value in values.items():
            raw = {True: "yes", False: "no"}.get(value, value) if isinstance(value, bool) else value
            service.save_item(session, actor, inspection, checklist, key, ItemInput(str(raw)))


def _finish(db, site, inspection_id: int, who: str = "inspector", **overrides):
    fields = {
        "inspector_signature": drawn(),
        "onsite_signature": drawn(),
        "onsite_name": "王保洁",
        **overrides,
    }
    with db.tenant(site.schema) as session:
        actor = site.actor(session, who)
        inspection = session.get(Inspection, inspection_id)
        checklist = checklist_of(session, inspection.version_id)
        service.finish(session, actor, inspection, checklist, today=TODAY, **fields)
        return inspection.score, inspection.breakdown


def test_planning_checks_its_fields_and_is_audited(db, site):
    with db.tenant(site.schema) as session, pytest.raises(Invalid) as refused:
        service.plan(
            session,
            site.admin(),
            scheme_id=999999,
            unit_id=None,
            planned_on=TODAY + dt.timedelta(days=400),
            method="raid",
            unannounced=False,
            inspector_id=site.users["employee"],
            today=TODAY,
        )
    assert set(refused.value.errors) == {
        "scheme_id",
        "unit_id",
        "planned_on",
        "method",
        "inspector_id",
    }
    mystery = plan(db, site, method="mystery")
    with db.tenant(site.schema) as session:
        found = session.get(Inspection, mystery)
        assert (found.status, found.unannounced) == ("planned", True)  # a mystery visit always is
        row = session.scalar(select(AuditEntry).where(AuditEntry.action == "inspection.plan"))
        assert row.record_id == str(mystery) and row.after["method"] == "mystery"


def test_each_mode_takes_its_values_and_not_applicable(db, site):
    inspection_id = plan(db, site)
    with db.tenant(site.schema) as session:
        actor = site.actor(session, "inspector")
        inspection = session.get(Inspection, inspection_id)
        checklist = checklist_of(session, inspection.version_id)

        def save(key, value, **more):
            return service.save_item(
                session, actor, inspection, checklist, key, ItemInput(value, **more)
            )

        assert save("EN-02", "8.5") == "8.5"  # points, 0..10
        for bad in ("11", "-1", "8.555", "abc", "NaN", "1e999999999"):
            with pytest.raises(Invalid):
                save("EN-02", bad)
        assert save("EN-08", "no") is False  # yes/no
        with pytest.raises(Invalid):
            save("EN-08", "maybe")
        assert save("EN-06", "良") == "良"  # scale
        with pytest.raises(Invalid):
            save("EN-06", "极好")
        assert save("EN-09", "2") == "2"  # deduction: times
        with pytest.raises(Invalid):
            save("EN-09", "2.5")
        assert save("FS-18", "", not_applicable=True) == "n/a"
        assert save("EN-07", "n/a") == "n/a"
        with pytest.raises(Invalid):
            save("NO-SUCH", "1")
        with pytest.raises(Invalid):
            save("EN-01", "3", note="x" * 1001)
        save("EN-01", "3", note="  墙角有浮土  ")
        assert inspection.notes["EN-01"] == "墙角有浮土"
        assert save("EN-01", "") is None  # cleared
        assert "EN-01" not in inspection.values
        assert inspection.status == "in_progress" and inspection.started_at is not None
        assert session.scalar(select(AuditEntry.id).where(AuditEntry.action == "inspection.start"))


def test_only_the_assigned_inspector_or_an_admin_runs_it(db, site):
    inspection_id = plan(db, site)
    with db.tenant(site.schema) as session:
        inspection = session.get(Inspection, inspection_id)
        checklist = checklist_of(session, inspection.version_id)
        for who in ("inspector2", "committee"):
            with pytest.raises(Refused):
                service.save_item(
                    session,
                    site.actor(session, who),
                    inspection,
                    checklist,
                    "EN-02",
                    ItemInput("5"),
                )
        service.save_item(session, site.admin(), inspection, checklist, "EN-02", ItemInput("5"))


def test_photos_are_attachments_of_the_item(db, site):
    inspection_id = plan(db, site)
    with db.tenant(site.schema) as session:
        actor = site.actor(session, "inspector")
        inspection = session.get(Inspection, inspection_id)
        checklist = checklist_of(session, inspection.version_id)
        kept = service.add_photo(
            session, actor, inspection, checklist, "EN-07", photo_bytes(size=(3000, 2000)), "a.jpg"
        )
        assert (kept.owner, kept.owner_id, kept.slot) == ("inspection", inspection_id, "EN-07")
        assert max(kept.width, kept.height) == 2048  # re-encoded, smaller
        with pytest.raises(Invalid):
            service.add_photo(session, actor, inspection, checklist, "NOPE", photo_bytes(), "b.jpg")
        assert service.remove_photo(session, actor, inspection, kept.id) == "EN-07"
        assert session.scalar(select(Attachment).where(Attachment.id == kept.id)) is None


def test_finish_is_refused_until_every_item_is_rated_or_not_applicable(db, site):
    inspection_id = plan(db, site)
    with db.tenant(site.schema) as session:
        checklist = checklist_of(session, session.get(Inspection, inspection_id).version_id)
    values = full_marks(checklist)
    values.pop("OS-05")
    _run(db, site, inspection_id, values)
    with pytest.raises(service.Incomplete) as refused:
        _finish(db, site, inspection_id)
    assert [item.key for item in refused.value.missing] == ["OS-05"]
    _run(db, site, inspection_id, {"OS-05": "n/a"})
    _finish(db, site, inspection_id)


@pytest.mark.parametrize(
    ("field", "posted", "message"),
    [
        ("inspector_signature", "", "Sign in the box first."),
        ("inspector_signature", "data:image/jpeg;base64,/9j/", "not a signature drawn here"),
        ("onsite_signature", "data:image/png;base64,%%%", "not a signature drawn here"),
        ("onsite_signature", "data:image/png;base64," + "QUJD" * 10, "not a signature drawn here"),
        ("onsite_signature", drawn(1300, 300), "at most 1200 × 600"),
        ("inspector_signature", drawn(ink=False), "The box is empty"),
        ("inspector_signature", "data:image/png;base64," + "A" * 300_000, "at most 200 KB"),
        ("onsite_name", "", "Give the name"),
        ("onsite_name", "名" * 101, "At most 100 characters"),
    ],
)
def test_signatures_and_the_name_are_checked(db, site, field, posted, message):
    inspection_id = plan(db, site)
    with db.tenant(site.schema) as session:
        checklist = checklist_of(session, session.get(Inspection, inspection_id).version_id)
    _run(db, site, inspection_id, full_marks(checklist))
    with pytest.raises(Invalid) as refused:
        _finish(db, site, inspection_id, **{field: posted})
    assert list(refused.value.errors) == [field]
    assert message in str(refused.value.errors[field][0])


def test_a_too_big_png_is_refused():
    import base64
    import io
    import os

    from PIL import Image

    from saas.inspections import signatures

    noise = Image.frombytes("L", (1200, 600), os.urandom(1200 * 600))
    out = io.BytesIO()
    noise.save(out, "PNG")
    assert len(out.getvalue()) > signatures.MAX_BYTES
    with pytest.raises(signatures.BadSignature) as refused:
        signatures.read("data:image/png;base64," + base64.b64encode(out.getvalue()).decode())
    assert refused.value.code == "too_big"


def test_the_score_is_the_hand_computation(db, site):
    """外包保洁服务检查: 100 points in four sections. EN-07 gets 7 of 10, EN-08 fails (0 of 5),
    EN-06 is 良 (8 of 10), EN-09 found twice (10 − 2 × 2 = 6 of 10); FS-18 (5) does not apply.
    Points: 100 − 5 (FS-18) − 3 − 5 − 2 − 4 = 81; attainable 95; score 81 × 100 / 95 = 85.26."""
    inspection_id = plan(db, site)
    with db.tenant(site.schema) as session:
        checklist = checklist_of(session, session.get(Inspection, inspection_id).version_id)
    values = {
        **full_marks(checklist),
        "EN-07": "7",
        "EN-08": False,
        "EN-06": "良",
        "EN-09": "2",
        "FS-18": "n/a",
    }
    _run(db, site, inspection_id, values)
    score, breakdown = _finish(db, site, inspection_id)
    assert score == Decimal("85.26")
    assert (breakdown["points"], breakdown["attainable"], breakdown["full"]) == ("81", "95", "100")
    assert breakdown["band"] == "良好"
    assert breakdown["failed"] == ["EN-07", "EN-08", "EN-06", "EN-09"]
    assert breakdown["not_applicable"] == ["FS-18"]
    assert breakdown["sections"]["CL-1"] == {"points": "25", "attainable": "35", "zeroed_by": None}
    with db.tenant(site.schema) as session:
        done = session.get(Inspection, inspection_id)
        assert done.status == "done" and done.done_at and done.onsite_name == "王保洁"
        audit = session.scalar(select(AuditEntry).where(AuditEntry.action == "inspection.finish"))
        assert audit.after["score"] == "85.26" and audit.after["failed"] == 4


def test_with_nothing_not_applicable_the_score_is_the_engines(db, site):
    from saas.inspections.score import ratings
    from saas.scoring.engine import Engine
    from saas.scoring.inputs import SubjectInput
    from saas.scoring.period import Period

    inspection_id = plan(db, site, "BJ", checklist="canteen")
    with db.tenant(site.schema) as session:
        checklist = checklist_of(session, session.get(Inspection, inspection_id).version_id)
    values = {**full_marks(checklist), "HY-7.2": False, "HY-1.1": "2"}  # the 80 °C item fails
    _run(db, site, inspection_id, values)
    score, breakdown = _finish(db, site, inspection_id)
    engine = Engine(checklist).score(
        SubjectInput("x", tuple(ratings(checklist, values))), Period.parse("2026-08")
    )
    assert score == engine.final == Decimal(100 - 21 - 1)  # the tableware section zeroed
    assert breakdown["sections"]["HY-7"]["zeroed_by"] == "HY-7.2"
    assert breakdown["band"] == engine.band.label == "需整改"


def test_a_done_inspection_is_read_only_and_cannot_be_cancelled(db, site):
    inspection_id = plan(db, site)
    with db.tenant(site.schema) as session:
        checklist = checklist_of(session, session.get(Inspection, inspection_id).version_id)
    _run(db, site, inspection_id, full_marks(checklist))
    _finish(db, site, inspection_id)
    with db.tenant(site.schema) as session:
        inspection = session.get(Inspection, inspection_id)
        with pytest.raises(Refused):
            service.save_item(session, site.admin(), inspection, checklist, "EN-02", ItemInput("1"))
        with pytest.raises(Refused):
            service.cancel(session, site.admin(), inspection, "太晚了")


def test_cancelling_needs_a_reason(db, site):
    inspection_id = plan(db, site)
    with db.tenant(site.schema) as session:
        inspection = session.get(Inspection, inspection_id)
        with pytest.raises(Invalid):
            service.cancel(session, site.admin(), inspection, "  ")
        service.cancel(session, site.admin(), inspection, "单位停业整顿")
        assert (inspection.status, inspection.cancelled_reason) == ("cancelled", "单位停业整顿")


# -- who sees what ------------------------------------------------------------------------------


def _seen(db, site, who: str) -> set[int]:
    with db.tenant(site.schema) as session:
        actor = site.actor(session, who)
        return set(session.scalars(select(Inspection.id).where(access.visible(actor))))


def test_an_unannounced_inspection_is_hidden_from_the_inspected_until_done(db, site):
    announced = plan(db, site, "WB-LH")
    unannounced = plan(db, site, "WB-LH", method="spot_check", unannounced=True)
    mystery = plan(db, site, "GC", method="mystery")
    routine_gc = plan(db, site, "GC-SD")  # under the manager's unit
    for who in ("admin", "inspector", "inspector2", "committee"):
        assert _seen(db, site, who) == {announced, unannounced, mystery, routine_gc}, who
    assert _seen(db, site, "greening") == {announced}
    assert _seen(db, site, "security") == set()
    assert _seen(db, site, "manager") == {routine_gc}
    assert _seen(db, site, "bj_manager") == set()
    assert _seen(db, site, "employee") == set()
    with db.tenant(site.schema) as session:
        checklist = checklist_of(session, session.get(Inspection, unannounced).version_id)
    for done in (unannounced, mystery):
        _run(db, site, done, full_marks(checklist))
        _finish(db, site, done)
    assert _seen(db, site, "greening") == {announced, unannounced}
    assert _seen(db, site, "manager") == {routine_gc, mystery}
