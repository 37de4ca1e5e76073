"""Screenshots of the org tree, to look at: the example property-management organisation with
people and managers; the actions panel, adding a unit, renaming inline (Esc and Enter), a move
refused for a cycle, an archive refused while people remain, archived units shown, the
no-JavaScript unit page and a manager's own subtree; at desktop and phone widths, in Chinese
and English. It also times the tree page for 2,000 units.

Not a test. Like bench/screenshots.py it serves the app from a thread against a throw-away
database on the PostgreSQL and Redis that DATABASE_URL and REDIS_URL name, drives Debian's
Chromium, and writes PNGs to screenshots/ (git-ignored):

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \\
    REDIS_URL=redis://127.0.0.1:6379/0 .venv/bin/python bench/org_screenshots.py

Files are named org-<language>-<device>-<page>.png.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from bench.screenshots import DEVICES, LANGUAGES, PASSWORD, Shots, log_in, scratch_kaohe  # noqa: E402
from saas.auth.permissions import Actor  # noqa: E402
from saas.models.org import OrgUnit  # noqa: E402
from saas.models.people import Employee  # noqa: E402
from saas.models.user import Role, User, UserRole  # noqa: E402
from saas.org.units import create_unit, seed_example_org  # noqa: E402
from saas.people.names import pinyin_initials  # noqa: E402
from saas.platform.onboarding import NewTenant, create_tenant  # noqa: E402
from tenants.db import Database  # noqa: E402
from tenants.slugs import schema_for  # noqa: E402
from tests.browser.conftest import chromium, serve  # noqa: E402

MANAGER = "chen.zhiqiang@wuye.example.cn"
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕"
GIVEN = [
    "伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟",
    "涛", "明", "超", "霞", "平", "刚", "建华", "玉梅", "志强", "海燕", "晓东",
]  # fmt: skip
# How many people work in each unit (by code); the departments' managers come on top.
STAFF = {
    "ZH-XZ": 3, "ZH-RL": 2, "CW": 3, "PZ": 2, "GC-SD": 6, "GC-KT": 4, "GC-DT": 3,
    "BJ-1": 7, "BJ-2": 6, "BJ-LH": 4, "KF-QT": 4, "KF-RX": 5, "ZX-MG": 5, "ZX-XL": 4,
    "XM-YG": 3, "XM-BJ": 2, "WB-BA": 6, "WB-DT": 2,
}  # fmt: skip
MANAGED = ("WY", "ZH", "CW", "PZ", "GC", "BJ", "KF", "ZX", "XM", "WB", "GC-SD", "KF-RX")


def seed(db: Database, settings) -> tuple[NewTenant, NewTenant]:
    tenant = create_tenant(
        db, settings, "wuye", "某某物业服务有限公司", "hr@wuye.example.cn", PASSWORD
    )
    rng = random.Random(2026)
    with db.tenant(schema_for(tenant.slug)) as session:
        seed_example_org(session, Actor.system(tenant.admin_email))
        ids = dict(session.execute(select(OrgUnit.code, OrgUnit.id)).all())
        number = 100
        for code in MANAGED:
            number += 1
            name = "陈志强" if code == "GC" else rng.choice(SURNAMES) + rng.choice(GIVEN)
            boss = _employee(session, ids[code], f"E{number}", name)
            session.get(OrgUnit, ids[code]).manager_id = boss.id
            if code == "GC":
                user = User(email=MANAGER, name="陈志强")
                user.set_password(PASSWORD)
                user.roles = [UserRole(role=Role.MANAGER)]
                session.add(user)
                session.flush()
                boss.user_id = user.id
        for code, count in STAFF.items():
            for _ in range(count):
                number += 1
                name = rng.choice(SURNAMES) + rng.choice(GIVEN)
                _employee(session, ids[code], f"E{number}", name)
    big = create_tenant(db, settings, "big-org", "大型集团", "hr@big.example.cn", PASSWORD)
    with db.tenant(schema_for(big.slug)) as session:
        _big_tree(session, Actor.system(big.admin_email))
    return tenant, big


def _employee(session, unit_id: int, number: str, name: str) -> Employee:
    employee = Employee(number=number, name=name, unit_id=unit_id, initials=pinyin_initials(name))
    session.add(employee)
    session.flush()
    return employee


def _big_tree(session, actor: Actor) -> None:
    """2,000 units: a group, 10 companies, 10 departments each, 19 teams per department."""
    group = create_unit(session, actor, None, name="大型集团", kind="company")
    for c in range(10):
        company = create_unit(session, actor, group, name=f"子公司{c + 1}", kind="company")
        for d in range(10):
            department = create_unit(session, actor, company, name=f"部门{d + 1}")
            # 19 teams in most departments, 18 in eleven: 1 + 10 + 100 + 1,889 = 2,000.
            for t in range(19 - (c * 10 + d < 11)):
                create_unit(session, actor, department, name=f"班组{t + 1}", kind="team")


def node(page, name: str):
    """The tree node (li) whose own row carries ``name``, pinned by its id."""
    row = page.locator(f".org-row:has(.org-name:text-is('{name}'))").first
    return page.locator("#" + row.get_attribute("id").removesuffix("-row"))


def tour(browser, base_url: str, tenant: NewTenant, language: str, device: str, out: Path):
    context = browser.new_context(base_url=base_url, locale=LANGUAGES[language], **DEVICES[device])
    context.set_default_timeout(30_000)
    page = context.new_page()
    errors: list[str] = []
    page.on(
        "console",
        lambda msg: (
            errors.append(msg.text)
            if msg.type == "error" and "status of 400" not in msg.text
            else None
        ),
    )
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("dialog", lambda dialog: dialog.accept())  # the archive confirmation
    shot = Shots(page, out, f"org-{language}-{device}")
    log_in(page, tenant.slug, tenant.admin_email, language)

    page.goto(f"/t/{tenant.slug}/org/")
    shot("tree")

    engineering = node(page, "工程维修部")
    engineering.locator(":scope > .org-row .org-open").click()
    panel = engineering.locator(":scope > .org-panel .org-panel-body")
    panel.wait_for()
    shot("panel")
    panel.locator("a[href$='/new']").click()
    form = panel.locator("form.org-form")
    form.wait_for()
    form.locator("input[name=name]").fill("弱电班组")
    form.locator("select[name=kind]").select_option("team")
    form.locator("input[name=category]").fill("一线生产部门")
    shot("add-child-form")
    form.locator("button[type=submit]").click()
    page.locator(".org-name:text-is('弱电班组')").wait_for()
    shot("added")

    # Rename inline: Esc restores the name, Enter saves.
    service = node(page, "客服中心")
    service.locator(":scope > .org-row .org-name").click()
    field = service.locator(":scope > .org-row form.org-rename input[name=name]")
    field.fill("客户服务中心")
    shot("rename-inline")
    field.press("Escape")
    service.locator(":scope > .org-row a.org-name:text-is('客服中心')").wait_for()
    service.locator(":scope > .org-row .org-name").click()
    field.fill("")
    field.press("Enter")
    service.locator(":scope > .org-row .field-error").wait_for()
    shot("rename-refused")
    field.fill("客户服务中心")
    field.press("Enter")
    page.locator("a.org-name:text-is('客户服务中心')").wait_for()

    # A move that would make a cycle: the form does not offer it, so forge the choice.
    engineering = node(page, "工程维修部")
    engineering.locator(":scope > .org-row .org-open").click()
    panel = engineering.locator(":scope > .org-panel .org-panel-body")
    panel.locator("a[href$='/move']").click()
    select_box = panel.locator("select[name=parent]")
    select_box.wait_for()
    shot("move-form")
    water_id = node(page, "水电班组").get_attribute("id").removeprefix("unit-")
    select_box.evaluate("(s, v) => { s.add(new Option('水电班组', v)); s.value = v; }", water_id)
    panel.locator("form.org-form button[type=submit]").click()
    panel.locator(".field-error").wait_for()
    shot("move-cycle-refused")
    panel.locator("form.org-form a[data-org-cancel]").click()

    # Archive refused while people remain.
    panel.locator("form.org-archive button").click()
    panel.locator(".org-archive .org-error").wait_for()
    shot("archive-refused")
    panel.locator("a[data-org-dismiss]").click()

    # Move 弱电班组 under 水电班组 for real, then archive it and show archived units.
    added = node(page, "弱电班组")
    added.locator(":scope > .org-row .org-open").click()
    panel = added.locator(":scope > .org-panel .org-panel-body")
    panel.locator("a[href$='/move']").click()
    panel.locator("select[name=parent]").select_option(water_id)
    panel.locator("form.org-form button[type=submit]").click()
    page.locator(f"#unit-{water_id} .org-name:text-is('弱电班组')").wait_for()
    shot("moved")
    added = node(page, "弱电班组")
    added.locator(":scope > .org-row .org-open").click()
    added.locator("form.org-archive button").click()
    page.locator(".org-name:text-is('弱电班组')").wait_for(state="detached")
    page.goto(f"/t/{tenant.slug}/org/?archived=1")
    shot("archived-shown")

    page.goto(f"/t/{tenant.slug}/org/units/{water_id}")
    shot("unit-page")
    page.goto(f"/t/{tenant.slug}/org/units/{water_id}/edit")
    shot("edit-page")

    context.close()

    # The manager of 工程维修部 sees and shapes only that subtree.
    context = browser.new_context(base_url=base_url, locale=LANGUAGES[language], **DEVICES[device])
    page = context.new_page()
    shot.page = page
    log_in(page, tenant.slug, MANAGER, language)
    page.goto(f"/t/{tenant.slug}/org/")
    shot("manager-tree")
    context.close()
    if errors:
        print(f"  console errors ({language}, {device}): {errors}", file=sys.stderr)
    return shot.files


def time_big_tree(browser, base_url: str, big: NewTenant) -> None:
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 800})
    page = context.new_page()
    log_in(page, big.slug, big.admin_email, "zh_CN")
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        response = page.goto(f"/t/{big.slug}/org/")
        timings.append(time.perf_counter() - started)
        size = len(response.body())
    drawn = page.locator(".org-node").count()
    print(
        f"tree of 2,000 units ({drawn} drawn, the rest when opened): "
        f"{min(timings) * 1000:.0f} ms, {size / 1024:.0f} KiB of HTML"
    )
    # Opening a closed department fetches its teams.
    node_id = page.eval_on_selector(
        "details.org-branch:not([open])", "details => details.parentElement.id"
    )
    department = page.locator(f"#{node_id} > details")
    started = time.perf_counter()
    department.locator(":scope > summary").click()
    department.locator(":scope > ul > .org-node").first.wait_for()
    teams = department.locator(":scope > ul > .org-node").count()
    print(f"opening a department drew its {teams} teams in {time.perf_counter() - started:.2f} s")
    Shots(page, ROOT / "screenshots", "org-zh_CN-desktop")("big-tree-opened", full_page=False)
    context.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    from saas.app import create_app

    with scratch_kaohe(parser) as (args, settings, db):
        tenant, big = seed(db, settings)
        app = create_app(settings)
        with serve(app) as server, chromium() as browser:
            files = []
            for language in LANGUAGES:
                for device in DEVICES:
                    # Each tour changes the tree; start each from the same seed.
                    files += tour(browser, server.url, tenant, language, device, args.out)
                    _reset(db, tenant)
            time_big_tree(browser, server.url, big)
    print(f"{len(files)} screenshots in {args.out}")
    return 0


def _reset(db: Database, tenant: NewTenant) -> None:
    """Undo a tour: drop the unit it added and give 客服中心 its name back."""
    from sqlalchemy import delete, update

    with db.tenant(schema_for(tenant.slug)) as session:
        session.execute(delete(OrgUnit).where(OrgUnit.name == "弱电班组"))
        session.execute(
            update(OrgUnit).where(OrgUnit.name == "客户服务中心").values(name="客服中心")
        )


if __name__ == "__main__":
    raise SystemExit(main())
