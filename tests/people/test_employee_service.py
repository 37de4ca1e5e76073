"""The employee service's rules: unique numbers, scope, no manager circles, audit rows."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from saas.auth.permissions import Refused
from saas.models.audit import AuditEntry
from saas.models.org import OrgUnit
from saas.models.people import Employee
from saas.org.access import Scope
from saas.people.employees import EmployeeData, create_employee, update_employee
from saas.validation import Invalid
from tests.people.conftest import ADMIN_SCOPE, acting, add_employee


def data_of(employee: Employee, **changes) -> EmployeeData:
    values = {
        "number": employee.number,
        "name": employee.name,
        "unit_id": employee.unit_id,
        "position": employee.position,
        "position_level_id": employee.position_level_id,
        "employment_form": employee.employment_form,
        "manager_id": employee.manager_id,
        "hire_date": employee.hire_date,
        "status": employee.status,
    }
    values.update(changes)
    return EmployeeData(**values)


def messages(exc: pytest.ExceptionInfo, field: str) -> list[str]:
    return [str(message) for message in exc.value.errors[field]]


def audit_rows(session, action: str) -> list[AuditEntry]:
    return list(
        session.scalars(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        )
    )


def test_create_sets_initials_and_audits_the_new_record(db, org):
    with db.tenant(org.schema) as session:
        employee = create_employee(
            session,
            acting(ADMIN_SCOPE, "hr@example.com"),
            EmployeeData(
                number=" E300 ",
                name="欧阳 明月",
                unit_id=org.office,
                employment_form="劳务派遣",
                hire_date=dt.date(2024, 5, 6),
                manager_id=org.clerk,
            ),
        )
        assert employee.number == "E300"
        assert employee.initials == "oymy"
        (row,) = audit_rows(session, "employee.created")
        assert row.actor == "hr@example.com"
        assert row.record_type == "employee"
        assert row.record_id == str(employee.id)
        assert row.before is None
        assert row.after["number"] == "E300"
        assert row.after["unit"] == "综合办公室"
        assert row.after["manager"] == "E200 李小红"
        assert row.after["hire_date"] == "2024-05-06"
        assert row.after["status"] == "active"


def test_duplicate_number_is_refused_with_a_clear_message(db, org):
    with db.tenant(org.schema) as session:
        with pytest.raises(Invalid) as exc:
            create_employee(
                session,
                acting(ADMIN_SCOPE, "hr@example.com"),
                EmployeeData(number="E101", name="另一个人", unit_id=org.office),
            )
        assert messages(exc, "number") == ["Employee number E101 is already in use."]
        assert session.scalar(select(func.count()).select_from(Employee)) == 3
        assert audit_rows(session, "employee.created") == []
        # Renaming an existing employee onto a taken number is refused the same way.
        clerk = session.get(Employee, org.clerk)
        with pytest.raises(Invalid) as exc:
            update_employee(
                session, acting(ADMIN_SCOPE, "hr"), clerk, data_of(clerk, number="E100")
            )
        assert "E100" in messages(exc, "number")[0]


def test_missing_and_too_long_fields_are_reported_per_field(db, org):
    with db.tenant(org.schema) as session:
        with pytest.raises(Invalid) as exc:
            create_employee(
                session,
                acting(ADMIN_SCOPE, "hr"),
                EmployeeData(
                    number="  ",
                    name="",
                    unit_id=None,
                    position="岗" * 101,
                    status="retired",
                    hire_date=dt.date(1800, 1, 1),
                ),
            )
        assert set(exc.value.errors) == {
            "number",
            "name",
            "unit_id",
            "position",
            "status",
            "hire_date",
        }


def test_update_audits_only_changed_fields_and_renaming_refreshes_initials(db, org):
    with db.tenant(org.schema) as session:
        cook = session.get(Employee, org.cook)
        update_employee(
            session,
            acting(ADMIN_SCOPE, "hr@example.com"),
            cook,
            data_of(cook, name="张无忌", status="on_leave"),
        )
        assert cook.initials == "zwj"
        (row,) = audit_rows(session, "employee.updated")
        assert row.before == {"name": "张三丰", "status": "active"}
        assert row.after == {"name": "张无忌", "status": "on_leave"}
        # Saving without a change writes no audit row.
        update_employee(session, acting(ADMIN_SCOPE, "hr@example.com"), cook, data_of(cook))
        assert len(audit_rows(session, "employee.updated")) == 1


def test_an_employee_cannot_manage_themself(db, org):
    with db.tenant(org.schema) as session:
        boss = session.get(Employee, org.boss)
        with pytest.raises(Invalid) as exc:
            update_employee(
                session, acting(ADMIN_SCOPE, "hr"), boss, data_of(boss, manager_id=boss.id)
            )
        assert "own manager" in messages(exc, "manager_id")[0]


def test_a_manager_circle_is_refused_directly_and_through_a_chain(db, org):
    with db.tenant(org.schema) as session:
        office = session.get(OrgUnit, org.office)
        # 王经理 → 张三丰 → 刘一 → 陈二: the boss may not report to anyone below him.
        liu = add_employee(session, "E102", "刘一", office, manager_id=org.cook)
        chen = add_employee(session, "E103", "陈二", office, manager_id=liu.id)
        boss = session.get(Employee, org.boss)
        for subordinate in (org.cook, liu.id, chen.id):
            with pytest.raises(Invalid) as exc:
                update_employee(
                    session, acting(ADMIN_SCOPE, "hr"), boss, data_of(boss, manager_id=subordinate)
                )
            assert "circle" in messages(exc, "manager_id")[0]
        assert session.get(Employee, org.boss).manager_id is None
        # Someone outside the chain is fine.
        update_employee(
            session, acting(ADMIN_SCOPE, "hr"), boss, data_of(boss, manager_id=org.clerk)
        )
        assert boss.manager_id == org.clerk


def test_a_manager_who_has_left_cannot_be_chosen(db, org):
    with db.tenant(org.schema) as session:
        session.get(Employee, org.clerk).status = "left"
        cook = session.get(Employee, org.cook)
        with pytest.raises(Invalid) as exc:
            update_employee(
                session, acting(ADMIN_SCOPE, "hr"), cook, data_of(cook, manager_id=org.clerk)
            )
        assert "has left" in messages(exc, "manager_id")[0]


def manager_scope(session, org) -> Scope:
    logistics = session.get(OrgUnit, org.logistics)
    return Scope(False, False, (logistics.path,), org.boss)


def test_a_manager_may_only_place_people_in_units_they_manage(db, org):
    with db.tenant(org.schema) as session:
        scope = manager_scope(session, org)
        with pytest.raises(Invalid) as exc:
            create_employee(
                session,
                acting(scope, "boss"),
                EmployeeData(number="E400", name="赵四", unit_id=org.office),
            )
        assert "units you manage" in messages(exc, "unit_id")[0]
        inside = create_employee(
            session,
            acting(scope, "boss"),
            EmployeeData(number="E400", name="赵四", unit_id=org.canteen),
        )
        # Nor move someone out of their subtree.
        with pytest.raises(Invalid):
            update_employee(
                session, acting(scope, "boss"), inside, data_of(inside, unit_id=org.office)
            )


def test_a_manager_cannot_change_someone_outside_their_subtree(db, org):
    with db.tenant(org.schema) as session:
        clerk = session.get(Employee, org.clerk)
        with pytest.raises(Refused):
            update_employee(
                session,
                acting(manager_scope(session, org), "boss"),
                clerk,
                data_of(clerk, name="改名"),
            )
        assert clerk.name == "李小红"


def test_archived_units_are_refused(db, org):
    with db.tenant(org.schema) as session:
        office = session.get(OrgUnit, org.office)
        office.archived_at = dt.datetime.now(dt.UTC)
        cook = session.get(Employee, org.cook)
        with pytest.raises(Invalid) as exc:
            update_employee(
                session, acting(ADMIN_SCOPE, "hr"), cook, data_of(cook, unit_id=org.office)
            )
        assert "archived" in messages(exc, "unit_id")[0]


def test_unknown_level_and_unknown_unit_are_refused(db, org):
    with db.tenant(org.schema) as session:
        with pytest.raises(Invalid) as exc:
            create_employee(
                session,
                acting(ADMIN_SCOPE, "hr"),
                EmployeeData(number="E500", name="钱五", unit_id=999999, position_level_id=999999),
            )
        assert set(exc.value.errors) == {"unit_id", "position_level_id"}


def test_contacts_are_stored_normalised_and_unique(db, org):
    hr = acting(ADMIN_SCOPE, "hr@example.com")
    with db.tenant(org.schema) as session:
        added = create_employee(
            session,
            hr,
            EmployeeData(
                number="E300",
                name="欧阳明月",
                unit_id=org.office,
                mobile="+86 138-0013-8000",
                email=" Ming.Yue@Example.COM ",
            ),
        )
        assert (added.mobile, added.email) == ("13800138000", "ming.yue@example.com")
        assert audit_rows(session, "employee.created")[0].after["mobile"] == "13800138000"
        # The same number or address written another way is still taken.
        with pytest.raises(Invalid) as exc:
            create_employee(
                session,
                hr,
                EmployeeData(
                    number="E301",
                    name="另一个人",
                    unit_id=org.office,
                    mobile="138 0013 8000",
                    email="MING.YUE@example.com",
                ),
            )
        assert messages(exc, "mobile") == ["Another person already has this mobile number."]
        assert messages(exc, "email") == [
            "Another person or account already has this e-mail address."
        ]
        # Keeping one's own contacts on an edit is no clash; clearing them is allowed.
        update_employee(session, hr, added, data_of(added, mobile="13800138000", email=None))
        assert (added.mobile, added.email) == ("13800138000", None)


def test_an_email_of_an_account_is_taken_and_a_linked_account_follows_its_person(db, org):
    from saas.models.user import User

    hr = acting(ADMIN_SCOPE, "hr@example.com")
    with db.tenant(org.schema) as session:
        outsider = User(email="boss@example.com", name="外部账号")
        linked = User(email="cook@example.com", name="张三丰")
        session.add_all([outsider, linked])
        session.flush()
        cook = session.get(Employee, org.cook)
        cook.user_id, cook.email = linked.id, "cook@example.com"
        session.flush()
        with pytest.raises(Invalid) as exc:
            update_employee(session, hr, cook, data_of(cook, email="boss@example.com"))
        assert "email" in exc.value.errors
        assert cook.email == "cook@example.com"  # refused before anything changed
        update_employee(session, hr, cook, data_of(cook, email="zhang@example.com"))
        assert session.get(User, linked.id).email == "zhang@example.com"
