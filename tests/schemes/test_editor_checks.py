"""The editor as a new tenant admin meets it: what the check flags (items over a section's
maximum, names the tenant does not have, with a link to where they are kept), sections rated
as a whole, defaults marked once and source references for admins only, labels in both
languages, and a preview that says when it kept a value in range and scores nothing while an
input is wrong."""

from __future__ import annotations

import io
import re

from saas.auth.permissions import Actor
from saas.models.org import PositionLevel
from saas.models.user import Role
from saas.org.units import create_unit
from saas.schemes import templates, versions
from saas.scoring.checks import parse
from tenants.slugs import schema_for
from tests.schemes.conftest import (
    FLAWED,
    HTMX,
    SMALL,
    Place,
    login_as,
    make_place,
    new_scheme,
    stored,
    token,
)


def body(response) -> str:
    return response.get_data(as_text=True)


def send(client, place, path: str, data: dict):
    """An HTMX form post from the editor, with its CSRF token."""
    return client.post(
        place.url(path), data={"csrf_token": token(client, place), **data}, headers=HTMX
    )


class Draft:
    """A draft made through the service, its admin logged in, and the editor's posts to it."""

    def __init__(self, client, db, place, data: dict | None = None, template: str = "") -> None:
        self.client, self.place = client, place
        if template:
            actor = Actor.system(place.tenant.admin_email, user_id=place.admin_id(db))
            scheme = templates.load_template(template)
            with db.tenant(place.schema) as session:
                self.id = versions.create_scheme(session, actor, scheme).id
        else:
            self.id = new_scheme(db, place, data)
        login_as(client, place)

    def send(self, path: str, data: dict):
        return send(self.client, self.place, f"v/{self.id}/{path}", data)

    def page(self) -> str:
        return body(self.client.get(self.place.url(f"v/{self.id}")))


def add_level(db, place, name: str = "部门主管") -> None:
    with db.tenant(place.schema) as session:
        session.add(PositionLevel(name=name, rank=3))


# -- item 11: the check ------------------------------------------------------------------------


def test_the_check_flags_items_over_the_maximum_and_a_level_the_tenant_lacks(client, db, place):
    draft = Draft(client, db, place, FLAWED)
    page = draft.page()
    assert "No problems" not in page
    assert "The items of 文明礼貌 add up to 55 points, more than the section" in page
    assert "The items of 遵章守纪 add up to 20.01 points" in page
    assert "There is no position level 部门主管: no position levels are set up yet" in page
    # With a link to where the levels are kept.
    assert f'href="/t/{place.slug}/people/settings/levels"' in page
    refused = client.post(
        place.url(f"v/{draft.id}/publish"), data={"csrf_token": token(client, place)}
    )
    assert refused.status_code == 302
    assert stored(db, place, draft.id).status == "draft"


def test_once_the_level_exists_the_scheme_can_be_published(client, db, place):
    data = {**FLAWED, "sections": SMALL["sections"], "unit_categories": []}
    version_id = new_scheme(db, place, data)
    add_level(db, place)
    login_as(client, place)
    assert "No problems: this scheme can be published." in body(
        client.get(place.url(f"v/{version_id}"))
    )
    client.post(place.url(f"v/{version_id}/publish"), data={"csrf_token": token(client, place)})
    assert stored(db, place, version_id).status == "published"


def test_another_tenants_levels_and_categories_do_not_count(client, db, make_tenant):
    # Each tenant's check reads its own vocabulary: A's level and category do not make B's
    # exclusion work.
    first, second = make_place(db, make_tenant), make_place(db, make_tenant)
    add_level(db, first)
    with db.tenant(first.schema) as session:
        actor = Actor.system(first.tenant.admin_email, user_id=first.admin_id(db))
        create_unit(session, actor, None, name="综合部", category="职能部门")
    data = {**SMALL, "unit_categories": ["职能部门"], "eligibility": FLAWED["eligibility"]}
    version_id = new_scheme(db, second, data)
    login_as(client, second)
    page = body(client.get(second.url(f"v/{version_id}")))
    assert "There is no position level 部门主管" in page
    assert "No unit has the category 职能部门 yet" in page
    assert f'href="/t/{second.slug}/org/"' in page


def test_the_reference_template_asks_for_the_level_it_excludes_from(client, db, place):
    login_as(client, place)
    response = send(client, place, "new", {"template": "smile_functional"})
    page = body(client.get(response.headers["Location"]))
    assert "There is no position level 部门主管" in page


# -- item 12: a section rated as a whole -------------------------------------------------------


def test_a_section_switched_to_rated_as_a_whole_keeps_its_items_as_standards(client, db, place):
    draft = Draft(client, db, place)
    version_id = draft.id
    response = draft.send(
        "sections/A",
        {"title": "Discipline", "max": "40", "scoring": "section"},
    )
    assert response.status_code == 200, body(response)
    section = stored(db, place, version_id).definition["sections"][0]
    assert section["scoring"] == "section"
    assert [item.get("max") for item in section["items"]] == [None, None]
    page = body(response)
    assert "Rated as a whole: one number from 0 to 40" in page
    assert "Standards to check" in page and "Add a standard" in page


def test_switched_back_its_items_share_the_sections_points(client, db, place):
    data = {
        **SMALL,
        "sections": [
            {
                "key": "A",
                "title": "Discipline",
                "max": 20,
                "scoring": "section",
                "items": [{"key": f"A{n}", "text": f"Rule {n}"} for n in (1, 2, 3)],
            },
            {"key": "B", "title": "Service", "max": 80, "items": SMALL["sections"][1]["items"]},
        ],
    }
    data["sections"][1]["items"] = [{"key": "B1", "text": "Smiles", "max": 80}]
    draft = Draft(client, db, place, data)
    version_id = draft.id
    draft.send(
        "sections/A",
        {"title": "Discipline", "max": "20", "scoring": "items"},
    )
    items = stored(db, place, version_id).definition["sections"][0]["items"]
    assert [item["max"] for item in items] == ["6.66", "6.66", "6.68"]  # 20, not 20.01


def test_the_preview_rates_a_whole_section_with_one_number(client, db, place):
    draft = Draft(client, db, place, {**FLAWED, "eligibility": []})
    page = draft.page()
    assert 'name="r.supervisor.C"' in page and 'placeholder="0–70"' in page
    response = draft.send("preview", {"period": "2026-Q3", "r.supervisor.C": "65"})
    assert 'data-final="65.00"' in body(response)
    assert "优质服务, rated as a whole: 1 rater, mean 65, score 65" in body(response)


# -- item 14: pending events, defaults -------------------------------------------------------


def test_an_event_without_the_validity_its_rule_needs_is_pending(client, db, place):
    data = {
        **SMALL,
        "rules": [
            {"event": "complaint", "label": "有效投诉", "label_en": "Valid complaint",
             "needs_validity": True, "disqualify": "this_period"},
        ],
    }  # fmt: skip
    draft = Draft(client, db, place, data)
    page = draft.page()
    assert '<option value="">no decision yet</option>' in page
    response = draft.send(
        "preview",
        {
            "period": "2026-Q3",
            "r.supervisor.B1": "50",
            "ev0.event": "complaint",
            "ev0.on": "2026-08-01",
            "ev0.validity": "",
        },
    )
    text = body(response)
    assert "Disqualified" not in text
    assert "Valid complaint (#1): pending, no validity decision yet" in text


def test_a_changed_default_is_no_longer_marked(client, db, place):
    draft = Draft(client, db, place, template="canteen_hygiene")
    draft.send("items/HY-1.1", {"text": "大门干净", "max": "4", "mode": "points"})
    items = stored(db, place, draft.id).definition["sections"][0]["items"]
    assert not items[0].get("defaulted")
    assert {k: str(v) for k, v in items[1]["defaulted"].items()} == {"max": "3"}


# -- item 15: wording, defaults once, references for admins, labels in both languages --------


def test_defaults_are_marked_once_per_section_not_on_every_item(client, db, place):
    scheme = templates.load_template("canteen_hygiene")
    page = Draft(client, db, place, template="canteen_hygiene").page()
    items = sum(len(section.items) for section in scheme.sections)
    assert page.count("item points: default") == len(scheme.sections)
    assert page.count('class="badge badge-default"') < items
    assert page.count("marks Kaohe's suggestion where the standard gives no number") == 1


def test_source_references_are_for_admins_only(client, db, place):
    scheme = templates.load_template("smile_functional")
    actor = Actor.system(place.tenant.admin_email, user_id=place.admin_id(db))
    add_level(db, place)
    with db.tenant(place.schema) as session:
        version = versions.create_scheme(session, actor, scheme)
        versions.publish(session, actor, version)
        version_id = version.id
    login_as(client, place)
    admin_page = body(client.get(place.url(f"v/{version_id}")))
    assert "Source: “部门考核评定为主" in admin_page
    assert "《精准化微笑服务考核管理办法（试行）》" in admin_page  # provenance
    login_as(client, place, Role.COMMITTEE)
    reader_page = body(client.get(place.url(f"v/{version_id}")))
    assert "部门考核评定为主，公司考核小组核准认定为辅”" not in reader_page
    assert "《精准化微笑服务考核管理办法（试行）》中" not in reader_page
    assert "由部门评定" in reader_page  # the note every reader sees


def test_rule_events_are_labelled_in_the_readers_language(client, db, make_tenant):
    english = make_place(db, make_tenant)
    chinese_tenant = make_tenant(locale="zh_CN")
    chinese = Place(chinese_tenant, schema_for(chinese_tenant.slug))
    scheme = templates.load_template("smile_functional")
    ids = {}
    for place in (english, chinese):
        actor = Actor.system(place.tenant.admin_email, user_id=place.admin_id(db))
        with db.tenant(place.schema) as session:
            ids[place.slug] = versions.create_scheme(session, actor, scheme).id
    login_as(client, english)
    page = body(client.get(english.url(f"v/{ids[english.slug]}")))
    assert "Praise letter, banner or company-level praise" in page
    assert "表扬信、锦旗等表扬或公司级表扬" not in page
    login_as(client, chinese)
    page = body(client.get(chinese.url(f"v/{ids[chinese.slug]}")))
    assert "表扬信、锦旗等表扬或公司级表扬" in page
    assert "Praise letter, banner" not in page


# -- item 16: the editor's words and the preview ---------------------------------------------


def test_an_items_scoring_mode_is_labelled_as_what_it_is(client, db, place):
    draft = Draft(client, db, place)
    page = draft.page()
    assert "Scoring: points" in page and "Scoring: yes/no" in page


def test_the_preview_says_when_a_value_was_kept_within_range(client, db, place):
    draft = Draft(client, db, place)
    response = draft.send("preview", {"period": "2026-Q3", "r.supervisor.A1": "25"})
    text = body(response)
    assert "A1: 25 is above the maximum of 20 and counts as 20." in text
    assert 'data-final="20.00"' in text


def test_the_preview_shows_no_score_while_an_input_is_invalid(client, db, place):
    draft = Draft(client, db, place)
    response = draft.send(
        "preview",
        {"period": "2026-Q3", "r.supervisor.A1": "18", "r.supervisor.B1": "abc"},
    )
    text = body(response)
    assert "No score until these inputs are fixed" in text
    assert "B1: abc is not a rating this item takes." in text
    assert "data-final" not in text and "preview-final" not in text.split("preview-summary")[0]
    # The summary at the foot of a phone's screen follows, out of band.
    assert 'id="preview-summary"' in text and 'hx-swap-oob="true"' in text


def test_a_file_that_is_not_yaml_is_said_with_line_and_column(client, db, place):
    login_as(client, place)
    text = "kaohe_scheme: 1\nname: 窗口: 服务\n"
    response = client.post(
        place.url("import"),
        data={"csrf_token": token(client, place), "file": (io.BytesIO(text.encode()), "s.yaml")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    page = body(response)
    assert "line 2, column 9: A colon is not expected here" in page
    assert "mapping values are not allowed" not in page


def test_an_opened_form_takes_the_focus_so_it_is_in_view(client, db, place):
    draft = Draft(client, db, place)
    version_id = draft.id
    form = body(client.get(place.url(f"v/{version_id}/edit/item-A1"), headers=HTMX))
    found = re.search(r'<form[^>]*id="form-item-A1".*?</form>', form, re.S).group(0)
    assert found.count(" autofocus") == 1
    assert re.search(r'<textarea name="text"[^>]* autofocus', found)


def test_the_flawed_data_is_valid_enough_to_save() -> None:
    scheme, issues = parse(FLAWED)
    assert scheme is not None
    assert all(not issue.blocks_saving for issue in issues)
