"""Screenshots of the people pages, to look at: the list (~60 employees), a search, a profile
of someone assessed and of someone excluded, the employee form, and the eligibility settings,
at desktop and phone widths, in Chinese and English.

Not a test. Like bench/screenshots.py it serves the app from a thread against a throw-away
database on the PostgreSQL and Redis that DATABASE_URL and REDIS_URL name, drives Debian's
Chromium, and writes PNGs to screenshots/ (git-ignored):

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \\
    REDIS_URL=redis://127.0.0.1:6379/0 .venv/bin/python bench/people_screenshots.py

Files are named people-<language>-<device>-<page>.png.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import secrets
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.screenshots import DEVICES, LANGUAGES, choose_language, scratch_kaohe  # noqa: E402
from saas.auth.permissions import Actor  # noqa: E402
from saas.models.org import OrgUnit  # noqa: E402
from saas.models.people import Employee  # noqa: E402
from saas.models.user import User, UserRole  # noqa: E402
from saas.people.eligibility import add_rule  # noqa: E402
from saas.people.employees import EmployeeData, create_employee  # noqa: E402
from saas.people.levels import seed_reference_levels  # noqa: E402
from saas.platform.onboarding import NewTenant, create_tenant  # noqa: E402
from tenants.db import Database  # noqa: E402
from tenants.slugs import schema_for  # noqa: E402
from tests.browser.conftest import chromium, serve  # noqa: E402

PASSWORD = "screenshot-password-1"
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕欧阳"
GIVEN = [
    "伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟",
    "涛", "明", "超", "秀兰", "霞", "平", "刚", "桂英", "建华", "玉梅", "志强", "海燕", "晓东",
    "春梅", "国庆", "红霞", "文博", "子涵", "雨桐", "思远", "嘉怡", "浩然", "欣怡", "宇轩", "梓萱",
]  # fmt: skip


def _unit(session, name, parent=None, kind="department", category=None, code=None) -> OrgUnit:
    unit = OrgUnit(
        name=name,
        code=code or f"U{secrets.token_hex(3)}",
        kind=kind,
        category=category,
        parent_id=parent.id if parent else None,
        path="",
    )
    session.add(unit)
    session.flush()
    unit.path = f"{parent.path if parent else ''}{unit.id}/"
    return unit


def seed_people(db: Database, tenant: NewTenant) -> dict[str, int]:
    """A logistics centre of ~60 people, the default ladder and three rules."""
    rng = random.Random(20260301)
    with db.tenant(schema_for(tenant.slug)) as session:
        seed_reference_levels(session, Actor.system(tenant.admin_email))
        from sqlalchemy import select

        from saas.models.org import PositionLevel

        levels = {lv.name: lv.id for lv in session.scalars(select(PositionLevel))}
        company = _unit(session, "青岛港口粮食储运有限公司", kind="company", code="HG")
        centre = _unit(session, "后勤服务中心", company, kind="business_unit", code="HG-HQ")
        catering = _unit(session, "餐饮部", centre, category="一线生产部门", code="HG-CY")
        property_ = _unit(session, "物业管理部", centre, category="一线生产部门", code="HG-WY")
        office = _unit(session, "综合办公室", centre, category="职能部门", code="HG-ZB")
        finance = _unit(session, "财务部", centre, category="职能部门", code="HG-CW")
        teams = {
            "第一职工食堂班组": _unit(session, "第一职工食堂班组", catering, "team"),
            "面点班组": _unit(session, "面点班组", catering, "team"),
            "保洁班组": _unit(session, "保洁班组", property_, "team"),
            "设备维修班组": _unit(session, "设备维修班组", property_, "team"),
        }
        security = _unit(session, "外包安保服务商（青岛盾安）", centre, "provider", code="HG-BA")
        session.flush()

        def person(number, unit, position, level, form="正式员工", manager=None, status="active"):
            name = rng.choice(SURNAMES[:-2]) + rng.choice(GIVEN)
            if number.endswith("7"):
                name = "欧阳" + rng.choice(GIVEN)
            employee = create_employee(
                session,
                Actor.system(tenant.admin_email),
                EmployeeData(
                    number=number,
                    name=name,
                    unit_id=unit.id,
                    position=position,
                    position_level_id=levels[level],
                    employment_form=form,
                    manager_id=manager.id if manager else None,
                    hire_date=dt.date(2008, 1, 1) + dt.timedelta(days=rng.randrange(6000)),
                    status=status,
                ),
            )
            return employee

        director = person("HG0001", centre, "后勤服务中心主任", "公司领导")
        heads = {}
        for i, (unit, title) in enumerate(
            [
                (catering, "餐饮部经理"),
                (property_, "物业管理部经理"),
                (office, "办公室主任"),
                (finance, "财务部经理"),
            ],
            start=2,
        ):
            heads[unit.id] = person(f"HG{i:04d}", unit, title, "部门经理", manager=director)
            unit.manager_id = heads[unit.id].id
        number = 10
        work = {
            "第一职工食堂班组": ["厨师", "厨师", "帮厨", "服务员", "服务员", "收银员", "厨师"],
            "面点班组": ["面点师", "面点师", "帮厨"],
            "保洁班组": ["保洁员"] * 6,
            "设备维修班组": ["电工", "水暖工", "维修工", "维修工"],
        }
        forms = ["正式员工"] * 5 + ["合同制"] * 3 + ["劳务派遣", "临时工"]
        for team_name, positions in work.items():
            team = teams[team_name]
            parent_head = heads[team.parent_id]
            leader = person(f"HG{number:04d}", team, "班组长", "班组长", manager=parent_head)
            team.manager_id = leader.id
            number += 1
            for _round in range(2):
                for position in positions:
                    status = rng.choices(["active", "on_leave", "left"], [20, 2, 1])[0]
                    person(
                        f"HG{number:04d}",
                        team,
                        position,
                        "员工",
                        rng.choice(forms),
                        leader,
                        status,
                    )
                    number += 1
        for unit, positions in (
            (office, ["文员", "档案管理员", "司机"]),
            (finance, ["会计", "出纳"]),
        ):
            person(f"HG{number:04d}", unit, "主管", "部门主管", manager=heads[unit.id])
            number += 1
            for position in positions:
                person(f"HG{number:04d}", unit, position, "员工", "合同制", heads[unit.id])
                number += 1
        for i in range(4):
            person(f"BA{i + 1:03d}", security, "保安员", "员工", "外包人员")
        add_rule(
            session,
            tenant.admin_email,
            "employment_form",
            value="外包人员",
            note="外包人员由服务商自行考核",
        )
        add_rule(session, tenant.admin_email, "employment_form", value="劳务派遣")
        cook = session.scalar(select(Employee).where(Employee.position == "厨师").limit(1))
        user = User(email="cook@harbour-grain.example.cn", name=cook.name)
        user.set_password(PASSWORD)
        user.roles = [UserRole(role="employee")]
        session.add(user)
        session.flush()
        cook.user_id = user.id
        total = session.query(Employee).count()
        return {"director": director.id, "cook": cook.id, "employees": total}


def tour(browser, base_url, tenant, ids, language, device, out: Path) -> list[Path]:
    context = browser.new_context(base_url=base_url, locale=LANGUAGES[language], **DEVICES[device])
    context.set_default_timeout(30_000)
    page = context.new_page()
    errors: list[str] = []
    page.on(
        "console",
        lambda m: errors.append(m.text) if m.type == "error" and "400" not in m.text else None,
    )
    files: list[Path] = []

    def shot(name: str) -> None:
        path = out / f"people-{language}-{device}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        # Horizontal overflow is the commonest phone bug: report it.
        wide = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
        files.append(path)
        print(path.name, "OVERFLOWS SIDEWAYS" if wide else "")

    page.goto(f"/t/{tenant.slug}/login")
    page.locator("input[name=identifier]").fill(tenant.admin_email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button.primary").click()
    page.wait_for_url(f"**/t/{tenant.slug}/")
    choose_language(page, language)
    people = f"/t/{tenant.slug}/people/"
    page.goto(people)
    shot("list")
    page.locator("#people-q").fill("oy")
    page.wait_for_url("**q=oy**")
    page.locator("#results").wait_for()
    shot("list-search")
    page.goto(people + "?page=2")
    shot("list-page-2")
    page.goto(f"{people}{ids['director']}")
    shot("profile-excluded")
    page.goto(f"{people}{ids['cook']}")
    shot("profile-assessed")
    page.goto(f"{people}{ids['cook']}/edit")
    shot("edit")
    page.locator("input[name=number]").fill("HG0001")
    page.locator("input[name=manager]").fill("NOPE")
    page.locator("form.employee-form button.primary").click()
    page.wait_for_load_state()
    shot("edit-errors")
    page.goto(people + "settings/levels")
    shot("levels")
    page.goto(people + "settings/rules")
    shot("rules")
    context.close()
    if errors:
        print(f"  console errors ({language}, {device}): {errors}", file=sys.stderr)
    return files


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--language", choices=list(LANGUAGES), action="append")
    from saas.app import create_app

    with scratch_kaohe(parser) as (args, settings, db):
        tenant = create_tenant(
            db,
            settings,
            "harbour-grain",
            "青岛港口粮食储运有限公司后勤服务中心",
            "zhang.xiaoming@harbour-grain.example.cn",
            PASSWORD,
        )
        ids = seed_people(db, tenant)
        print(f"{ids['employees']} employees")
        with serve(create_app(settings)) as server, chromium() as browser:
            files = [
                path
                for language in args.language or list(LANGUAGES)
                for device in DEVICES
                for path in tour(browser, server.url, tenant, ids, language, device, args.out)
            ]
    print(f"{len(files)} screenshots in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
