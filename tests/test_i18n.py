"""Every user-facing string is translated: the catalogs cover what the sources say today,
the compiled catalogs match their sources, and pages switch language as they should.

Adding a ``_("...")`` without translating it fails ``test_every_string_has_a_zh_cn_translation``;
docs/translating.md says how to fix that.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from tests.conftest import csrf_token, login

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "saas" / "translations"
# Catalog folders are named as Babel spells the locales: Locale.parse("zh_CN") is zh_Hans_CN,
# and Flask-Babel looks for exactly that folder (a "zh_CN" folder is silently never loaded).
ZH = "zh_Hans_CN"
LOCALES = (ZH, "en")
# The same keywords as `pybabel extract -k _l -k lazy_gettext` (docs/translating.md).
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}


def _msgid(message) -> str:
    return message[0] if isinstance(message, tuple | list) else message


@pytest.fixture(scope="module")
def source_strings() -> dict[str, list[str]]:
    """msgid -> where it is used, extracted from the sources with babel.cfg's mapping."""
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    found: dict[str, list[str]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        found.setdefault(_msgid(message), []).append(f"{filename}:{lineno}")
    return found


def load_po(locale: str) -> Catalog:
    with (TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return read_po(f, locale=locale)


def load_mo(locale: str) -> Catalog:
    with (TRANSLATIONS / locale / "LC_MESSAGES" / "messages.mo").open("rb") as f:
        return read_mo(f)


def test_extraction_finds_the_strings(source_strings):
    # Guards the test itself: a broken mapping would extract nothing and pass vacuously.
    assert "Log in" in source_strings  # a template
    assert "Wrong e-mail or password." in source_strings  # gettext in Python
    assert "Organisation name" in source_strings  # lazy_gettext (_l) in a form
    assert not any(
        where.startswith("templates/pdf/") for w in source_strings.values() for where in w
    )


def test_every_string_has_a_zh_cn_translation(source_strings):
    catalog = load_po(ZH)
    problems = []
    for msgid, where in sorted(source_strings.items()):
        message = catalog.get(msgid)
        if message is None:
            problems.append(f"missing: {msgid!r} ({where[0]})")
        elif not message.string or (isinstance(message.string, tuple) and not all(message.string)):
            problems.append(f"untranslated: {msgid!r} ({where[0]})")
        elif message.fuzzy:
            problems.append(f"fuzzy: {msgid!r} ({where[0]})")
    assert not problems, "zh_CN catalog is incomplete; see docs/translating.md\n" + "\n".join(
        problems
    )


def test_every_string_is_in_the_english_catalog(source_strings):
    # English is the source language, so an empty msgstr falls back to the msgid; the catalog
    # must still be updated so it can override wording and stays in step with the sources.
    catalog = load_po("en")
    missing = sorted(msgid for msgid in source_strings if msgid not in catalog)
    assert not missing, "en catalog is out of date; run `pybabel update`: " + repr(missing)


@pytest.mark.parametrize("locale", LOCALES)
def test_translations_keep_their_placeholders(locale):
    errors = [
        f"{message.id!r}: {'; '.join(map(str, problems))}"
        for message, problems in load_po(locale).check()
        if problems
    ]
    assert not errors, "\n".join(errors)


def _entries(catalog: Catalog, compiled: bool) -> dict:
    """msgid -> msgstr as a .mo file holds them (plural forms as tuples)."""
    entries = {}
    for message in catalog:
        if not message.id:
            continue
        if not compiled and (not message.string or message.fuzzy):
            continue  # `pybabel compile` leaves these out, as msgfmt does
        if isinstance(message.id, list | tuple):
            strings = list(message.string)
            if not compiled:  # an empty plural form compiles to the source text
                strings = [s or message.id[min(i, 1)] for i, s in enumerate(strings)]
            entries[tuple(message.id)] = tuple(strings)
        else:
            entries[message.id] = message.string
    return entries


@pytest.mark.parametrize("locale", LOCALES)
def test_compiled_catalog_matches_its_source(locale):
    compiled = _entries(load_mo(locale), compiled=True)
    assert compiled == _entries(load_po(locale), compiled=False), (
        f"messages.mo is stale: run `pybabel compile -d saas/translations` ({locale})"
    )


def test_every_offered_language_loads_its_catalog(app):
    from babel import Locale
    from flask_babel import force_locale, gettext

    from saas.web.i18n import LANGUAGES

    for code in LANGUAGES:
        folder = TRANSLATIONS / str(Locale.parse(code)) / "LC_MESSAGES" / "messages.mo"
        assert folder.is_file(), f"Flask-Babel loads {code!r} from {folder}, which is missing"
    with app.test_request_context(), force_locale("zh_CN"):
        assert gettext("Log in") == "登录"
    with app.test_request_context(), force_locale("en"):
        assert gettext("Log in") == "Log in"


def test_login_page_is_chinese_by_default_and_switches_to_english(client, make_tenant):
    tenant = make_tenant(name="港口粮食储运有限公司")
    path = f"/t/{tenant.slug}/login"

    page = client.get(path).get_data(as_text=True)
    assert '<html lang="zh-CN">' in page
    assert "登录 港口粮食储运有限公司" in page
    assert "邮箱 / 手机号 / 工号" in page and "密码" in page
    assert "Log in" not in page

    switched = client.post(
        "/lang", data={"lang": "en", "next": path, "csrf_token": csrf_token(client, path)}
    )
    assert switched.status_code == 302
    assert switched.headers["Location"].endswith(path)

    page = client.get(path).get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Log in to 港口粮食储运有限公司" in page
    assert "E-mail / mobile / employee number" in page and "Password" in page
    assert "登录" not in page

    # And back: the choice is the user's, in either direction.
    client.post(
        "/lang", data={"lang": "zh_CN", "next": path, "csrf_token": csrf_token(client, path)}
    )
    assert "登录 港口粮食储运有限公司" in client.get(path).get_data(as_text=True)


def test_language_choice_survives_logging_in(client, tenant):
    path = f"/t/{tenant.slug}/login"
    client.post("/lang", data={"lang": "en", "next": path, "csrf_token": csrf_token(client, path)})
    assert login(client, tenant).status_code == 302
    home = client.get(f"/t/{tenant.slug}/").get_data(as_text=True)
    assert "Log out" in home


def test_login_page_follows_an_english_tenants_locale(client, make_tenant):
    tenant = make_tenant(name="Harbour Grain Ltd", locale="en")
    page = client.get(f"/t/{tenant.slug}/login").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Log in to Harbour Grain Ltd" in page
    assert "Log in with your e-mail address, your mobile number or your employee number." in page
    assert "登录" not in page


def test_language_switch_rejects_unknown_languages_and_foreign_redirects(client, tenant):
    path = f"/t/{tenant.slug}/login"
    token = csrf_token(client, path)
    assert client.post("/lang", data={"lang": "fr", "csrf_token": token}).status_code == 400
    response = client.post(
        "/lang", data={"lang": "en", "next": "https://evil.example/", "csrf_token": token}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_templates_follow_a_forced_locale_within_one_request(app):
    """Templates keep the page's catalog for the request, but a forced locale still wins."""
    from flask import render_template_string
    from flask_babel import force_locale

    with app.test_request_context("/"):
        with force_locale("zh_CN"):
            assert render_template_string("{{ _('Home') }}") == "首页"
        with force_locale("en"):
            assert render_template_string("{{ _('Home') }}") == "Home"
        with force_locale("zh_CN"):
            assert render_template_string("{{ _('Home') }}") == "首页"
