"""A tenant admin writes a scheme in a real browser: creates an empty draft, adds a source, a
section, two items and two bands through the editor's in-place forms, tries it in the live
preview, changes an item while the preview keeps the typed sample, and publishes it."""

from __future__ import annotations

import re

import pytest

from tests.browser.login import log_in

pytestmark = pytest.mark.browser


def open_form(page, place: str, link: str, form_id: str):
    """Press an editor link (``Add …`` or ``Edit``) inside ``place``; the form swapped in."""
    page.locator(place).get_by_role("link", name=link, exact=True).click()
    form = page.locator(f"#form-{form_id}")
    form.wait_for()
    return form


def fill(form, **values: str) -> None:
    for name, value in values.items():
        field = form.locator(f"[name={name}]")
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)


def submit(page, form) -> None:
    """Send an editor form and wait for the redrawn editor, which no longer has it open."""
    from playwright.sync_api import expect

    form.locator("button[type=submit]").click()
    expect(form).to_have_count(0)
    expect(page.locator("#scheme-editor .field-error")).to_have_count(0)


def create_scheme(page, tenant, *, template: str = "", name: str = "") -> None:
    """A new draft from a template (by code), or an empty one called ``name``."""
    page.goto(f"/t/{tenant.slug}/schemes/")
    form = page.locator("form[action$='/schemes/new']")
    form.locator("select[name=template]").select_option(template)
    form.locator("input[name=name]").fill(name)
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/schemes/v/\d+$"))


def build_front_desk(page) -> None:
    """One source, one section of 100 with a points item (60) and a yes/no item (40), and two
    bands — every part typed into the editor's own forms."""
    from playwright.sync_api import expect

    form = open_form(page, "#sources", "Add a source", "new-source")
    fill(form, kind="supervisor", weight="100")
    submit(page, form)
    expect(page.locator("#sources .total-row")).to_contain_text("100%")

    form = open_form(page, "#checklist", "Add a section", "new-section")
    fill(form, title="Front desk service", max="100")
    submit(page, form)
    expect(page.locator("#section-A h3")).to_contain_text("Front desk service")

    form = open_form(page, "#section-A", "Add an item", "new-item-A")
    fill(form, text="Greets every visitor", max="60", mode="points")
    submit(page, form)
    expect(page.locator("#item-A1")).to_contain_text("Greets every visitor")

    form = open_form(page, "#section-A", "Add an item", "new-item-A")
    fill(form, text="Desk is tidy", max="40", mode="yes_no")
    submit(page, form)
    expect(page.locator("#item-A2")).to_contain_text("yes/no")
    expect(page.locator("#section-A .section-sum")).to_have_text("items add up to 100")

    form = open_form(page, "#bands", "Add a band", "new-band")
    fill(form, threshold="90", label="Excellent", award="300")
    submit(page, form)
    form = open_form(page, "#bands", "Add a band", "new-band")
    fill(form, threshold="0", label="Keep going")
    submit(page, form)
    expect(page.locator("#bands .scheme-entry")).to_have_count(2)
    expect(page.locator("#band-0")).to_contain_text("Excellent")


def test_write_try_out_and_publish_a_scheme(page, make_tenant):
    from playwright.sync_api import expect

    tenant = make_tenant(locale="en")
    log_in(page, tenant)
    create_scheme(page, tenant, name="Front desk")
    expect(page.locator("#scheme-editor h1")).to_have_text("Front desk")
    expect(page.locator(".scheme-problems .problem-list li")).not_to_have_count(0)

    build_front_desk(page)
    problems = page.locator(".scheme-problems")
    expect(problems).to_contain_text("No problems: this scheme can be published.")
    expect(problems.locator("li")).to_have_count(0)

    # Each edit reloads the preview; an empty sample scoring 0 in the last band means the
    # reload after the last edit has landed, so what is typed next is not swapped away.
    panel = page.locator("#preview-panel")
    result = panel.locator("#preview-result")
    expect(result.locator(".preview-band")).to_have_text("Keep going")
    final = result.locator(".preview-final")
    rating = panel.locator("input[name='r.supervisor.A1']")
    tidy = panel.locator("select[name='r.supervisor.A2']")
    rating.fill("55")
    tidy.select_option("yes")
    expect(final).to_have_attribute("data-final", "95.00")
    expect(result.locator(".preview-band")).to_have_text("Excellent")
    expect(result.locator(".preview-award")).to_have_text("¥300")

    rating.fill("40")
    expect(final).to_have_attribute("data-final", "80.00")
    expect(result.locator(".preview-band")).to_have_text("Keep going")
    expect(result.locator(".preview-award")).to_have_count(0)

    # A lower maximum for the points item: the preview reloads with the changed scheme and
    # the sample still typed in, so the rating of 40 is now clamped to 35.
    form = open_form(page, "#item-A1", "Edit", "item-A1")
    fill(form, max="35")
    submit(page, form)
    expect(page.locator("#item-A1 .item-score strong")).to_have_text("35")
    expect(rating).to_have_attribute("placeholder", "0–35")
    expect(rating).to_have_value("40")
    expect(tidy).to_have_value("yes")
    expect(final).to_have_attribute("data-final", "75.00")
    expect(result.locator(".preview-clamped")).to_have_text(
        "A1: 40 is above the maximum of 35 and counts as 35."
    )
    expect(problems).to_contain_text("Worth a look")

    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(".scheme-actions button", has_text="Publish").click()
    editor = page.locator("#scheme-editor")
    expect(editor.locator(".scheme-head .badge-status-published")).to_be_visible()
    expect(editor.locator(".scheme-actions")).to_contain_text("New version from this")
    expect(editor.get_by_role("link", name="Edit", exact=True)).to_have_count(0)
    expect(editor.get_by_role("link", name="Add an item")).to_have_count(0)
    expect(editor.locator("form.scheme-form")).to_have_count(0)
    expect(editor.locator(".scheme-actions button", has_text="Publish")).to_have_count(0)

    # The page as anyone opens it later says the same.
    page.reload()
    expect(page.locator(".scheme-head .badge-status-published")).to_have_text("published")
    expect(page.locator("#scheme-editor").get_by_role("link", name="Edit")).to_have_count(0)


def test_an_edit_form_opens_where_the_page_is(page, make_tenant):
    """Pressing Edit low on a long page opens the form in place, and the page stays put:
    the browser's scroll anchoring used to throw it to the bottom, the form off-screen."""
    from playwright.sync_api import expect

    from saas.schemes import templates

    tenant = make_tenant(locale="en")
    log_in(page, tenant)
    create_scheme(page, tenant, template="canteen_hygiene")
    assert templates.load_template("canteen_hygiene").sections[4].items[1].key == "HY-5.2"
    item = page.locator("#item-HY-5\\.2")
    item.scroll_into_view_if_needed()
    before = page.evaluate("window.scrollY")
    item.get_by_role("link", name="Edit", exact=True).click()
    opened = page.locator("#form-item-HY-5\\.2")
    expect(opened).to_be_visible()
    page.wait_for_timeout(300)  # htmx settles; any scroll it causes has happened
    top = opened.evaluate("e => e.getBoundingClientRect().top")
    assert 0 <= top < page.viewport_size["height"]
    assert abs(page.evaluate("window.scrollY") - before) < page.viewport_size["height"]
    expect(opened.locator("textarea[name=text]")).to_be_focused()


def test_the_preview_on_a_phone_keeps_the_score_in_view(page, make_tenant):
    from playwright.sync_api import expect

    page.set_viewport_size({"width": 390, "height": 844})
    tenant = make_tenant(locale="en")
    log_in(page, tenant)
    create_scheme(page, tenant, template="smile_functional")
    page.get_by_role("link", name="Try it in the preview ↓").click()
    panel = page.locator("#preview-panel")
    rating = panel.locator("input[name='r.supervisor.A']")
    rating.fill("18")
    summary = panel.locator("#preview-summary")
    expect(summary.locator(".preview-final")).to_have_text("18.00")
    # The score sits at the foot of the screen while the inputs are typed, and the input is
    # big enough for a thumb.
    box = summary.bounding_box()
    assert box is not None and box["y"] + box["height"] <= 844 + 1
    assert rating.bounding_box()["height"] >= 44
    rating.fill("十八")
    expect(summary).to_contain_text("No score")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
