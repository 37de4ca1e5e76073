"""Hostile input on every route is answered with a page, a redirect or a 4xx — never a 5xx.

Every rule of the app's url map (tenant, platform and the rest; ``SKIPPED`` aside) is
requested with GET and POST as it allows, by the logged-in admin of its area (tenant or
platform) or an anonymous visitor. Hypothesis fills in:

- each path parameter: a real record's id (so the view reaches its own parsing) or a
  hostile value — digits of other scripts (², ٣, １２), ids past 32 bits, negatives,
  1e999999999, NaN, NUL, CR/LF, long strings, odd characters;
- the query parameters and form fields the route reads, each absent, sensible or hostile,
  plus bytes that are not UTF-8 in the query string. Which ones a route reads is recorded
  from one request to it with sensible values (every name asked of ``request.args`` or
  ``request.form``, its forms' fields included), and the names of the scheme preview's
  fields are added, since it reads the whole form;
- an upload in ``file``: odd-length UTF-16, NULs, a broken workbook or PDF, random bytes;
- the HTMX headers, including an ``HX-Current-URL`` that is not a URL.

POSTs carry the client's valid CSRF token, so they reach the views. Each route has a few
examples, seeded by the route (the same in every run), so the whole walk takes seconds; for
a deeper search set KAOHE_HOSTILE_EXAMPLES (e.g. 200) and run this file alone.
"""

from __future__ import annotations

import io
import os
import re
import zlib
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from saas.models.user import Role
from saas.schemes.preview import EVENT_ROWS
from saas.schemes.templates import load_template
from saas.web.input import KaoheRequest, Parameters
from tests.conftest import add_platform_admin, platform_login
from tests.web.world import PERIOD, SCHEME_TEMPLATE, World, build_world, probe_app

METHODS = ("GET", "POST")
SKIPPED = {
    # Ending the walk's own sessions would leave the rest of it logged out.
    "auth.logout",
    "auth.logout_everywhere",
    "platform.logout",
    "platform.logout_everywhere",
    # Reads no input; its 503 says that a server or every worker is down.
    "health.healthz",
}

settings.register_profile(
    "hostile-routes",
    max_examples=int(os.environ.get("KAOHE_HOSTILE_EXAMPLES", "4")),
    database=None,
    deadline=None,
    # Without "explain", whose tracing makes a failure take minutes to report.
    phases=(Phase.explicit, Phase.generate, Phase.shrink),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# One of each kind that has broken a page: the kinds come up most.
KINDS = (
    "²",  # str.isdigit() says yes, int() says no
    "99999999999",  # past PostgreSQL's integer
    "-1",
    "1e999999999",  # Decimal reads it, its first arithmetic overflows
    "NaN",
    "a\x00b",  # PostgreSQL refuses NUL in text
    "/a\r\nb",  # a line break in a header
    "x" * 3000,
    "http://[::1",  # urlsplit raises
    "\u202e😀%FF",
)
OTHERS = (
    "٣",
    "１２",
    "0",
    "2147483648",
    "9" * 40,
    "-1e999999999",
    "1e-999999999",
    "1e400",
    "-Infinity",
    "\x00",
    "%",
    "../../etc/passwd",
    "\\\\evil",
    "<script>alert(1)</script>",
    "' or 1=1 --",
    " ",
)
hostile_text = st.one_of(
    st.sampled_from(KINDS + OTHERS),
    st.text(max_size=24),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
)
# Each request has one hostile value of its own, put in most places at once, so that a few
# examples per route try several kinds.
themes = st.one_of(st.sampled_from(KINDS), st.sampled_from(KINDS), hostile_text)
# Headers travel as Latin-1 and cannot hold a line break.
header_text = st.one_of(
    st.sampled_from(("http://[::1", "/t/x?archived=1", "::", "%zz", "#", "a" * 2000)),
    st.text(st.characters(min_codepoint=32, max_codepoint=255), max_size=40),
)
UPLOADS = (
    b"",
    b"\xff\xfea",  # UTF-16 of an odd number of bytes
    b"\xff\xfe" + "工号,姓名\n".encode("utf-16-le") + b"\x00",
    b"\xff\xfe" + "工号\x00,姓名\n1,a\n".encode("utf-16-le"),
    b"\x00\x01\x02\x03",
    b"PK\x03\x04" + b"\x00" * 40,
    b"\xd0\xcf\x11\xe0" + b"\x00" * 40,
    b"%PDF-1.7\n" + b"\x00" * 40 + b"%%EOF",
    "目标编号,实际值,日期\n1,1e999999999,2026-08-01\n".encode(),
    "工号,姓名,部门编码\n²,\x00,99999999999\n".encode(),
    b"name: x\nsections: " + b"[" * 40 + b"]" * 40 + b"\n",
)
uploads = st.tuples(
    st.one_of(st.sampled_from(UPLOADS), st.binary(max_size=64)),
    st.sampled_from(("a.csv", "a.xlsx", "a.pdf", "a.yaml", "名单.csv", "..\\x.csv", "a\x00.csv")),
)


def _rules() -> list:
    """Every rule but the skipped ones, to name the cases."""
    rules = probe_app().url_map.iter_rules()
    return sorted((r for r in rules if r.endpoint not in SKIPPED), key=lambda r: r.rule)


CASES = [
    pytest.param(rule.endpoint, rule.rule, method, id=f"{method}-{rule.rule}")
    for rule in _rules()
    for method in METHODS
    if method in rule.methods
]


def preview_names() -> set[str]:
    """The scheme preview reads every field it is sent: its names are not asked for."""
    scheme = load_template(SCHEME_TEMPLATE)
    item = scheme.rated()[0][1].key  # an item, or a section rated as a whole
    names = {f"r.{source.kind.value}.{item}" for source in scheme.sources}
    return names | {f"ev{row}.{part}" for row in range(EVENT_ROWS) for part in ("event", "on")}


class Recording(Parameters):
    """Parameters that note every name a view asks them for."""

    asked: set[str] = set()

    def __contains__(self, key: object) -> bool:
        Recording.asked.add(str(key))
        return super().__contains__(key)

    def __getitem__(self, key):
        Recording.asked.add(str(key))
        return super().__getitem__(key)

    def get(self, key, default=None, type=None):
        Recording.asked.add(str(key))
        return super().get(key, default, type)

    def getlist(self, key, type=None):
        Recording.asked.add(str(key))
        return super().getlist(key, type)


class Walk:
    """The world, its clients by who they are, and what each request may be filled with."""

    def __init__(self, world: World, platform_client, platform_token: str) -> None:
        ids = world.ids[Role.TENANT_ADMIN]
        self.world = world
        self.clients = {
            "tenant admin": (world.clients[Role.TENANT_ADMIN], world.tokens[Role.TENANT_ADMIN]),
            "anonymous": (world.clients[None], world.tokens[None]),
            "platform admin": (platform_client, platform_token),
        }
        self.path_values = {**ids, "tenant_slug": world.slug}
        # Sensible values, so that one hostile field is met by a form otherwise valid.
        self.sensible = {
            "owner": f"unit:{ids['parent_id']}",
            "parent": str(ids["goal_id"]),
            "unit": str(ids["unit_id"]),
            "employee": str(ids["employee_id"]),
            "title": "保洁达标率",
            "name": "新班组",
            "number": "N-0001",
            "measure": "numeric",
            "target": "98.5",
            "value": "97",
            "on": "2026-08-03",
            "period": PERIOD,
            "page": "2",
            "q": "张",
            "lang": "en",
            "next": "/",
        }

    def value(self, name: str, theme: str) -> st.SearchStrategy:
        """Mostly the request's hostile value; else absent, another one or a sensible one."""
        sensible = st.just(self.sensible[name]) if name in self.sensible else hostile_text
        return st.one_of(*[st.just(theme)] * 4, st.none(), sensible, hostile_text)

    def parameters(self, names: list[str], theme: str) -> st.SearchStrategy:
        drawn = st.fixed_dictionaries({name: self.value(name, theme) for name in names})
        return drawn.map(lambda found: {k: v for k, v in found.items() if v is not None})

    def admin_of(self, rule) -> str:
        return "platform admin" if rule.rule.startswith("/platform") else "tenant admin"

    def who(self, rule) -> st.SearchStrategy:
        """Mostly the admin of the route's area; anonymous visitors too."""
        return st.sampled_from((self.admin_of(rule),) * 3 + ("anonymous",))

    def names_read(self, monkeypatch, rule, method: str) -> list[str]:
        """The parameters a request to ``rule`` with sensible values asks for."""
        who = self.admin_of(rule)
        client, token = self.clients[who]
        path = rule.rule
        for name in rule.arguments:
            path = re.sub(rf"<(?:[^:<>]+:)?{name}>", str(self.path_values.get(name, "x")), path)
        Recording.asked = set()
        with monkeypatch.context() as patched:
            patched.setattr(KaoheRequest, "parameter_storage_class", Recording)
            form = {**self.sensible, "csrf_token": token} if method == "POST" else None
            response = client.open(path, method=method, query_string=self.sensible, data=form)
        assert response.status_code < 500, (who, method, path, response.status_code)
        names = Recording.asked | (preview_names() if rule.endpoint.endswith("preview") else set())
        return sorted(names - {"csrf_token", "file"})  # the token stays valid; uploads apart

    def path(self, rule, theme: str) -> st.SearchStrategy:
        """The rule's path with each parameter a real one or a hostile one."""
        real = {name: st.just(str(value)) for name, value in self.path_values.items()}
        # Mostly the real tenant: past an unknown one no view runs.
        parts = {
            name: st.one_of(
                *[real.get(name, hostile_text)] * (3 if name == "tenant_slug" else 1),
                st.just(theme),
                hostile_text,
            ).map(lambda v: quote(v, safe=""))
            for name in rule.arguments
        }

        def build(values: dict[str, str]) -> str:
            path = rule.rule
            for name, value in values.items():
                path = re.sub(rf"<(?:[^:<>]+:)?{name}>", lambda _m, v=value: v, path)
            return path

        return st.fixed_dictionaries(parts).map(build)


def _query(parameters: dict[str, str], broken: bytes) -> bytes:
    return urlencode(parameters).encode() + broken


@pytest.fixture(scope="module")
def walk(app, db, settings) -> Walk:
    world = build_world(app, db, settings, "hostile")
    return Walk(world, *platform_login(app, add_platform_admin(db)))


@pytest.mark.parametrize(("endpoint", "rule_text", "method"), CASES)
def test_hostile_input_never_gets_a_5xx(app, walk, monkeypatch, endpoint, rule_text, method):
    rule = next(
        r for r in app.url_map.iter_rules() if (r.endpoint, r.rule) == (endpoint, rule_text)
    )
    names = walk.names_read(monkeypatch, rule, method)

    # A sequence of examples of the route's own, the same in every run.
    @seed(zlib.crc32(f"{method} {rule_text}".encode()))
    @settings(settings.get_profile("hostile-routes"))
    @given(data=st.data())
    def request_it(data):
        who = data.draw(walk.who(rule), label="who")
        client, token = walk.clients[who]
        theme = data.draw(themes, label="hostile value")
        path = data.draw(walk.path(rule, theme), label="path")
        broken = data.draw(st.sampled_from((b"", b"&q=%FF%FE", b"&page=\xff\xfe")))
        query = _query(data.draw(walk.parameters(names, theme), label="query"), broken)
        headers = {}
        if data.draw(st.booleans(), label="htmx"):
            headers["HX-Request"] = "true"
            headers["HX-Current-URL"] = data.draw(header_text, label="HX-Current-URL")
            headers["HX-Target"] = data.draw(header_text, label="HX-Target")
        # Raw, as a server hands it over: the test client would percent-encode it.
        raw = {"QUERY_STRING": query.decode("latin-1")}
        options = {"method": method, "environ_overrides": raw, "headers": headers}
        if method == "POST":
            form = {**data.draw(walk.parameters(names, theme), label="form"), "csrf_token": token}
            if data.draw(st.booleans(), label="upload"):
                content, name = data.draw(uploads, label="file")
                form["file"] = (io.BytesIO(content), name)
                options["content_type"] = "multipart/form-data"
            options["data"] = form
        response = client.open(path, **options)
        assert response.status_code < 500, (who, method, path, response.status_code)

    request_it()


def test_the_walk_kept_its_sessions(walk):
    """The walk's requests were the admins' all along: nothing in it logged them out."""
    home = walk.world.clients[Role.TENANT_ADMIN].get(f"/t/{walk.world.slug}/")
    assert home.status_code == 200
    assert walk.clients["platform admin"][0].get("/platform/").status_code == 200


def test_the_walk_records_what_a_route_reads(app, walk, monkeypatch):
    """The recording sees a view's own reads and its forms' fields, so the walk fills them."""
    people = next(r for r in app.url_map.iter_rules() if r.endpoint == "people.index")
    assert {"q", "unit", "status", "page"} <= set(walk.names_read(monkeypatch, people, "GET"))
    new = next(r for r in app.url_map.iter_rules() if r.endpoint == "people.new")
    assert {"number", "name", "unit_id", "manager"} <= set(
        walk.names_read(monkeypatch, new, "POST")
    )
