"""Another tenant's admin can neither read nor change a scheme, whatever id they try."""

from __future__ import annotations

from tests.schemes.conftest import HTMX, login_as, make_place, new_scheme, stored, token


def test_a_scheme_is_invisible_and_unchangeable_from_another_tenant(client, db, make_tenant):
    owner, other = make_place(db, make_tenant), make_place(db, make_tenant)
    draft = new_scheme(db, owner)
    published = new_scheme(db, owner, publish=True)
    login_as(client, other)
    csrf = token(client, other)
    for version_id in (draft, published):
        assert client.get(other.url(f"v/{version_id}")).status_code == 404
        assert client.get(other.url(f"v/{version_id}/export")).status_code == 404
        assert (
            client.post(other.url(f"v/{version_id}/preview"), data={"csrf_token": csrf}).status_code
            == 404
        )
        for path in ("items/A1", "general", "publish", "new-version", "discard", "archive"):
            response = client.post(
                other.url(f"v/{version_id}/{path}"),
                data={"csrf_token": csrf, "text": "x", "max": "1", "name": "Stolen"},
                headers=HTMX,
            )
            assert response.status_code == 404, path
    assert "Window service" not in client.get(other.url()).get_data(as_text=True)
    assert stored(db, owner, draft).definition["name"] == "Window service"
    assert stored(db, owner, published).status == "published"


def test_a_session_from_one_tenant_is_worthless_at_the_other(client, db, make_tenant):
    owner, other = make_place(db, make_tenant), make_place(db, make_tenant)
    new_scheme(db, owner)
    login_as(client, other)
    response = client.get(owner.url())
    assert response.status_code in (302, 401, 403)
