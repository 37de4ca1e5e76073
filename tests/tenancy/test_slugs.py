import pytest

from tenants.slugs import RULES, InvalidSlug, schema_for, validate_slug


@pytest.mark.parametrize("slug", ["abc", "canteen-01", "a1b", "x" * 40, "port-grain-co"])
def test_accepts_lowercase_digits_and_single_hyphens(slug):
    assert validate_slug(slug) == slug
    assert schema_for(slug) == "tenant_" + slug.replace("-", "_")


@pytest.mark.parametrize(
    "slug",
    [
        'a"; drop schema public; --',
        "../",
        "../etc",
        "Canteen",
        "ABC",
        "食堂",
        "café",
        "ab",
        "x" * 41,
        "-abc",
        "abc-",
        "a--b",
        "a_b",
        "a b",
        "a.b",
        "",
        "abc\n",
        "abc\x00",
    ],
)
def test_refuses_anything_else_and_says_what_is_allowed(slug):
    with pytest.raises(InvalidSlug) as raised:
        validate_slug(slug)
    assert RULES in str(raised.value)


@pytest.mark.parametrize("slug", ["platform", "public", "admin", "static", "pg-catalog"])
def test_refuses_reserved_words(slug):
    with pytest.raises(InvalidSlug, match="reserved"):
        validate_slug(slug)


def test_schema_for_never_builds_a_name_from_a_bad_slug():
    with pytest.raises(InvalidSlug):
        schema_for('x"; drop table tenant; --')
