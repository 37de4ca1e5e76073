"""A company goal cascaded, approved and measured in a real browser.

The tenant admin drafts the company's goal for 2026-Q3 on the Goals page and cascades it to
two departments (工程维修部 GC, 保洁部 BJ) and to one person placed directly in the company
(周文). A second tenant admin approves the company goal (the four-eyes rule: nobody approves
what they drafted). The admin gives each child its share of the parent; each owner logs in,
sets a target and submits; the admin approves all three (the company has no manager, so the
admin is the superior of the departments and of the person). The GC manager then records an
actual and the company goal's bar follows: the roll-up is the weighted mean over the children
that have reported, so the person's goal, with no actual yet, does not drag it down.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from saas.models.org import OrgUnit
from saas.models.user import Role
from tests.conftest import ADMIN_PASSWORD
from tests.org.conftest import PASSWORD, Org, add_employee, add_user, make_org

pytestmark = pytest.mark.browser

PERIOD = "2026-Q3"
TITLE = "2026年第三季度物业费收缴率"
PERSON = "周文"


@dataclass
class Cast:
    org: Org
    emails: dict[str, str]  # who → e-mail: admin, admin2, gc, bj, person

    def password(self, who: str) -> str:
        return ADMIN_PASSWORD if who == "admin" else PASSWORD


def seed(db, make_tenant) -> Cast:
    """The example organisation, a manager with an account for GC and for BJ, and one
    employee with an account placed directly in the company unit WY (which has no manager)."""
    org = make_org(db, make_tenant)
    emails = {"admin": org.tenant.admin_email, "admin2": f"admin2@{org.slug}.example.com"}
    with db.tenant(org.schema) as session:
        add_user(session, emails["admin2"], Role.TENANT_ADMIN)
        for who, code, name, manages in (
            ("gc", "GC", "陈经理", True),
            ("bj", "BJ", "赵经理", True),
            ("person", "WY", PERSON, False),
        ):
            employee = add_employee(session, org.ids[code], f"E-{who}", name)
            emails[who] = f"{who}@{org.slug}.example.com"
            role = Role.MANAGER if manages else Role.EMPLOYEE
            add_user(session, emails[who], role, employee=employee)
            if manages:
                session.get(OrgUnit, org.ids[code]).manager_id = employee.id
    return Cast(org, emails)


def log_in_as(page, cast: Cast, who: str) -> None:
    """A fresh session for ``who``: the previous user's cookies are dropped first."""
    slug = cast.org.slug
    page.context.clear_cookies()
    page.goto(f"/t/{slug}/login")
    page.locator("input[name=identifier]").fill(cast.emails[who])
    page.locator("input[name=password]").fill(cast.password(who))
    page.locator("form button[type=submit].primary").click()
    page.wait_for_url(re.compile(rf"/t/{re.escape(slug)}/$"))


def panel(page):
    return page.locator("#goal-panel")


def status_is(page, status: str) -> None:
    from playwright.sync_api import expect

    expect(panel(page).locator(".subtitle .badge:not(.badge-to-complete)")).to_have_text(status)


def draft_company_goal(page, cast: Cast) -> str:
    """Draft the company's goal from the Goals page; returns the URL of its page."""
    from playwright.sync_api import expect

    page.goto(f"/t/{cast.org.slug}/goals/?period={PERIOD}")
    expect(page.locator("h1")).to_contain_text(PERIOD)
    page.get_by_role("link", name="Draft a goal").click()
    form = page.locator("section.goal-new form")
    expect(form.locator("input[name=period]")).to_have_value(PERIOD)
    form.locator("select[name=owner]").select_option(f"unit:{cast.org.ids['WY']}")
    form.locator("input[name=title]").fill(TITLE)
    form.locator("input[name=weight]").fill("100")
    form.locator("input[name=target]").fill("100")
    form.locator("input[name=unit]").fill("%")
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/goals/\d+$"))
    expect(panel(page).locator("h1")).to_have_text(TITLE)
    status_is(page, "draft")
    return page.url


def cascade(page, cast: Cast) -> dict[str, str]:
    """Cascade the open goal to GC, BJ and the person; returns each child's page by owner."""
    from playwright.sync_api import expect

    form = panel(page).locator("form.goal-cascade")
    form.locator(f"input[name=unit][value='{cast.org.ids['GC']}']").check()
    form.locator(f"input[name=unit][value='{cast.org.ids['BJ']}']").check()
    form.get_by_label(PERSON).check()
    form.locator("button[type=submit]").click()
    # The panel is swapped in place: the same URL, now listing the three drafts.
    rows = panel(page).locator(".goal-children li")
    expect(rows).to_have_count(3)
    expect(rows.locator(".badge", has_text="draft")).to_have_count(3)
    links = {}
    for who, owner in (("gc", "工程维修部"), ("bj", "保洁部"), ("person", PERSON)):
        link = rows.filter(has_text=owner).get_by_role("link", name=TITLE)
        links[who] = link.get_attribute("href")
    return links


def fact(page, term: str):
    """The value the open goal's facts give for ``term`` (e.g. Target)."""
    return panel(page).locator(f"xpath=.//dt[normalize-space()='{term}']/following-sibling::dd[1]")


def change(page, name: str, value: str, term: str, shown: str) -> None:
    """Change one field of the open goal and wait for the redrawn panel, whose facts show
    ``shown`` for ``term`` once the change is saved."""
    from playwright.sync_api import expect

    form = panel(page).locator(".goal-edit form.goal-edit-form")
    form.locator(f"input[name={name}]").fill(value)
    form.locator("button[type=submit]").click()
    expect(fact(page, term)).to_contain_text(shown)
    expect(panel(page).locator(".field-error")).to_have_count(0)


def press(page, section: str, button: str, status: str) -> None:
    """Press a button of the open goal and wait until the badge shows the new status."""
    panel(page).locator(section).get_by_role("button", name=button, exact=True).click()
    status_is(page, status)


def record_actual(page, value: str, on: str, shown: str) -> None:
    from playwright.sync_api import expect

    form = panel(page).locator("form.goal-actual-form")
    form.locator("input[name=value]").fill(value)
    form.locator("input[name=on]").fill(on)
    form.locator("input[name=note]").fill("八月数据")
    form.locator("button[type=submit]").click()
    expect(panel(page).locator(".goal-history li").first).to_contain_text(on)
    expect(panel(page).locator(".goal-progress .goal-percent")).to_have_text(shown)


def attainment(page):
    return panel(page).locator(".goal-progress .goal-percent")


def test_cascade_approve_record_and_see_the_roll_up(page, db, make_tenant):
    from playwright.sync_api import expect

    cast = seed(db, make_tenant)
    log_in_as(page, cast, "admin")
    company = draft_company_goal(page, cast)
    children = cascade(page, cast)
    expect(panel(page).locator(".goal-children")).to_contain_text("33.33% of this goal")
    expect(attainment(page)).to_have_text("no actual yet")

    # The company goal has no unit above: a tenant admin approves it, but not the one who
    # drafted and submitted it.
    press(page, ".goal-actions", "Submit for approval", "submitted")
    expect(panel(page).get_by_role("button", name="Approve")).to_have_count(0)
    expect(panel(page).locator(".goal-four-eyes")).to_be_visible()
    log_in_as(page, cast, "admin2")
    page.goto(company)
    press(page, ".goal-actions", "Approve", "approved")
    log_in_as(page, cast, "admin")

    # The admin, owner of the parent, splits it unevenly: GC half, BJ and the person a quarter;
    # each stays for its owner to complete (待完善).
    for who, share in (("gc", "50"), ("bj", "25"), ("person", "25")):
        page.goto(children[who])
        change(page, "contribution", share, "Share of its parent", f"{share}%")
        status_is(page, "draft")
        expect(panel(page).locator(".subtitle .badge-to-complete")).to_be_visible()

    # Each owner sets a target and submits; none of them may approve their own goal.
    for who, target in (("gc", "100"), ("bj", "200"), ("person", "20")):
        log_in_as(page, cast, who)
        page.goto(children[who])
        change(page, "target", target, "Target", f"{target} %")
        expect(panel(page).locator(".badge-to-complete")).to_have_count(0)
        press(page, ".goal-actions", "Submit for approval", "submitted")
        expect(panel(page).get_by_role("button", name="Approve")).to_have_count(0)

    # The company unit WY has no manager, so its admin approves the departments and the person.
    log_in_as(page, cast, "admin")
    for who in children:
        page.goto(children[who])
        press(page, ".goal-actions", "Approve", "approved")
        expect(panel(page).locator(".goal-actions")).to_contain_text(
            "Changing an approved goal sends it back"
        )

    page.goto(company)
    rows = panel(page).locator(".goal-children li")
    expect(rows.locator(".badge", has_text="approved")).to_have_count(3)
    expect(attainment(page)).to_have_text("no actual yet")

    # GC reports 50 of 100: its bar shows 50.00%, and so does the company goal, since GC is
    # the only child that has reported (the others are left out, not counted as 0).
    log_in_as(page, cast, "gc")
    page.goto(children["gc"])
    record_actual(page, "50", "2026-08-31", "50.00%")
    expect(panel(page).locator(".goal-progress progress")).to_have_attribute("value", "50")

    log_in_as(page, cast, "admin")
    page.goto(company)
    expect(attainment(page)).to_have_text("50.00%")
    expect(panel(page).locator(".goal-progress progress")).to_have_attribute("value", "50")
    expect(rows.filter(has_text="工程维修部").locator(".goal-percent")).to_have_text("50.00%")

    # BJ reports 160 of 200 (80%): (50 × 50% + 25 × 80%) / (50 + 25) = 60%, by share, where
    # a plain average of the two would give 65%.
    log_in_as(page, cast, "bj")
    page.goto(children["bj"])
    record_actual(page, "160", "2026-09-01", "80.00%")

    log_in_as(page, cast, "admin")
    page.goto(company)
    expect(attainment(page)).to_have_text("60.00%")
    expect(rows.filter(has_text=PERSON).locator(".goal-percent")).to_have_text("no actual yet")
    page.goto(f"/t/{cast.org.slug}/goals/?period={PERIOD}")
    top = page.locator(".goal-tree-card > .goal-tree > .goal-node > details > summary")
    expect(top.locator(".goal-percent")).to_have_text("60.00%")
