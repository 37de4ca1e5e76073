"""The scheme templates Kaohe ships: they load cleanly, are canonical, follow their sources and
say which values are Kaohe's defaults."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from pydantic import BaseModel

from saas.schemes import files
from saas.schemes.templates import (
    FOLDER,
    TEMPLATES,
    Template,
    load_template,
    template_names,
)
from saas.scoring.engine import Engine
from saas.scoring.inputs import Rating, SubjectInput
from saas.scoring.period import Period
from saas.scoring.scheme import (
    Consequence,
    CriticalEffect,
    EligibilityKind,
    Mode,
    PeriodKind,
    SectionScoring,
    Subject,
)

# Characters that exist only in Traditional script; the templates are in Simplified Chinese.
TRADITIONAL = set(
    "與為們說對來時會國實現經過還這個學開關問發點體長業動檢評價權衛優質務準規範圍條內級處罰"
    "禮儀態積極貨營統歸檔環負責臺獎紀門員導線產勞嚴領執見東運機裝職財資廳"
)


def _template_ids(template: Template) -> str:
    return template.code


def _parts(model: BaseModel) -> Iterator[BaseModel]:
    """The model and every model inside it."""
    yield model
    for name in type(model).model_fields:
        value = getattr(model, name)
        children = value if isinstance(value, tuple) else (value,)
        for child in children:
            if isinstance(child, BaseModel):
                yield from _parts(child)


@pytest.mark.parametrize("template", TEMPLATES, ids=_template_ids)
def test_a_template_loads_without_errors_or_warnings(template: Template) -> None:
    # None of the sources leads to a warning: every template's sections add up to 100 and
    # every section's items can reach its maximum.
    loaded = files.load(template.read_text())
    assert loaded.errors == []
    assert loaded.warnings == []
    assert loaded.scheme is not None


@pytest.mark.parametrize("template", TEMPLATES, ids=_template_ids)
def test_a_template_is_written_in_the_canonical_form(template: Template) -> None:
    loaded = files.load(template.read_text())
    assert files.dump(loaded.scheme).encode("utf-8") == template.path.read_bytes()


@pytest.mark.parametrize("template", TEMPLATES, ids=_template_ids)
def test_every_defaulted_name_is_a_field_of_its_object(template: Template) -> None:
    for part in _parts(load_template(template.code)):
        fields = type(part).model_fields
        if "defaulted" in fields:
            unknown = set(part.defaulted) - set(fields)
            assert not unknown, f"{type(part).__name__}: {unknown}"


@pytest.mark.parametrize("template", TEMPLATES, ids=_template_ids)
def test_where_it_comes_from_is_kept_for_admins(template: Template) -> None:
    # The scheme's provenance and its entries' references are what only admins see.
    scheme = load_template(template.code)
    assert scheme.provenance
    assert any(getattr(part, "reference", None) for part in _parts(scheme))


# Words of source research, and of the port company source 004 comes from: a customer who
# starts from a template reads neither.
NOT_FOR_CUSTOMERS = ("资料", "乱码", "缺失", "原文", "船东", "装卸", "爱港", "以港为家", "货票")


@pytest.mark.parametrize("template", TEMPLATES, ids=_template_ids)
def test_template_wording_is_for_customers(template: Template) -> None:
    text = template.read_text()
    assert [word for word in NOT_FOR_CUSTOMERS if word in text] == []


@pytest.mark.parametrize("template", TEMPLATES, ids=_template_ids)
def test_notes_do_not_repeat_on_every_item(template: Template) -> None:
    # Defaults are marked by ``defaulted`` (shown once per section), not by a note per item.
    notes = [
        item.note for section in load_template(template.code).sections for item in section.items
    ]
    assert len([note for note in notes if note]) == len({note for note in notes if note})


@pytest.mark.parametrize("template", TEMPLATES, ids=_template_ids)
def test_every_rule_is_labelled_in_both_languages(template: Template) -> None:
    for rule in load_template(template.code).rules:
        assert rule.label and rule.label_en, rule.event


@pytest.mark.parametrize("template", TEMPLATES, ids=_template_ids)
def test_a_template_is_in_simplified_chinese(template: Template) -> None:
    assert not set(template.read_text()) & TRADITIONAL


# -- the catalog -------------------------------------------------------------------------------


def test_the_catalog_lists_every_template_file() -> None:
    assert {path.stem for path in FOLDER.glob("*.yaml")} == {t.code for t in TEMPLATES}
    assert all(template.path.is_file() for template in TEMPLATES)


def test_template_names_are_codes_and_scheme_names_in_catalog_order() -> None:
    names = template_names()
    assert [code for code, _ in names] == [template.code for template in TEMPLATES]
    assert names[0] == ("smile_functional", "精准化微笑服务考核（职能部门）")
    assert dict(names)["canteen_hygiene"] == "员工餐厅卫生检查"


def test_an_unknown_template_code_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        load_template("no_such_template")


def test_a_template_is_parsed_once() -> None:
    assert load_template("work_brand") is load_template("work_brand")


# -- the smile-service templates (source 004) --------------------------------------------------


@pytest.mark.parametrize(
    ("code", "counts", "category"),
    [
        ("smile_functional", [3, 2, 5, 3], "职能部门"),
        ("smile_frontline", [5, 2, 10, 3], "一线生产部门"),
    ],
)
def test_smile_templates_have_the_sources_item_lists(
    code: str, counts: list[int], category: str
) -> None:
    scheme = load_template(code)
    assert [len(section.items) for section in scheme.sections] == counts
    assert [(s.title, s.max) for s in scheme.sections] == [
        ("遵章守纪", 20),
        ("文明礼貌", 10),
        ("优质服务", 50),
        ("思想道德", 20),
    ]
    assert scheme.unit_categories == (category,)
    # Rated as a whole, as the source does: its items are standards, with no invented points.
    assert all(s.scoring is SectionScoring.SECTION for s in scheme.sections)
    assert all(item.max is None for s in scheme.sections for item in s.items)


def test_smile_templates_differ_only_in_their_checklist() -> None:
    functional, frontline = load_template("smile_functional"), load_template("smile_frontline")
    for field in ("period", "subject", "sources", "bands", "rules", "tally_limits", "eligibility"):
        assert getattr(functional, field) == getattr(frontline, field), field
    assert functional.period is PeriodKind.QUARTER


def test_smile_bands_follow_the_source_with_the_lost_digit_defaulted() -> None:
    bands = load_template("smile_functional").bands
    assert [(b.threshold, b.label, b.award) for b in bands] == [
        (95, "最佳微笑奖", 500),
        (90, "微笑大使奖", 300),
        (85, "微笑风采奖", 200),
        (80, "无奖励", 0),
        (0, "需培训", 0),
    ]
    assert bands[3].defaulted == {"threshold": Decimal(80)}
    assert bands[4].consequence is Consequence.RETRAINING


def test_smile_rules_follow_the_source() -> None:
    scheme = load_template("smile_functional")
    rules = {rule.event: rule for rule in scheme.rules}
    assert {key: rule.points for key, rule in rules.items() if rule.points} == {
        "praise_letter": 10,
        "customer_praise": 10,
    }
    assert {key: rule.monthly_points for key, rule in rules.items() if rule.monthly_points} == {
        "badge_not_worn": -5,
        "work_card_lost": -2,
        "award_badge_lost": -2,
    }
    # A loss is one event with all its effects: the month's −2, the fine, the disqualification.
    assert {
        key: (rule.fine, rule.disqualify.value) for key, rule in rules.items() if rule.fine
    } == {
        "work_card_lost": (200, "this_period"),
        "award_badge_lost": (200, "next_period"),
    }
    assert [key for key, rule in rules.items() if rule.needs_validity] == [
        "group_complaint",
        "company_complaint",
    ]
    assert rules["customer_complaint"].disqualify.value == "this_period"
    assert [limit.deducted_at_least for limit in scheme.tally_limits] == [15]
    assert [(e.kind, e.value) for e in scheme.eligibility] == [
        (EligibilityKind.LEVEL_AT_LEAST, "部门主管")
    ]
    assert [(source.kind.value, source.weight) for source in scheme.sources] == [
        ("supervisor", 100)
    ]
    assert "cap_at_scale" in scheme.defaulted


# -- the other templates -----------------------------------------------------------------------


def _ratings(scheme, total: str, source: str, **overrides) -> tuple[Rating, ...]:
    """One rater's points for ``total``, filling what is rated (items, and sections rated as a
    whole) in order; yes/no items say yes."""
    left = Decimal(total)
    ratings = []
    for _section, item in scheme.rated():
        if item.mode is Mode.POINTS:
            value, left = min(left, item.max), left - min(left, item.max)
        else:
            value, left = True, left - item.max
        ratings.append(Rating(item.key, source, "rater", overrides.get(item.key, value)))
    assert left == 0
    return tuple(ratings)


def test_work_brand_bands_and_their_boundaries() -> None:
    scheme = load_template("work_brand")
    assert scheme.period is PeriodKind.YEAR
    assert [(b.threshold, b.label, b.consequence) for b in scheme.bands] == [
        (90, "合格", Consequence.BENCHMARK),
        (70, "基本合格", Consequence.SECOND_REVIEW),
        (0, "不合格", Consequence.SECOND_REVIEW),
    ]
    engine = Engine(scheme)
    for total, label in (("89.5", "基本合格"), ("69.5", "不合格"), ("90", "合格")):
        ratings = _ratings(scheme, total, "committee")
        result = engine.score(SubjectInput("emp-1", ratings), Period.parse("2026"))
        assert result.final == Decimal(total)
        assert result.band.label == label, total


def test_provider_template_weights_and_payment_tiers() -> None:
    scheme = load_template("outsourced_provider")
    assert scheme.subject is Subject.PROVIDER
    assert scheme.period is PeriodKind.MONTH
    assert [(s.kind.value, s.weight) for s in scheme.sources] == [
        ("supervisor", 60),
        ("customer", 30),
        ("third_party", 10),
    ]
    assert scheme.third_party_cap == 20
    assert [(s.title, s.max) for s in scheme.sections] == [
        ("质量", 40),
        ("效率", 20),
        ("态度", 20),
        ("持续改进", 20),
    ]
    assert [(b.label, b.pay_coefficient) for b in scheme.bands] == [
        ("优秀", Decimal("1.00")),
        ("良好", Decimal("1.00")),
        ("合格", Decimal("0.95")),
        ("不合格", Decimal("0.90")),
    ]
    assert scheme.bands[-1].consequence is Consequence.TERMINATION_REVIEW
    assert all("pay_coefficient" in band.defaulted for band in scheme.bands)
    assert all("weight" in source.defaulted for source in scheme.sources)


HYGIENE_ITEMS = [
    "HY-1.1", "HY-1.2", "HY-1.3", "HY-1.4",
    "HY-2.1", "HY-2.2", "HY-2.3",
    "HY-3.1", "HY-3.2", "HY-3.3",
    "HY-4.1", "HY-4.2", "HY-4.3",
    "HY-5.1", "HY-5.2", "HY-5.3", "HY-5.4",
    "HY-6.1a", "HY-6.1b", "HY-6.1c", "HY-6.1d", "HY-6.2", "HY-6.3",
    "HY-7.1", "HY-7.2", "HY-7.3",
]  # fmt: skip


def test_canteen_template_has_every_hygiene_item_in_its_seven_sections() -> None:
    scheme = load_template("canteen_hygiene")
    assert scheme.subject is Subject.UNIT
    keys = [item.key for section in scheme.sections for item in section.items]
    assert [key for key in keys if key.startswith("HY-")] == HYGIENE_ITEMS
    assert [s.key for s in scheme.sections] == [f"HY-{n}" for n in range(1, 8)] + ["FD-2"]
    modes = {item.key: item.mode for section in scheme.sections for item in section.items}
    assert [key for key, mode in modes.items() if mode is Mode.YES_NO] == [
        "HY-6.3",
        "HY-7.3",
        "FD-2.1",
        "FD-2.3",
    ]
    critical = scheme.sections[6].items[1]
    assert (critical.key, critical.mode, critical.on_fail) == (
        "HY-7.2",
        Mode.CRITICAL,
        CriticalEffect.ZERO_SECTION,
    )


def test_canteen_water_below_80_degrees_zeroes_the_tableware_section() -> None:
    scheme = load_template("canteen_hygiene")
    engine = Engine(scheme)
    july = Period.parse("2026-07")
    passed = engine.score(SubjectInput("canteen", _ratings(scheme, "100", "committee")), july)
    assert passed.final == 100
    assert passed.band.label == "合格"
    failing = _ratings(scheme, "100", "committee", **{"HY-7.2": False})
    failed = engine.score(SubjectInput("canteen", failing), july)
    tableware = failed.sections["committee"]["HY-7"]
    assert (tableware.subtotal, tableware.zeroed_by) == (0, "HY-7.2")
    assert failed.final == 100 - scheme.sections[6].max
    assert failed.band.label == "需整改"
    assert failed.band.consequence is Consequence.SECOND_REVIEW
