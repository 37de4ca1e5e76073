from tests.conftest import login


def test_tenant_login_and_home(client, tenant):
    assert client.get(f"/t/{tenant.slug}/").status_code == 302
    response = login(client, tenant)
    assert response.status_code == 302
    home = client.get(f"/t/{tenant.slug}/")
    assert home.status_code == 200
    assert tenant.name in home.get_data(as_text=True)
