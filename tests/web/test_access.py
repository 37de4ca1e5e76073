"""The one access model, checked against the app itself.

- every tenant route declares a permission (``@requires``) or is explicitly ``@public``;
- every role × every tenant route × GET and POST answers as the permission table says;
- no page shows a role a link, button or form leading to something the table refuses it;
- the menu and docs/access.md are drawn from the same table.

One tenant, one logged-in client per role, built once for the module. The requests carry
the ids of real records each role may reach (its own goal, a unit under the manager, …), so
an allowed request runs the view's own checks too; a refused one must stop at 403.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from werkzeug.exceptions import MethodNotAllowed, NotFound

from saas.auth.access_doc import access_markdown, tenant_routes
from saas.auth.guard import PUBLIC
from saas.auth.permissions import PERMISSIONS, Actor, Reach
from saas.models.user import Role
from saas.web.menu import MENU
from tests.web.world import (
    ROLES,
    TENANT,
    World,
    build_world,
    permission_of,
    probe_app,
    tenant_rules,
)

ROOT = Path(__file__).resolve().parents[2]
METHODS = ("GET", "POST")

# Refusals that depend on the record, not the role: the table grants the permission, the
# record refuses it (and says so on the page). Each is a rule of the service, listed in
# docs/access.md's closing paragraph.
RECORD_REFUSALS = {
    # Only an administrator adds a top-level unit; a manager adds units under theirs.
    ("org.create", "/org/units/new", Role.MANAGER),
    # Raters are generated only while a cycle is a draft or open; the world's cycle is scored.
    ("cycles.generate", "/cycles/<int:cycle_id>/raters/generate", Role.TENANT_ADMIN),
}
# Routes that, allowed, end the very login that asked: the answer is the login page.
ENDS_THE_LOGIN = {"auth.logout_everywhere"}


# -- declared permissions -------------------------------------------------------------------------


def test_every_tenant_route_declares_a_permission_or_is_public(app):
    rules = tenant_rules(app)
    assert len(rules) > 80  # the walk saw the whole app
    undeclared = [r.rule for r in rules if permission_of(app, r.endpoint) is None]
    assert undeclared == [], "add @requires('…') (or @public) to these views"
    unknown = {
        permission_of(app, r.endpoint)
        for r in rules
        if permission_of(app, r.endpoint) not in (*PERMISSIONS, PUBLIC)
    }
    assert unknown == set()


def test_a_route_added_without_a_permission_is_caught(app):
    """The walk above fails for a view registered without @requires."""
    from flask import Flask

    probe = Flask(__name__)
    probe.add_url_rule(TENANT + "/new-area/", "new_area.index", lambda tenant_slug: "")
    assert [r.rule for r in tenant_rules(probe) if permission_of(probe, r.endpoint) is None] == [
        TENANT + "/new-area/"
    ]


def test_only_the_login_and_link_pages_are_public(app):
    public = sorted(r.rule for r in tenant_rules(app) if permission_of(app, r.endpoint) == PUBLIC)
    assert public == [
        TENANT,
        TENANT + "/accounts/forgot",
        TENANT + "/accounts/reset/<token>",
        TENANT + "/accounts/welcome/<token>",
        TENANT + "/feedback/<feedback_token>",  # a customer's form, to read it
        TENANT + "/feedback/<feedback_token>",  # to send it
        TENANT + "/feedback/status/<reference>",
        TENANT + "/login",
        TENANT + "/logout",
        TENANT + "/rate/<rater_token>",
        TENANT + "/rate/<rater_token>/sheets/<int:rating_sheet_id>",  # to read it
        TENANT + "/rate/<rater_token>/sheets/<int:rating_sheet_id>",  # to save it
        TENANT + "/rate/<rater_token>/sheets/<int:rating_sheet_id>/item",
    ]


# Permissions that decide what a page shows rather than whether it opens: asked with can().
SHOWN_ONLY = {"home.setup"}


def test_every_permission_is_used_by_a_route(app):
    used = {permission_of(app, r.endpoint) for r in tenant_rules(app)}
    assert set(PERMISSIONS) - used == SHOWN_ONLY


def test_permissions_that_only_shape_a_page_are_asked_for():
    from pathlib import Path

    code = "".join(p.read_text() for p in Path("saas").rglob("*.py"))
    code += "".join(p.read_text() for p in Path("templates").rglob("*.html"))
    for name in SHOWN_ONLY:
        assert f'can("{name}")' in code or f"can('{name}')" in code, name


def test_the_menu_needs_what_its_pages_need(app):
    for item in MENU:
        assert permission_of(app, item.endpoint) == item.permission, item.endpoint


def test_docs_access_md_is_the_table_and_the_pages(app):
    """docs/access.md lists the table and every page's permission, so a page whose
    permission changes shows up in review as a change of the doc."""
    written = (ROOT / "docs" / "access.md").read_text(encoding="utf-8")
    expected = access_markdown(tenant_routes(app))
    assert written == expected, "run: python -m saas.auth.access_doc > docs/access.md"


def test_reach_rules():
    from saas.org.access import Scope

    nothing = Scope(read_all=False, write_all=False, managed_paths=(), employee_id=None)
    managing = Scope(read_all=False, write_all=False, managed_paths=("1/",), employee_id=7)
    manager_of_nothing = Actor(1, "m@x", frozenset({Role.MANAGER}), nothing)
    manager = Actor(1, "m@x", frozenset({Role.MANAGER}), managing)
    # A reach of managed units only is empty for a manager of no unit …
    assert not manager_of_nothing.can("org.view")
    assert manager.can("org.view")
    # … while their own records are always theirs.
    assert manager_of_nothing.can("goals.draft")
    employee = Actor(2, "e@x", frozenset({Role.EMPLOYEE}), nothing)
    assert employee.reach("people.view") == Reach.SELF
    assert not employee.can("goals.gap_report")
    both = Actor(3, "b@x", frozenset({Role.EMPLOYEE, Role.COMMITTEE}), nothing)
    assert Reach.ALL in both.reach("people.view")  # roles add up
    with pytest.raises(KeyError):
        employee.can("goals.no_such_thing")


# -- the matrix -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(app, db, settings) -> World:
    return build_world(app, db, settings, "access")


def _cases(app_rules) -> list:
    cases = []
    for rule in app_rules:
        for method in METHODS:
            if method in rule.methods:
                for role in (*ROLES, None):
                    role_id = role.value if role else "anonymous"
                    case_id = f"{role_id}-{method}-{rule.rule[len(TENANT) :]}"
                    cases.append(pytest.param(rule.endpoint, rule.rule, method, role, id=case_id))
    return cases


def _all_rules() -> list:
    """The tenant routes that need a login, to name the cases."""
    probe = probe_app()
    return [r for r in tenant_rules(probe) if permission_of(probe, r.endpoint) != PUBLIC]


def _rule(app, endpoint: str, path: str):
    return next(r for r in tenant_rules(app) if (r.endpoint, r.rule) == (endpoint, path))


def _allowed(permission: str, role: Role) -> bool:
    """The table's answer for the fixture's users (whose reaches are never empty)."""
    return role in PERMISSIONS[permission].reach


@pytest.mark.parametrize(("endpoint", "path", "method", "role"), _cases(_all_rules()))
def test_each_role_gets_what_the_table_says(app, world, endpoint, path, method, role):
    rule = _rule(app, endpoint, path)
    permission = permission_of(app, rule.endpoint)
    url = world.url(rule, role)
    client = world.clients[role]
    if method == "GET":
        response = client.get(url)
    else:
        response = client.post(url, data={"csrf_token": world.tokens[role]})
    status = response.status_code
    where = f"{role} {method} {url} ({permission}) → {status}"
    if role is None:
        assert status == 302 and "/login" in response.headers["Location"], where
        return
    if rule.endpoint in ENDS_THE_LOGIN and method == "POST" and _allowed(permission, role):
        assert status == 302 and "/login" in response.headers["Location"], where
        world.log_in(role)
        return
    assert not (status == 302 and "/login" in response.headers.get("Location", "")), where
    assert status < 500, where
    if (
        _allowed(permission, role)
        and (rule.endpoint, path[len(TENANT) :], role) not in RECORD_REFUSALS
    ):
        assert status != 403, where
    else:
        assert status == 403, where


# -- no dead links or buttons ---------------------------------------------------------------------

LINK = re.compile(r'\b(href|hx-get|hx-post|action)="(/t/[^"]*)"')
FORM = re.compile(r"<form\b[^>]*>", re.S)


def _targets(html: str) -> set[tuple[str, str]]:
    """(method, path) of every link, HTMX request and form on a page."""
    found = set()
    for tag in FORM.findall(html):
        action = re.search(r'\baction="(/t/[^"]*)"', tag)
        if action:
            method = "POST" if re.search(r'method="post"', tag, re.I) else "GET"
            found.add((method, action.group(1)))
    for attribute, url in LINK.findall(html):
        if attribute == "href" or attribute == "hx-get":
            found.add(("GET", url))
        elif attribute == "hx-post":
            found.add(("POST", url))
    return {(method, urlsplit(url.replace("&amp;", "&")).path) for method, url in found}


@pytest.mark.parametrize("role", ROLES, ids=[r.value for r in ROLES])
def test_no_page_offers_what_the_role_cannot_do(app, world, role):
    """Open every page the role may open; every link, button and form on them must lead to
    something the table allows the role (or to a public page)."""
    client = world.clients[role]
    adapter = app.url_map.bind("localhost")
    pages = [
        world.url(rule, role)
        for rule in tenant_rules(app)
        if "GET" in rule.methods
        and permission_of(app, rule.endpoint) not in (PUBLIC, None)
        and _allowed(permission_of(app, rule.endpoint), role)
    ]
    dead = []
    for page in pages:
        response = client.get(page)
        if response.mimetype != "text/html":
            continue
        for method, path in _targets(response.get_data(as_text=True)):
            try:
                endpoint, _args = adapter.match(path, method=method)
            except (NotFound, MethodNotAllowed):
                dead.append((page, method, path, "no such route"))
                continue
            needed = permission_of(app, endpoint)
            if needed != PUBLIC and not _allowed(needed, role):
                dead.append((page, method, path, needed))
    assert dead == []


def test_an_employee_is_not_shown_the_gap_report(world):
    body = world.clients[Role.EMPLOYEE].get(f"/t/{world.slug}/goals/").get_data(as_text=True)
    assert "/goals/gaps" not in body
    body = world.clients[Role.MANAGER].get(f"/t/{world.slug}/goals/").get_data(as_text=True)
    assert "/goals/gaps" in body


@pytest.mark.parametrize("role", ROLES, ids=[r.value for r in ROLES])
def test_the_menu_shows_exactly_what_the_role_may_open(world, role):
    body = world.clients[role].get(f"/t/{world.slug}/").get_data(as_text=True)
    nav = re.search(r'<ul class="menu">.*?</ul>', body, re.S).group(0)
    for item in MENU:
        path = _menu_path(item.endpoint)
        if item.wider and not _allowed(item.wider, role):
            path = f"people/{world.ids[role]['employee_id']}"  # their own record, straight
        shown = re.search(rf'href="/t/{world.slug}/{path}"', nav) is not None
        assert shown == _allowed(item.permission, role), (role, item.endpoint)


def test_an_employee_s_people_entry_is_their_own_profile(world):
    """An employee reaches only their own record: the entry says so and leads there."""
    own = f"/t/{world.slug}/people/{world.ids[Role.EMPLOYEE]['employee_id']}"
    body = world.clients[Role.EMPLOYEE].get(own).get_data(as_text=True)
    nav = re.search(r'<ul class="menu">.*?</ul>', body, re.S).group(0)
    assert f'<a href="{own}" aria-current="page">My profile</a>' in nav
    assert ">People<" not in nav
    admin = world.clients[Role.TENANT_ADMIN].get(f"/t/{world.slug}/").get_data(as_text=True)
    assert f'<a href="/t/{world.slug}/people/">People</a>' in admin


def _menu_path(endpoint: str) -> str:
    return {
        "home.index": "",
        "org.tree": "org/",
        "people.index": "people/",
        "goals.tree": "goals/",
        "rating.mine": "rating/",
        "schemes.index": "schemes/",
        "cycles.index": "cycles/",
        "ledger.index": "ledger/",
        "ledger.mine": "ledger/mine",
        "notices.index": "notices/",
        "providers.index": "providers/",
        "feedback.units": "feedback/links/",
        "inspections.index": "inspections/",
        "accounts.users": "accounts/",
        "imports.index": "imports/",
        "audit.index": "audit/",
        "settings.index": "settings/",
    }[endpoint]


def test_records_out_of_reach_are_not_found(world):
    """Scope filters records: out of reach is 404, never a 403 that confirms they exist."""
    base = f"/t/{world.slug}"
    manager, employee = world.clients[Role.MANAGER], world.clients[Role.EMPLOYEE]
    committee_goal = world.ids[Role.COMMITTEE]["goal_id"]
    committee_person = world.ids[Role.COMMITTEE]["employee_id"]
    assert manager.get(f"{base}/goals/{committee_goal}").status_code == 404
    assert manager.get(f"{base}/people/{committee_person}").status_code == 404
    assert employee.get(f"{base}/goals/{committee_goal}").status_code == 404
    assert employee.get(f"{base}/people/{committee_person}").status_code == 404
    assert world.clients[Role.COMMITTEE].get(f"{base}/goals/{committee_goal}").status_code == 200


def test_a_refusal_is_one_page_and_one_fragment(world):
    client = world.clients[Role.EMPLOYEE]
    page = client.get(f"/t/{world.slug}/goals/gaps")
    assert page.status_code == 403
    assert "<html" in page.get_data(as_text=True)
    fragment = client.get(f"/t/{world.slug}/goals/gaps", headers={"HX-Request": "true"})
    assert fragment.status_code == 403
    body = fragment.get_data(as_text=True)
    assert "<html" not in body and 'role="alert"' in body
