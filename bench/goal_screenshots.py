"""Screenshots of the goal pages, to look at: a property company's goal tree for 2026-Q3
(company → departments → teams → people, every status, some actuals, one goal not fully
cascaded), a goal with its history and sub-goals, a person's goal, a returned goal, the
approval section as the approving manager sees it and an actual refused with its reason; the
goal form (new, with its errors, and moving a goal, as the admin and as a manager who cannot
open the parent), actuals unconfirmed, corrected and withdrawn, the four-eyes rule and the
settings page; at desktop and phone widths, in Chinese and English. It says when a page is
wider than the screen.

Not a test. Like bench/screenshots.py it serves the app from a thread against a throw-away
database on the PostgreSQL and Redis that DATABASE_URL and REDIS_URL name, drives Debian's
Chromium, and writes PNGs to screenshots/ (git-ignored):

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \\
    REDIS_URL=redis://127.0.0.1:6379/0 .venv/bin/python bench/goal_screenshots.py

Files are named goal-<language>-<device>-<page>.png.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from bench.screenshots import DEVICES, LANGUAGES, PASSWORD, Shots, log_in, scratch_kaohe  # noqa: E402
from saas.auth.permissions import Actor  # noqa: E402
from saas.goals import actuals, service  # noqa: E402
from saas.goals.service import GoalData  # noqa: E402
from saas.models.goal import Goal, GoalActual  # noqa: E402
from saas.models.org import OrgUnit  # noqa: E402
from saas.models.people import Employee  # noqa: E402
from saas.models.user import Role, User, UserRole  # noqa: E402
from saas.org.units import seed_example_org  # noqa: E402
from saas.platform.onboarding import NewTenant, create_tenant  # noqa: E402
from tenants.db import Database  # noqa: E402
from tenants.slugs import schema_for  # noqa: E402
from tests.browser.conftest import chromium, serve  # noqa: E402

PERIOD = "2026-Q3"
TODAY = dt.date(2026, 10, 8)  # the quarter is over: every actual of the tour is dated before
APPROVER = "zhao.li@harbour-grain.example.cn"  # 赵丽, manager of 保洁部 BJ
CHECKER = (
    "wang.fang@harbour-grain.example.cn"  # a second tenant admin: approves what the first drafts
)

# People by unit code: (number, name, manages the unit, e-mail of their account or None).
PEOPLE = (
    ("GC", "HG0101", "陈志强", True, None),
    ("GC-SD", "HG0201", "王建军", True, None),
    ("GC-SD", "HG0202", "李建华", False, None),
    ("GC-SD", "HG0203", "欧阳国庆", False, None),
    ("GC-KT", "HG0301", "孙海涛", True, None),
    ("BJ", "HG0401", "赵丽", True, APPROVER),
    ("BJ-1", "HG0501", "周秀英", False, None),
    ("KF", "HG0601", "林晓东", True, None),
    ("ZX", "HG0701", "郭刚", True, None),
)


@dataclass(frozen=True)
class Spec:
    """One goal of the tour's tree: its owner (a unit code or a person's number), its title
    and measure, its share of the parent, where it stands and what has been reported."""

    owner: str
    title: str
    share: str | None = None
    weight: str = "100"
    target: str | None = None
    baseline: str | None = None
    unit: str | None = None
    direction: str = "higher"
    milestone: bool = False
    status: str = "approved"
    comment: str = ""
    actuals: tuple[tuple[str, object, str], ...] = ()  # (date, value or done, note)
    children: tuple[Spec, ...] = field(default=())


TREE = (
    Spec(
        "WY", "物业服务综合满意度提升至92分以上，物业费收缴率不低于95%，业主有效投诉同比下降30%",
        weight="60", target="92", baseline="88", unit="分",
        children=(
            Spec(
                "GC", "设备设施完好率达到98%以上，报修两小时内响应率100%", share="30",
                target="98", baseline="95", unit="%",
                actuals=(("2026-07-31", "96.5", "7月两台水泵检修"), ("2026-08-31", "97.2", "")),
                children=(
                    Spec(
                        "GC-SD", "水电报修工单按时完成率≥98%", share="40", target="98",
                        unit="%",
                        children=(
                            Spec("HG0202", "个人工单按时完成率≥98%", share="50", target="98",
                                 unit="%",
                                 actuals=(("2026-07-31", "97", "7月工单118单，超时3单"),
                                          ("2026-08-31", "99", "8月工单126单，超时1单"))),
                            Spec("HG0203", "配电房、水泵房月度巡检计划完成率100%", share="50",
                                 target="100", unit="%", status="submitted",
                                 actuals=(("2026-08-31", "92", "台风停电两日"),)),
                        ),
                    ),
                    Spec("GC-KT", "空调暖通设备故障停机时间不超过24小时", share="30",
                         target="24", baseline="40", unit="小时", direction="lower",
                         actuals=(("2026-08-31", "30", "冷却塔更换风机"),)),
                    Spec("GC-DT", "完成全部42台电梯第三季度维保及年检", share="30",
                         milestone=True, actuals=(("2026-09-10", True, "年检报告已归档"),)),
                ),
            ),
            Spec(
                "BJ", "公共区域保洁质量抽检合格率≥95%", share="25", target="95", unit="%",
                status="submitted",
                children=(
                    Spec("BJ-1", "A/B座公共区域每日两次巡检保洁，抽检合格率≥96%", share="50",
                         target="96", unit="%", status="submitted"),
                    Spec("BJ-2", "C座及地下车库保洁合格率≥95%", share="50", status="draft"),
                ),
            ),
            Spec(
                "KF", "业主有效投诉件数控制在12件以内", share="25", target="12",
                baseline="20", unit="件", direction="lower", status="returned",
                comment="目标值偏宽，请参照上季度实际（9件）重新设定。",
            ),
            Spec("ZX", "完成门岗智能道闸系统上线并通过验收", share="10", milestone=True,
                 status="draft"),
        ),
    ),
    Spec("WY", "全年安全生产零重大责任事故", weight="40", milestone=True),
)  # fmt: skip


@dataclass
class Seeded:
    tenant: NewTenant
    goals: dict[str, int]  # owner code or number → the id of its (first) goal


def seed(db: Database, settings) -> Seeded:
    tenant = create_tenant(
        db, settings, "harbour-grain", "青岛港口粮食储运有限公司后勤服务中心",
        "zhang.xiaoming@harbour-grain.example.cn", PASSWORD,
    )  # fmt: skip
    with db.tenant(schema_for(tenant.slug)) as session:
        seed_example_org(session, Actor.system(tenant.admin_email))
        units = {u.code: u for u in session.scalars(select(OrgUnit))}
        people = add_people(session, units)
        admin = session.scalar(select(User.id).where(User.email == tenant.admin_email))
        actor = Actor.system(tenant.admin_email, user_id=admin)
        checker = Actor.system(
            CHECKER, user_id=add_user(session, CHECKER, "王芳", Role.TENANT_ADMIN)
        )
        goals: dict[str, int] = {}
        for spec in TREE:
            plant(session, (actor, checker), spec, None, units, people, goals)
        amend(session, actor, goals)
    return Seeded(tenant, goals)


def amend(session: Session, actor: Actor, goals: dict[str, int]) -> None:
    """A person's July actual corrected and a team's late entry withdrawn, each with its
    reason, so the history shows both kept beside what counts now."""
    rows = session.scalars(
        select(GoalActual)
        .where(GoalActual.goal_id.in_([goals["HG0202"], goals["GC-KT"]]))
        .order_by(GoalActual.id)
    ).all()
    july = next(a for a in rows if a.goal_id == goals["HG0202"])
    actuals.correct_actual(
        session, actor, july, value="96", on=july.on, note=july.note,
        reason="7月超时单数漏计2单，按工单系统导出数更正", today=TODAY,
    )  # fmt: skip
    hvac = session.get(Goal, goals["GC-KT"])
    extra = actuals.record_actual(
        session, actor, hvac, value="18", on=dt.date(2026, 9, 20), note="9月", today=TODAY
    )
    session.flush()
    actuals.withdraw_actual(session, actor, extra, reason="重复录入：9月数据由月报统一填报")


def add_user(session: Session, email: str, name: str, role: Role) -> int:
    user = User(email=email, name=name)
    user.set_password(PASSWORD)
    user.roles = [UserRole(role=str(role))]
    session.add(user)
    session.flush()
    return user.id


def add_people(session: Session, units: dict[str, OrgUnit]) -> dict[str, Employee]:
    people = {}
    for code, number, name, manages, email in PEOPLE:
        person = Employee(number=number, name=name, unit_id=units[code].id)
        session.add(person)
        session.flush()
        people[number] = person
        if manages:
            units[code].manager_id = person.id
        if email:
            person.user_id = add_user(session, email, name, Role.MANAGER)
    return people


def plant(session, actors, spec: Spec, parent: Goal | None, units, people, goals) -> None:
    """Draft one goal as the tenant admin, bring it to its status (the second admin approves
    or returns it), record its actuals, and do the same for its sub-goals."""
    actor, checker = actors
    owner = {"unit": units[spec.owner]} if spec.owner in units else {}
    owner = owner or {"employee": people[spec.owner]}
    data = GoalData(
        title=spec.title,
        weight=spec.weight,
        contribution=spec.share,
        measure="milestone" if spec.milestone else "numeric",
        unit=spec.unit,
        baseline=spec.baseline,
        target=spec.target,
        direction=spec.direction,
    )
    goal = service.create_goal(session, actor, data, period=PERIOD, parent=parent, **owner)
    goals.setdefault(spec.owner, goal.id)
    if spec.status != "draft":
        service.submit(session, actor, goal)
    if spec.status == "approved":
        service.approve(session, checker, goal)
    elif spec.status == "returned":
        service.return_goal(session, checker, goal, spec.comment)
    for on, value, note in spec.actuals:
        reported = {"done": value} if isinstance(value, bool) else {"value": value}
        actuals.record_actual(
            session, actor, goal, on=dt.date.fromisoformat(on), note=note, today=TODAY, **reported
        )
    for child in spec.children:
        plant(session, actors, child, goal, units, people, goals)


def goal_shots(page, shot: Shots, goals: str, ids: dict[str, int]) -> None:
    """The admin's view: the tree, the company goal, a department's with history and
    sub-goals, a team's with its people to cascade to, a person's, and a returned one."""
    page.goto(f"{goals}?period={PERIOD}")
    shot("tree")
    page.locator(f"#goal-{ids['GC']} .goal-title").first.click()
    page.locator("#goal-side #goal-panel").wait_for()
    shot("tree-with-goal-beside")
    for name, owner in (
        ("company", "WY"),
        ("department", "GC"),
        ("team", "GC-SD"),
        ("person", "HG0202"),
        ("returned", "KF"),
        ("milestone-draft", "ZX"),
    ):
        page.goto(f"{goals}{ids[owner]}")
        shot(name)
    page.goto(f"{goals}{ids['GC']}")
    shot("department-children", element=page.locator(".goal-children"))


def refused_shot(page, shot: Shots, goals: str, goal_id: int) -> None:
    """An actual in words: refused with its reason, the form keeping what was typed."""
    page.goto(f"{goals}{goal_id}")
    form = page.locator("form.goal-actual-form")
    form.locator("input[name=value]").fill("九十七")
    form.locator("input[name=note]").fill("9月工单131单")
    form.locator("button[type=submit]").click()
    page.locator(".goal-actual-form .field-error").wait_for()
    page.locator(".goal-progress").scroll_into_view_if_needed()
    shot("refused", element=page.locator(".goal-progress"))


def form_shots(page, shot: Shots, goals: str) -> None:
    """The goal form: empty with its own period, then sent with mistakes: every one beside its
    field, what was typed kept."""
    page.goto(f"{goals}?period={PERIOD}")
    page.locator(".goal-tools a.primary").click()
    page.locator("section.goal-new form").wait_for()
    shot("new")
    form = page.locator("section.goal-new form")
    form.locator("input[name=title]").fill("")
    form.locator("input[name=period]").fill("2026-Q5")
    form.locator("input[name=weight]").fill("150")
    form.locator("input[name=target]").fill("九十五")
    form.locator("input[name=unit]").fill("%")
    form.locator("button[type=submit]").click()
    page.locator(".goal-new .field-error").first.wait_for()
    shot("new-errors")


def history_shots(page, shot: Shots, goals: str, ids: dict[str, int]) -> None:
    """Actuals: a person's history with a corrected one, a team's with a withdrawn one, an
    unconfirmed one of a submitted goal, and a correction refused for want of a reason."""
    page.goto(f"{goals}{ids['HG0202']}")
    shot("corrected", element=page.locator(".goal-progress"))
    page.goto(f"{goals}{ids['GC-KT']}")
    shot("withdrawn", element=page.locator(".goal-progress"))
    page.goto(f"{goals}{ids['HG0203']}")
    shot("unconfirmed", element=page.locator(".goal-progress"))
    fix = page.locator(".goal-actual-fix").first
    fix.locator("summary").click()
    fix.locator("input[name=value]").fill("95")
    fix.locator("button[type=submit]").first.click()
    page.locator(".goal-actual-fix[open] .field-error").wait_for()
    page.locator(".goal-actual-fix[open]").scroll_into_view_if_needed()
    shot("correct-refused", element=page.locator(".goal-progress"))


def place_shots(page, shot: Shots, goals: str, ids: dict[str, int], who: str) -> None:
    """Where a goal sits and how it moves: ``who`` is admin or manager."""
    page.goto(f"{goals}{ids['BJ']}")
    page.locator(".goal-place").scroll_into_view_if_needed()
    shot(f"move-{who}", element=page.locator(".goal-place"))
    page.locator(".goal-place form.goal-move button[type=submit]").click()
    page.locator(".goal-place .field-error").wait_for()
    shot(f"move-{who}-nothing-chosen", element=page.locator(".goal-place"))


def approver_shots(page, shot: Shots, goals: str, goal_id: int) -> None:
    """The BJ manager on a team's submitted goal: the approval section with both choices."""
    page.goto(f"{goals}{goal_id}")
    page.locator(".goal-actions button.primary").wait_for()
    shot("approver")
    shot("approval", element=page.locator(".goal-actions"))


def tour(browser, base_url: str, seeded: Seeded, language: str, device: str, out: Path):
    context = browser.new_context(base_url=base_url, locale=LANGUAGES[language], **DEVICES[device])
    context.set_default_timeout(30_000)
    page = context.new_page()
    errors: list[str] = []
    # The refused actual answers 400 on purpose; anything else is news.
    page.on(
        "console",
        lambda msg: (
            errors.append(msg.text)
            if msg.type == "error" and "status of 400" not in msg.text
            else None
        ),
    )
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    shot = Shots(page, out, f"goal-{language}-{device}")
    tenant = seeded.tenant
    goals = f"/t/{tenant.slug}/goals/"

    log_in(page, tenant.slug, tenant.admin_email, language)
    goal_shots(page, shot, goals, seeded.goals)
    refused_shot(page, shot, goals, seeded.goals["HG0202"])
    form_shots(page, shot, goals)
    history_shots(page, shot, goals, seeded.goals)
    place_shots(page, shot, goals, seeded.goals, "admin")
    page.goto(f"{goals}{seeded.goals['BJ']}")  # drafted and submitted by this admin
    shot("four-eyes", element=page.locator(".goal-actions"))
    page.goto(f"/t/{tenant.slug}/settings/")
    shot("settings")
    log_in(page, tenant.slug, APPROVER, language)
    approver_shots(page, shot, goals, seeded.goals["BJ-1"])
    place_shots(page, shot, goals, seeded.goals, "manager")

    context.close()
    if errors:
        print(f"  console errors ({language}, {device}): {errors}", file=sys.stderr)
    return shot.files


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    from saas.app import create_app

    with scratch_kaohe(parser) as (args, settings, db):
        seeded = seed(db, settings)
        app = create_app(settings)
        with serve(app) as server, chromium() as browser:
            files = [
                path
                for language in LANGUAGES
                for device in DEVICES
                for path in tour(browser, server.url, seeded, language, device, args.out)
            ]
    print(f"{len(files)} screenshots in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
