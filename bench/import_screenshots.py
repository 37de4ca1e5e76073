"""Screenshots of the import pages, to look at: desktop and phone, Chinese and English.

Not a test. Starts the app like bench/screenshots.py (throw-away database on the servers that
DATABASE_URL and REDIS_URL name, werkzeug in a thread, Debian's Chromium) and writes
screenshots/<language>-<device>-import-*.png: the upload page, a preview with problems,
a clean preview and an imported file.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \\
    REDIS_URL=redis://127.0.0.1:6379/0 .venv/bin/python bench/import_screenshots.py
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from saas.platform.onboarding import create_tenant  # noqa: E402
from tests.browser.conftest import chromium, serve  # noqa: E402
from tests.imports.conftest import (  # noqa: E402
    employees_sheet,
    person,
    unit,
    units_sheet,
    xlsx,
)

from screenshots import (  # noqa: E402
    DEVICES,
    LANGUAGES,
    PASSWORD,
    Shooter,
    choose_language,
    scratch_kaohe,
    worker,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

GOOD = xlsx(
    {
        "部门": units_sheet(
            unit("QD", "青岛港口粮食储运有限公司", kind="公司", manager="Q0001"),
            unit("HQ-LOG", "后勤服务中心", "QD", "事业部", "职能部门"),
            unit("HQ-CAN", "职工食堂", "HQ-LOG", "部门", "一线生产部门", "Q0002"),
            unit("HQ-CAN-1", "早班班组", "HQ-CAN", "班组", "一线生产部门"),
        ),
        "人员": employees_sheet(
            person("Q0001", "欧阳娜娜", "QD", "总经理", form="正式员工"),
            person("Q0002", "张三丰", "HQ-CAN", "食堂主管", manager="Q0001"),
            person("Q0003", "王小明", "HQ-CAN-1", "厨师", manager="Q0002", form="劳务派遣"),
        ),
    }
)

BAD = xlsx(
    {
        "部门": units_sheet(
            unit("QD", "青岛港口粮食储运有限公司", kind="总公司办"),
            unit("HQ-LOG", "后勤服务中心", "HQ-CAN", "事业部"),
            unit("HQ-CAN", "职工食堂", "HQ-LOG", "部门", "一线生产部门", "Q9999"),
        ),
        "人员": employees_sheet(
            person("Q0001", "欧阳娜娜", "QD", "总经理", level="集团副总裁"),
            person("Q0002", "张三丰", "HQ-CANTEEN-NORTH-WING", "食堂主管", manager="Q0001"),
            person("Q0002", "李四", "HQ-CAN", hired="2024-02-30"),
            person("Q0004", None, "HQ-CAN", status="退休", manager="Q0005"),
            person("Q0005", "赵敏", "HQ-CAN", manager="Q0004"),
        ),
    }
)


def upload(page, name: str, content: bytes) -> None:
    page.goto(page.url.split("/imports")[0] + "/imports/")
    page.locator("input[name=file]").set_input_files(
        {"name": name, "mimeType": XLSX, "buffer": content}
    )
    page.locator("#upload-button").click()
    page.wait_for_url(re.compile(r"/imports/\d+$"))


def tour(browser, base_url: str, slug: str, email: str, language: str, device: str, out: Path):
    context = browser.new_context(base_url=base_url, locale=LANGUAGES[language], **DEVICES[device])
    context.set_default_timeout(60_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    shooter = Shooter(page, out, f"{language}-{device}")
    page.goto(f"/t/{slug}/login")
    page.locator("input[name=identifier]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button.primary").click()
    page.wait_for_url(re.compile(rf"/t/{slug}/$"))
    choose_language(page, language)

    page.goto(f"/t/{slug}/imports/")
    upload(page, "组织架构-有错误.xlsx", BAD)
    shooter.shot("import-preview-errors")
    upload(page, "组织架构.xlsx", GOOD)
    shooter.shot("import-preview-ready")
    page.locator("#commit-button").click()
    page.locator(".import-done").wait_for()
    shooter.shot("import-done")
    page.goto(f"/t/{slug}/imports/")
    shooter.shot("import-upload")
    context.close()
    if errors:
        print(f"  console errors ({language}, {device}): {errors}", file=sys.stderr)
    return shooter.files


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    from saas.app import create_app

    with scratch_kaohe(parser) as (args, settings, db):
        files = []
        app = create_app(settings)
        with worker(settings), serve(app) as server, chromium() as browser:
            for language in LANGUAGES:
                for device in DEVICES:
                    # A tenant per tour: each starts from an empty organisation.
                    slug = f"import-{language.lower().replace('_', '-')}-{device}"
                    email = f"hr@{slug}.example.cn"
                    create_tenant(db, settings, slug, "青岛港口粮食储运有限公司", email, PASSWORD)
                    files += tour(browser, server.url, slug, email, language, device, args.out)
    print(f"{len(files)} screenshots in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
