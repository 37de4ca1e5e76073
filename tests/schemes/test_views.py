"""The scheme pages as a tenant admin uses them: create from a template, edit a draft in place,
see problems and totals, publish, copy, export and import files — and what others may not do."""

from __future__ import annotations

import io
import re

from saas.models.user import Role
from saas.schemes import files
from tests.schemes.conftest import HTMX, login_as, new_scheme, stored, token


def body(response) -> str:
    return response.get_data(as_text=True)


def test_admin_creates_a_scheme_from_a_template(client, db, place):
    login_as(client, place)
    page = client.get(place.url())
    assert page.status_code == 200 and "smile_functional" in body(page)
    response = client.post(
        place.url("new"), data={"csrf_token": token(client, place), "template": "smile_functional"}
    )
    assert response.status_code == 302
    editor = client.get(response.headers["Location"])
    text = body(editor)
    assert editor.status_code == 200
    assert "遵章守纪" in text and "最佳微笑奖" in text
    assert "badge-default" in text  # item points the source does not give are marked
    assert 'id="preview-form"' in text


def test_editing_an_item_saves_it_and_redraws_the_totals(client, db, place):
    version_id = new_scheme(db, place)
    login_as(client, place)
    response = client.post(
        place.url(f"v/{version_id}/items/A1"),
        data={
            "csrf_token": token(client, place),
            "text": "Arrives on time",
            "max": "15",
            "mode": "points",
        },
        headers=HTMX,
    )
    assert response.status_code == 200
    assert response.headers["HX-Trigger"] == "scheme-changed"
    text = body(response)
    assert "Arrives on time" in text
    assert "items add up to 35" in text  # 15 + 20 in section A, whose maximum is 40
    assert "add up to 35 of its 40 points" in text or "35" in text
    item = stored(db, place, version_id).definition["sections"][0]["items"][0]
    assert (item["text"], item["max"]) == ("Arrives on time", "15")


def test_a_bad_value_is_refused_with_the_reason_and_nothing_is_saved(client, db, place):
    version_id = new_scheme(db, place)
    before = stored(db, place, version_id).definition
    login_as(client, place)
    response = client.post(
        place.url(f"v/{version_id}/items/A1"),
        data={
            "csrf_token": token(client, place),
            "text": "On time",
            "max": "ten",
            "mode": "points",
        },
        headers=HTMX,
    )
    assert response.status_code == 400
    text = body(response)
    assert 'id="form-item-A1"' in text and "field-error" in text
    assert 'value="ten"' in text  # what the author typed is kept for them to fix
    assert stored(db, place, version_id).definition == before


def test_weights_that_do_not_total_100_block_publishing(client, db, place):
    version_id = new_scheme(db, place)
    login_as(client, place)
    stored_before = stored(db, place, version_id).definition
    seen = re.search(
        r'name="seen" value="([0-9a-f]+)"',
        body(client.get(place.url(f"v/{version_id}/edit/source-0"))),
    ).group(1)
    response = client.post(
        place.url(f"v/{version_id}/source/0"),
        data={
            "csrf_token": token(client, place),
            "kind": "supervisor",
            "weight": "80",
            "seen": seen,
        },
        headers=HTMX,
    )
    assert response.status_code == 200
    assert "To fix before publishing" in body(response)
    refused = client.post(
        place.url(f"v/{version_id}/publish"), data={"csrf_token": token(client, place)}
    )
    assert refused.status_code == 302
    assert stored(db, place, version_id).status == "draft"
    assert stored(db, place, version_id).definition != stored_before


def test_an_edit_from_a_stale_page_is_refused(client, db, place):
    version_id = new_scheme(db, place)
    login_as(client, place)
    response = client.post(
        place.url(f"v/{version_id}/band/0"),
        data={
            "csrf_token": token(client, place),
            "threshold": "95",
            "label": "Top",
            "seen": "0000000000000000",
        },
        headers=HTMX,
    )
    assert response.status_code == 400
    assert "changed since this page was opened" in body(response)
    assert stored(db, place, version_id).definition["bands"][0]["label"] == "Excellent"


def test_sections_and_items_are_added_moved_and_deleted(client, db, place):
    version_id = new_scheme(db, place)
    login_as(client, place)
    csrf = token(client, place)
    client.post(
        place.url(f"v/{version_id}/sections"),
        data={"csrf_token": csrf, "title": "Ethics", "max": "10"},
        headers=HTMX,
    )
    client.post(
        place.url(f"v/{version_id}/sections/C/items"),
        data={"csrf_token": csrf, "text": "Honest", "max": "10", "mode": "yes_no"},
        headers=HTMX,
    )
    client.post(
        place.url(f"v/{version_id}/sections/C/move"),
        data={"csrf_token": csrf, "direction": "up"},
        headers=HTMX,
    )
    client.post(
        place.url(f"v/{version_id}/items/A2/delete"), data={"csrf_token": csrf}, headers=HTMX
    )
    sections = stored(db, place, version_id).definition["sections"]
    assert [s["key"] for s in sections] == ["A", "C", "B"]
    assert [i["key"] for i in sections[1]["items"]] == ["C1"]
    assert [i["key"] for i in sections[0]["items"]] == ["A1"]


def test_publish_then_every_way_of_changing_it_is_refused(client, db, place):
    version_id = new_scheme(db, place)
    login_as(client, place)
    csrf = token(client, place)
    assert (
        client.post(place.url(f"v/{version_id}/publish"), data={"csrf_token": csrf}).status_code
        == 302
    )
    published = stored(db, place, version_id)
    assert published.status == "published"
    page = body(client.get(place.url(f"v/{version_id}")))
    assert "New version from this" in page and 'id="form-' not in page
    # A direct request to the editor's endpoints
    edit = client.post(
        place.url(f"v/{version_id}/items/A1"),
        data={"csrf_token": csrf, "text": "Changed", "max": "20"},
        headers=HTMX,
    )
    assert edit.status_code == 400 and "can no longer be changed" in body(edit)
    # A file imported into it
    upload = files.dump(__import__("saas.schemes.versions", fromlist=["x"]).definition(published))
    imported = client.post(
        place.url(f"v/{version_id}/import"),
        data={
            "csrf_token": csrf,
            "file": (io.BytesIO(upload.replace("On time", "X").encode()), "s.yaml"),
        },
        content_type="multipart/form-data",
    )
    assert imported.status_code == 302
    assert client.get(place.url(f"v/{version_id}/edit/general")).status_code == 404
    assert stored(db, place, version_id).definition == published.definition


def test_new_version_from_a_published_one_opens_a_draft(client, db, place):
    version_id = new_scheme(db, place, publish=True)
    login_as(client, place)
    response = client.post(
        place.url(f"v/{version_id}/new-version"), data={"csrf_token": token(client, place)}
    )
    assert response.status_code == 302
    draft_page = client.get(response.headers["Location"])
    assert "Version 2" in body(draft_page) and "Publish" in body(draft_page)


def test_export_import_export_is_byte_identical(client, db, place):
    version_id = new_scheme(db, place)
    login_as(client, place)
    exported = client.get(place.url(f"v/{version_id}/export"))
    assert exported.status_code == 200
    assert "attachment" in exported.headers["Content-Disposition"]
    response = client.post(
        place.url("import"),
        data={
            "csrf_token": token(client, place),
            "file": (io.BytesIO(exported.data), "scheme.yaml"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    new_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    assert client.get(place.url(f"v/{new_id}/export")).data == exported.data


def test_a_broken_file_names_line_and_field_and_creates_nothing(client, db, place):
    login_as(client, place)
    text = files.dump(
        __import__("saas.scoring.checks", fromlist=["x"]).parse(
            __import__("tests.schemes.conftest", fromlist=["x"]).SMALL
        )[0]
    )
    broken = text.replace("max: 60", "max: sixty")
    line = broken.splitlines().index("  max: sixty") + 1
    response = client.post(
        place.url("import"),
        data={"csrf_token": token(client, place), "file": (io.BytesIO(broken.encode()), "s.yaml")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert f"Line {line}" in body(response) or f"line {line}" in body(response)
    assert "sections[1].max" in body(response)
    assert "Window service" not in body(client.get(place.url()))


def test_the_preview_scores_what_is_typed(client, db, place):
    version_id = new_scheme(db, place)
    login_as(client, place)
    response = client.post(
        place.url(f"v/{version_id}/preview"),
        data={
            "csrf_token": token(client, place),
            "period": "2026-Q3",
            "r.supervisor.A1": "18",
            "r.supervisor.A2": "yes",
            "r.supervisor.B1": "55",
            "ev0.event": "praise",
            "ev0.on": "2026-08-01",
            "ev0.validity": "valid",
        },
        headers=HTMX,
    )
    assert response.status_code == 200
    text = body(response)
    assert 'data-final="100.00"' in text  # 93 + 10 for the praise, capped at 100
    assert "Excellent" in text and "¥300" in text


def test_the_preview_says_what_is_wrong_with_a_sample(client, db, place):
    version_id = new_scheme(db, place)
    login_as(client, place)
    response = client.post(
        place.url(f"v/{version_id}/preview"),
        data={"csrf_token": token(client, place), "period": "2026-Q9", "r.supervisor.A1": "x"},
        headers=HTMX,
    )
    assert response.status_code == 200
    assert "2026-Q9" in body(response) and "is not a rating" in body(response)


def test_readers_see_published_versions_only(client, db, place):
    draft = new_scheme(db, place)
    published = new_scheme(
        db,
        place,
        {**__import__("tests.schemes.conftest", fromlist=["x"]).SMALL, "name": "Canteen"},
        publish=True,
    )
    login_as(client, place, Role.MANAGER)
    listing = body(client.get(place.url()))
    assert "Canteen" in listing and "Window service" not in listing
    assert "New scheme" not in listing
    assert client.get(place.url(f"v/{published}")).status_code == 200
    assert client.get(place.url(f"v/{draft}")).status_code == 404


def test_non_admins_cannot_change_schemes(client, db, place):
    version_id = new_scheme(db, place)
    published = new_scheme(db, place, publish=True)
    for role in (Role.MANAGER, Role.COMMITTEE, Role.INSPECTOR):
        client.cookie_jar.clear() if hasattr(client, "cookie_jar") else None
        login_as(client, place, role)
        csrf = token(client, place)
        assert (
            client.post(
                place.url(f"v/{version_id}/items/A1"),
                data={"csrf_token": csrf, "text": "x", "max": "1"},
            ).status_code
            == 403
        )
        assert (
            client.post(
                place.url(f"v/{published}/new-version"), data={"csrf_token": csrf}
            ).status_code
            == 403
        )
        assert (
            client.post(place.url("new"), data={"csrf_token": csrf, "name": "Mine"}).status_code
            == 403
        )
    assert stored(db, place, version_id).definition["sections"][0]["items"][0]["text"] == "On time"


def test_employees_have_no_scheme_pages(client, db, place):
    published = new_scheme(db, place, publish=True)
    login_as(client, place, Role.EMPLOYEE)
    assert client.get(place.url()).status_code == 403
    assert client.get(place.url(f"v/{published}")).status_code == 403
    assert "/schemes/" not in body(client.get(f"/t/{place.slug}/"))


def test_lifecycle_buttons_navigate_for_htmx_instead_of_drawing_a_page_inside_the_editor(
    client, db, place
):
    version_id = new_scheme(db, place, publish=True)
    login_as(client, place)
    response = client.post(
        place.url(f"v/{version_id}/new-version"),
        data={"csrf_token": token(client, place)},
        headers=HTMX,
    )
    assert response.status_code == 200 and response.get_data() == b""
    draft_url = response.headers["HX-Redirect"]
    assert draft_url.endswith(f"/v/{version_id + 1}") or "/v/" in draft_url
    assert "Version 2" in body(client.get(draft_url))


def test_a_published_version_shows_no_publishing_checklist(client, db, place):
    version_id = new_scheme(db, place, publish=True)
    login_as(client, place)
    assert "can be published" not in body(client.get(place.url(f"v/{version_id}")))
