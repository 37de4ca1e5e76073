"""Raters generated from the organisation for each source, reproducibly and idempotently;
assignments edited by hand within the supervisor rule; a leaving rater's sheets handed over;
third parties with a link shown once."""

from __future__ import annotations

import hashlib
from collections import defaultdict

import pytest
from sqlalchemy import select

from saas.auth.permissions import Refused
from saas.cycles import raters, service
from saas.models.audit import AuditEntry
from saas.models.cycle import CycleSubject, ExternalRater, RatingSheet
from saas.models.people import Employee
from saas.org.access import Scope
from saas.rating import external
from saas.validation import Invalid

ADMIN = Scope(read_all=True, write_all=True, managed_paths=(), employee_id=None)


def sheets_of(session, cycle, shop) -> dict[str, dict[str, set[str]]]:
    """subject name (or unit code) → source → rater names (or keys u:…/x:…)."""
    names = {f"e:{i}": n for n, i in shop.people.items()}
    units = {i: c for c, i in shop.units.items()}
    people = {i: n for n, i in shop.people.items()}
    result: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    rows = session.execute(
        select(
            CycleSubject.employee_id,
            CycleSubject.unit_id,
            RatingSheet.source,
            RatingSheet.rater_key,
        )
        .join(CycleSubject, CycleSubject.id == RatingSheet.cycle_subject_id)
        .where(RatingSheet.cycle_id == cycle.id)
    )
    for employee_id, unit_id, source, key in rows:
        who = people[employee_id] if employee_id else units[unit_id]
        result[who][source].add(names.get(key, "u:cm" if key.startswith("u:") else key))
    return result


def test_each_source_s_raters_come_from_the_organisation(db, shop):
    with db.tenant(shop.schema) as session:
        admin = shop.actor(session)
        cycle = shop.new_cycle(session, peer_count=2)
        added = raters.generate(session, admin, cycle)
        assert added["customer" if "customer" in added else "self"] == 7
        found = sheets_of(session, cycle, shop)
        li, sd, wang, bj, bj1 = (found[n] for n in ("li", "sd", "wang", "bj", "bj1"))
        assert li["self"] == {"li"}
        # Supervisor: the manager of record, else the unit's manager walking up.
        assert li["supervisor"] == {"sd"}
        assert wang["supervisor"] == {"gc"}
        assert sd["supervisor"] == {"gc"}  # sd manages SD itself: the unit above
        assert bj1["supervisor"] == {"bj"} and bj["supervisor"] == {"boss"}
        # Peers: two colleagues of the unit, never the subject, never someone who left.
        assert len(li["peer"]) == 2 and "li" not in li["peer"] and "qian" not in li["peer"]
        assert li["peer"] <= {"sd", "wang", "zhao", "sun", "intern"}
        assert bj1["peer"] == {"bj"}  # the only colleague
        # Subordinates: the people the subject manages (of record or by unit).
        assert sd["subordinate"] == {"li", "wang", "zhao", "sun", "intern"}
        assert "subordinate" not in li
        # Committee: members by their employee record when linked, else their account;
        # nobody rates themself.
        assert li["committee"] == {"bj", "u:cm"}
        assert bj["committee"] == {"u:cm"}
        # Customer and third party: none generated.
        assert all("customer" not in s and "third_party" not in s for s in found.values())
        # Excluded subjects get no sheets.
        assert "gc" not in found and "qian" not in found and "intern" not in found


def test_peers_are_drawn_reproducibly(db, shop):
    with db.tenant(shop.schema) as session:
        admin = shop.actor(session)
        cycle = shop.new_cycle(session, peer_count=2)
        raters.generate(session, admin, cycle)
        li = session.scalar(
            select(CycleSubject).where(
                CycleSubject.cycle_id == cycle.id,
                CycleSubject.employee_id == shop.people["li"],
            )
        )
        pool = [shop.people[n] for n in ("sd", "wang", "zhao", "sun", "intern")]
        expected = sorted(
            pool, key=lambda p: hashlib.sha256(f"{cycle.id}:{li.id}:{p}".encode()).hexdigest()
        )[:2]
        peers = session.scalars(
            select(RatingSheet.rater_employee_id).where(
                RatingSheet.cycle_subject_id == li.id, RatingSheet.source == "peer"
            )
        ).all()
        assert sorted(peers) == sorted(expected)
        # Taken off and generated again: the same two.
        for sheet in session.scalars(
            select(RatingSheet).where(
                RatingSheet.cycle_subject_id == li.id, RatingSheet.source == "peer"
            )
        ):
            raters.remove_sheet(session, admin, cycle, sheet)
        raters.generate(session, admin, cycle)
        again = session.scalars(
            select(RatingSheet.rater_employee_id).where(
                RatingSheet.cycle_subject_id == li.id, RatingSheet.source == "peer"
            )
        ).all()
        assert sorted(again) == sorted(expected)


def test_generation_is_idempotent_and_never_touches_a_sheet(db, shop):
    with db.tenant(shop.schema) as session:
        admin = shop.actor(session)
        cycle = shop.new_cycle(session)
        first = raters.generate(session, admin, cycle)
        count = session.scalar(
            select(RatingSheet.id)
            .where(RatingSheet.cycle_id == cycle.id)
            .order_by(RatingSheet.id.desc())
            .limit(1)
        )
        sheet = session.scalar(select(RatingSheet).where(RatingSheet.cycle_id == cycle.id).limit(1))
        sheet.values, sheet.status = {"A": "18"}, "draft"
        session.flush()
        second = raters.generate(session, admin, cycle)
        assert sum(first.values()) > 0 and sum(second.values()) == 0
        session.refresh(sheet)
        assert sheet.values == {"A": "18"} and sheet.status == "draft"
        assert (
            session.scalar(select(RatingSheet.id).order_by(RatingSheet.id.desc()).limit(1)) == count
        )
        # A peer added by hand counts towards the peers: generation does not top it up again.
        li = session.scalar(
            select(CycleSubject).where(
                CycleSubject.cycle_id == cycle.id, CycleSubject.employee_id == shop.people["li"]
            )
        )
        peers = session.scalars(
            select(RatingSheet).where(
                RatingSheet.cycle_subject_id == li.id, RatingSheet.source == "peer"
            )
        ).all()
        raters.remove_sheet(session, admin, cycle, peers[0])
        chosen = next(
            n
            for n in ("sd", "wang", "zhao", "sun", "intern")
            if shop.people[n] not in {p.rater_employee_id for p in peers}
        )
        raters.add_rater(session, admin, cycle, li, "peer", f"N-{chosen}")
        assert sum(raters.generate(session, admin, cycle).values()) == 0


def test_unit_and_provider_subjects_are_rated_by_the_unit_above(db, shop):
    with db.tenant(shop.schema) as session:
        admin = shop.actor(session)
        cycle = shop.new_cycle(session, "units", period="2026-07")
        raters.generate(session, admin, cycle)
        found = sheets_of(session, cycle, shop)
        assert found["SD"]["committee"] == {"bj", "u:cm"}
        providers = shop.new_cycle(session, "providers", period="2026-07")
        raters.generate(session, admin, providers)
        found = sheets_of(session, providers, shop)
        # The provider group has no manager: the company's manager supervises.
        assert found["WB-BA"]["supervisor"] == {"boss"}


def test_a_supervisor_rates_only_within_their_units(db, shop):
    with db.tenant(shop.schema) as session:
        admin = shop.actor(session)
        cycle = shop.new_cycle(session)
        li = session.scalar(
            select(CycleSubject).where(
                CycleSubject.cycle_id == cycle.id, CycleSubject.employee_id == shop.people["li"]
            )
        )
        with pytest.raises(Refused) as refused:
            raters.add_rater(session, admin, cycle, li, "supervisor", "N-bj")
        assert "supervisor rates only within their own units" in str(refused.value)
        assert raters.add_rater(session, admin, cycle, li, "supervisor", "N-gc").rater_key == (
            f"e:{shop.people['gc']}"
        )
        with pytest.raises(Invalid):
            raters.add_rater(session, admin, cycle, li, "supervisor", "N-gc")  # already
        with pytest.raises(Invalid):
            raters.add_rater(session, admin, cycle, li, "peer", "N-li")  # themself
        with pytest.raises(Invalid):
            raters.add_rater(session, admin, cycle, li, "customer", "N-sd")  # not assignable
        with pytest.raises(Invalid):
            raters.add_rater(session, admin, cycle, li, "peer", "N-qian")  # has left
        with pytest.raises(Refused):
            raters.add_rater(session, shop.actor(session, "gc"), cycle, li, "peer", "N-sd")


def test_a_sheet_with_ratings_cannot_be_removed(db, shop):
    with db.tenant(shop.schema) as session:
        admin = shop.actor(session)
        cycle = shop.new_cycle(session)
        raters.generate(session, admin, cycle)
        sheet = session.scalar(select(RatingSheet).where(RatingSheet.cycle_id == cycle.id).limit(1))
        sheet.values, sheet.status = {"A": "10"}, "draft"
        session.flush()
        with pytest.raises(Refused) as refused:
            raters.remove_sheet(session, admin, cycle, sheet)
        assert "reopen and clear it" in str(refused.value)
        cycle.status = "scoring"
        other = session.scalar(
            select(RatingSheet)
            .where(RatingSheet.cycle_id == cycle.id, RatingSheet.id != sheet.id)
            .limit(1)
        )
        with pytest.raises(Refused):
            raters.remove_sheet(session, admin, cycle, other)


def test_a_leaving_rater_s_open_sheets_are_handed_over(db, shop):
    with db.tenant(shop.schema) as session:
        admin = shop.actor(session)
        cycle = shop.new_cycle(session)
        raters.generate(session, admin, cycle)
        service.move(session, admin, cycle, "open")
        key = f"e:{shop.people['sd']}"
        mine = session.scalars(
            select(RatingSheet).where(
                RatingSheet.cycle_id == cycle.id, RatingSheet.rater_key == key
            )
        ).all()
        by_source = defaultdict(list)
        for sheet in mine:
            by_source[sheet.source].append(sheet)
        submitted = by_source["supervisor"][0]
        submitted.values, submitted.status = {"A": "20"}, "submitted"
        submitted.submitted_at = submitted.created_at
        drafted = by_source["supervisor"][1]
        drafted.values, drafted.status = {"A": "15"}, "draft"
        session.flush()
        # bj1 manages nothing and supervises nobody of record: refused, nothing moves.
        with pytest.raises(Refused) as refused:
            raters.reassign(session, admin, cycle, key, "N-bj1")
        assert "supervisor rates only within their own units" in str(refused.value)
        done = raters.reassign(session, admin, cycle, key, "N-gc")
        after = {
            s.id: s
            for s in session.scalars(select(RatingSheet).where(RatingSheet.cycle_id == cycle.id))
        }
        assert after[submitted.id].rater_key == key  # submitted stays
        assert after[drafted.id].rater_key == f"e:{shop.people['gc']}"
        assert after[drafted.id].values == {} and after[drafted.id].status == "assigned"
        # sd's self sheet stays with sd; the rest moved or were skipped (gc rates already).
        assert all(
            s.rater_key == key for s in after.values() if s.source == "self" and s.rater_key == key
        )
        assert done.moved + done.skipped == len(mine) - 1
        assert done.moved >= 1
        entry = session.scalar(
            select(AuditEntry).where(AuditEntry.action == "cycle.raters_reassigned")
        )
        assert entry.before == {"rater_key": key} and entry.after["sheets_moved"] == done.moved
        with pytest.raises(Invalid):
            raters.reassign(session, admin, cycle, "e:999999", "N-gc")


def test_a_third_party_rates_one_cycle_through_a_link_shown_once(db, shop):
    with db.tenant(shop.schema) as session:
        admin = shop.actor(session)
        cycle = shop.new_cycle(session)
        with pytest.raises(Invalid):
            raters.add_external(session, admin, cycle, name=" ")
        rater, token = raters.add_external(
            session, admin, cycle, name="外审员", organisation="某审计所", unit_id=shop.units["BJ"]
        )
        stored = session.get(ExternalRater, rater.id)
        assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert token not in (stored.token_hash or "")
        subjects = session.scalars(
            select(Employee.name)
            .join(CycleSubject, CycleSubject.employee_id == Employee.id)
            .join(RatingSheet, RatingSheet.cycle_subject_id == CycleSubject.id)
            .where(RatingSheet.rater_key == f"x:{rater.id}", RatingSheet.source == "third_party")
        ).all()
        assert sorted(subjects) == ["bj", "bj1"]
        functional = shop.new_cycle(session, "functional", period="2026-Q4")
        with pytest.raises(Invalid):
            raters.add_external(session, admin, functional, name="外审员")


def test_the_raters_list_hides_who_rates_the_reader(db, shop):
    with db.tenant(shop.schema) as session:
        admin = shop.actor(session)
        cycle = shop.new_cycle(session)
        raters.generate(session, admin, cycle)
        gc = shop.actor(session, "gc")
        rows = raters.sheet_page(session, cycle, gc.scope).rows
        assert rows and all(r.unit_name in ("工程部", "水电班组") for r in rows)
        all_rows = raters.sheet_page(session, cycle, ADMIN)
        assert all_rows.total > raters.sheet_page(session, cycle, gc.scope).total
        filtered = raters.sheet_page(
            session, cycle, ADMIN, source="committee", rater="u:" + str(shop.users["cm"])
        )
        assert filtered.total == 7 and {r.source for r in filtered.rows} == {"committee"}


def test_a_third_party_link_is_revoked_and_renewed(db, shop):
    with db.tenant(shop.schema) as session:
        admin = shop.actor(session)
        cycle = shop.new_cycle(session)
        rater, token = raters.add_external(session, admin, cycle, name="外审员")
        for name in ("gc", "cm", "li"):
            with pytest.raises(Refused):
                raters.revoke_external(session, shop.actor(session, name), cycle, rater)
            with pytest.raises(Refused):
                raters.new_external_link(session, shop.actor(session, name), cycle, rater)
        assert raters.revoke_external(session, admin, cycle, rater) is True
        assert rater.revoked_at is not None
        found_rater, found_cycle = external.find_rater(session, token)
        assert external.closed_because(found_rater, found_cycle) == external.Closed.REVOKED
        assert raters.revoke_external(session, admin, cycle, rater) is False  # twice: no error
        revoked = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "cycle.third_party_revoked")
        ).all()
        assert len(revoked) == 1
        assert (revoked[0].record_type, revoked[0].record_id) == ("cycle", str(cycle.id))
        assert revoked[0].after["name"] == "外审员"

        fresh = raters.new_external_link(session, admin, cycle, rater)
        assert fresh != token and rater.revoked_at is None
        assert external.find_rater(session, token) is None  # the old link names nobody
        assert external.find_rater(session, fresh)[0].id == rater.id
        assert rater.token_hash == external.digest(fresh) and fresh not in rater.token_hash
        renewed = session.scalar(
            select(AuditEntry).where(AuditEntry.action == "cycle.third_party_new_link")
        )
        assert renewed.before == {"name": "外审员", "link_revoked": True}
        assert renewed.after["link_revoked"] is False

        other = shop.new_cycle(session, period="2026-Q4")
        assert raters.find_external(session, other, rater.id) is None
        assert raters.find_external(session, cycle, None) is None
        # Once collection closes no new link is made, but a link can still be revoked.
        cycle.status = "scoring"
        with pytest.raises(Refused):
            raters.new_external_link(session, admin, cycle, rater)
        assert raters.revoke_external(session, admin, cycle, rater) is True
