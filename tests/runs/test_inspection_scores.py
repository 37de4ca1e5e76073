"""Inspections reaching a scoring run (saas/runs/inputs.py ``inspection_ratings``): the checklist's
own cycle rated by the month's done inspections, what is left out, a provider's score lowered
by a failed critical item and an overdue notice with the trace naming both, an inspection
finished after a run listed as a change, and another tenant's inspections never read."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask_babel import force_locale
from sqlalchemy import event, select

from saas.inspections.evidence import record_failures
from saas.inspections.findings import failed_items
from saas.ledger import service as ledger
from saas.models.cycle import CycleResult, CycleSubject
from saas.models.inspection import Inspection
from saas.models.ledger import LedgerEntry
from saas.results.evidence import ref_words
from saas.results.trace import full_trace, groups
from saas.runs import service
from saas.runs.words import change_text
from saas.schemes.templates import load_template
from tests.conftest import login
from tests.cycles.factory import assign
from tests.runs.evidence_world import (
    CANTEEN,
    PROVIDER,
    World,
    add_cycle,
    add_inspection,
    add_notice,
    checklist,
    full_marks,
    make_world,
)
from tests.runs.helpers import score_now

UTC = dt.UTC
PROVIDER_SCHEME = load_template("outsourced_provider")


def marks(**changes) -> dict:
    return {**full_marks(checklist()), **changes}


def zeros() -> dict:
    """An inspection that, read by mistake, would pull any score far down."""
    return {key: (False if value is True else "0") for key, value in marks().items()}


def result(db, world: World, code: str) -> CycleResult:
    with db.tenant(world.schema) as session:
        row = session.scalars(
            select(CycleResult)
            .where(CycleResult.cycle_subject_id == world.subjects[code])
            .order_by(CycleResult.run_id.desc())
        ).first()
        session.expunge(row)
        return row


def sentences(db, app, world: World, row: CycleResult, locale: str) -> list[str]:
    """The trace as the subject's page words it."""
    scheme = checklist() if "committee" in row.breakdown["sources"] else PROVIDER_SCHEME
    with app.test_request_context(), force_locale(locale), db.tenant(world.schema) as session:
        trace = full_trace(row.breakdown, row.trace, scheme)
        words = ref_words(session, trace)
        return [text for group in groups(trace, scheme, words) for text in group.sentences]


def test_the_months_done_inspections_rate_the_checklists_own_cycle(db, make_tenant, app):
    world = make_world(db, make_tenant)
    add_cycle(db, world, world.checklist_id, [CANTEEN, "KF"])
    early = add_inspection(  # 01:00 on 1 August in Shanghai: the tenant's day is in August
        db,
        world,
        CANTEEN,
        values=marks(**{"HY-1.4": "3", "HY-2.1": "3"}),
        done_at=dt.datetime(2026, 7, 31, 17, 0, tzinfo=UTC),
        score=Decimal("100"),
    )
    first = add_inspection(db, world, CANTEEN, values=marks(**{"HY-1.4": "1", "HY-2.1": "2"}))
    second = add_inspection(
        db,
        world,
        CANTEEN,
        values=marks(**{"HY-1.4": "2", "HY-2.1": "n/a"}),  # not applicable: left out
        done_at=dt.datetime(2026, 8, 20, 6, 0, tzinfo=UTC),
        score=Decimal("97"),
    )
    # Left out: July, 1 September in Shanghai, not done, cancelled, another unit not assessed.
    for when in (dt.datetime(2026, 7, 15, tzinfo=UTC), dt.datetime(2026, 8, 31, 17, tzinfo=UTC)):
        add_inspection(db, world, CANTEEN, values=zeros(), done_at=when)
    for status in ("planned", "in_progress", "cancelled"):
        add_inspection(db, world, CANTEEN, values=zeros(), status=status)
    add_inspection(db, world, "CW", values=zeros())

    score_now(db, world)
    canteen = result(db, world, CANTEEN)
    # By hand: HY-1.4 is the mean of 3, 1 and 2 (2 of 3 points); HY-2.1 of 3 and 2 (2.5):
    # the month's 100 points less 1 and 0.5.
    assert canteen.final == Decimal("98.50")
    committee = canteen.breakdown["items"]["committee"]
    assert (committee["HY-1.4"], committee["HY-2.1"]) == ("2", "2.5")
    assert canteen.breakdown["details"]["committee"]["means"]["HY-1.4"] == [3, "2"]
    steps = [step for step in canteen.trace if step["step"] == "inspection"]
    assert [s["ref"] for s in steps] == [f"i:{early}", f"i:{first}", f"i:{second}"]
    assert [s["on"] for s in steps] == ["2026-08-01", "2026-08-03", "2026-08-20"]
    assert {s["source"] for s in steps} == {"committee"}
    # A unit nobody inspected has no ratings at all.
    other = result(db, world, "KF")
    assert other.final == 0 and not any(s["step"] == "inspection" for s in other.trace)

    english = sentences(db, app, world, canteen, "en")
    assert english[:3] == [
        "Committee spot checks: inspection of 2026-08-01 by 张三, 100 points",
        "Committee spot checks: inspection of 2026-08-03 by 张三, 86 points",
        "Committee spot checks: inspection of 2026-08-20 by 张三, 97 points",
    ]
    chinese = sentences(db, app, world, canteen, "zh_CN")
    assert chinese[1] == "考核小组抽查：2026-08-03 张三检查，86 分"


def test_a_provider_loses_points_for_a_failed_critical_item_and_an_overdue_notice(
    db, make_tenant, app
):
    world = make_world(db, make_tenant)
    add_cycle(db, world, world.provider_id, [PROVIDER, "WB-DT"], kind="provider")
    with db.tenant(world.schema) as session:
        for code in (PROVIDER, "WB-DT"):
            assign(
                session,
                session.get(CycleSubject, world.subjects[code]),
                "supervisor",
                user_id=world.admin_id,
                values={"quality": "36", "efficiency": "18", "attitude": "18", "improvement": "18"},
                submitted=True,
            )
    score_now(db, world)
    assert result(db, world, PROVIDER).final == Decimal("90.00")

    # A cleaning inspection of the provider: HY-1.4 and the critical HY-7.2 fail.
    inspection = add_inspection(
        db, world, PROVIDER, values=marks(**{"HY-1.4": "1", "HY-7.2": False})
    )
    notice = add_notice(
        db, world, inspection, PROVIDER, serial="ZG-2026-000012", due=dt.date(2026, 8, 6)
    )
    with db.tenant(world.schema) as session:
        found = session.get(Inspection, inspection)
        scheme = checklist()
        record_failures(
            session,
            world.actor(),
            found,
            scheme,
            failed_items(scheme, found.values),
            on=dt.date(2026, 8, 3),
        )
        # As the notices' overdue job records it (saas/notices/overdue.py).
        overdue = ledger.add_entry(
            session,
            world.actor(),
            unit_id=world.unit(PROVIDER),
            on=dt.date(2026, 8, 7),
            event="notice_overdue",
            source="inspection",
        )
        overdue.notice_id, overdue.inspection_id = notice, inspection
    score_now(db, world)
    provider = result(db, world, PROVIDER)
    assert provider.final == Decimal("82.00")  # 90 − 1 − 2 − 5
    assert result(db, world, "WB-DT").final == Decimal("90.00")
    # Another checklist's inspection rates nothing here: it counts through its events only.
    assert not any(step["step"] == "inspection" for step in provider.trace)
    refs = {step["ref"] for step in provider.trace if step["step"] == "event"}
    with db.tenant(world.schema) as session:
        ids = session.scalars(
            select(LedgerEntry.id).where(LedgerEntry.unit_id == world.unit(PROVIDER))
        ).all()
    assert refs == {f"ledger:{entry}" for entry in ids}

    english = sentences(db, app, world, provider, "en")
    assert "\u22122: 员工餐厅卫生检查 2026-08-03, item HY-7.2 failed" in english
    assert "\u22121: 员工餐厅卫生检查 2026-08-03, item HY-1.4 failed" in english
    assert "\u22125: rectification notice ZG-2026-000012 overdue (due 2026-08-06)" in english
    chinese = sentences(db, app, world, provider, "zh_CN")
    assert "\u22122：员工餐厅卫生检查 2026-08-03，第 HY-7.2 项不合格" in chinese
    assert "\u22125：整改通知 ZG-2026-000012 逾期未整改（期限 2026-08-06）" in chinese

    # The subject's page says the same, its evidence words fetched in one query.
    client = app.test_client()
    login(client, world.org.tenant)
    url = f"/t/{world.slug}/cycles/{world.cycle_id}/results/{world.subjects[PROVIDER]}"
    for locale, expected in (
        ("en", "rectification notice ZG-2026-000012 overdue (due 2026-08-06)"),
        ("zh_CN", "第 HY-7.2 项不合格"),
    ):
        with client.session_transaction() as session:
            session["lang"] = locale
        body = client.get(url).get_data(as_text=True)
        assert expected in body, locale


def test_the_evidence_words_of_a_page_are_one_query(db, make_tenant, app):
    world = make_world(db, make_tenant)
    add_cycle(db, world, world.checklist_id, [CANTEEN])
    for day in (3, 10, 17, 24):
        add_inspection(
            db, world, CANTEEN, values=marks(), done_at=dt.datetime(2026, 8, day, tzinfo=UTC)
        )
    score_now(db, world)
    row = result(db, world, CANTEEN)
    trace = full_trace(row.breakdown, row.trace, checklist())
    count = 0

    def counter(*_args) -> None:
        nonlocal count
        count += 1

    with app.test_request_context(), db.tenant(world.schema) as session:
        session.connection()
        event.listen(db.engine, "before_cursor_execute", counter)
        try:
            words = ref_words(session, trace)
        finally:
            event.remove(db.engine, "before_cursor_execute", counter)
    assert count == 1 and len(words) == 4 and set(words.values()) == {"张三"}


def test_an_inspection_finished_after_a_run_is_a_change(db, make_tenant):
    world = make_world(db, make_tenant)
    add_cycle(db, world, world.checklist_id, [CANTEEN])
    add_inspection(db, world, CANTEEN, values=marks())
    later = add_inspection(db, world, CANTEEN, status="in_progress")
    score_now(db, world)
    with db.tenant(world.schema) as session:
        cycle = service.find_cycle(session, world.cycle_id)
        latest = service.runs_of(session, world.cycle_id)[0]
        assert latest.inputs["inspections"]["count"] == 1
        assert service.changes_since(session, cycle, latest) == []
        found = session.get(Inspection, later)
        found.values, found.status, found.score = marks(**{"HY-1.4": "0"}), "done", Decimal(97)
        found.done_at = dt.datetime(2026, 8, 12, 3, 0, tzinfo=UTC)
    with db.tenant(world.schema) as session:
        changes = service.changes_since(session, cycle, latest)
    assert changes == [service.Change("inspections_changed", {"then": 1, "now": 2})]
    assert change_text(changes[0]) == (
        "Inspections were finished or corrected since this run (1 then, 2 now)."
    )
    run_id = score_now(db, world)
    assert result(db, world, CANTEEN).final == Decimal("98.50")
    with db.tenant(world.schema) as session:
        latest = service.runs_of(session, world.cycle_id)[0]
        assert latest.id == run_id and service.changes_since(session, cycle, latest) == []
        # A done inspection corrected afterwards is a change too.
        session.get(Inspection, later).values = marks()
    with db.tenant(world.schema) as session:
        assert [c.code for c in service.changes_since(session, cycle, latest)] == [
            "inspections_changed"
        ]


def test_another_tenants_inspections_are_never_read(db, make_tenant):
    ours = make_world(db, make_tenant)
    theirs = make_world(db, make_tenant)
    # Both tenants were seeded alike: the same unit ids, scheme ids and cycle ids.
    assert ours.unit(CANTEEN) == theirs.unit(CANTEEN)
    add_cycle(db, ours, ours.checklist_id, [CANTEEN])
    add_cycle(db, theirs, theirs.checklist_id, [CANTEEN])
    mine = add_inspection(db, ours, CANTEEN, values=marks(**{"HY-1.4": "1"}))
    for _ in range(3):
        add_inspection(db, theirs, CANTEEN, values=zeros())
    score_now(db, ours)
    row = result(db, ours, CANTEEN)
    assert row.final == Decimal("98.00")
    assert [s["ref"] for s in row.trace if s["step"] == "inspection"] == [f"i:{mine}"]
    assert "means" not in row.breakdown["details"].get("committee", {})  # one rater
    with db.tenant(ours.schema) as session:
        latest = service.runs_of(session, ours.cycle_id)[0]
        assert latest.inputs["inspections"]["count"] == 1
    score_now(db, theirs)
    assert result(db, theirs, CANTEEN).final < 20
