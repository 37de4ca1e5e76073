"""Sections rated as a whole (source 004: a part's items are standards to check, the department
gives the part one number), the checks on how items add up to their section, and the tenant's
vocabulary that eligibility rules name."""

from __future__ import annotations

from decimal import Decimal

import pytest

from saas.schemes import files
from saas.scoring.checks import Severity, Vocabulary, parse, review
from saas.scoring.engine import Engine, ScoringInputError
from saas.scoring.inputs import Rating, SubjectInput
from saas.scoring.period import Period
from saas.scoring.scheme import SectionScoring
from saas.scoring.tryout import read_inputs

Q3 = Period.parse("2026-Q3")


def data() -> dict:
    """One section rated as a whole (20, three standards), one scored item by item (80)."""
    return {
        "name": "窗口服务",
        "sources": [{"kind": "supervisor", "weight": 100}],
        "sections": [
            {
                "key": "A",
                "title": "遵章守纪",
                "max": 20,
                "scoring": "section",
                "items": [
                    {"key": "A1", "text": "遵守岗位劳动纪律"},
                    {"key": "A2", "text": "严禁吃、拿、卡、要"},
                    {"key": "A3", "text": "服从工作安排"},
                ],
            },
            {
                "key": "B",
                "title": "优质服务",
                "max": 80,
                "items": [{"key": "B1", "text": "文明用语", "max": 80}],
            },
        ],
        "bands": [{"threshold": 0, "label": "合格"}],
    }


def scheme():
    parsed, issues = parse(data())
    assert parsed is not None and issues == [], issues
    return parsed


def score(*ratings: tuple[str, object], rater: str = "r1"):
    subject = SubjectInput(
        "E1", tuple(Rating(key, "supervisor", rater, value) for key, value in ratings)
    )
    return Engine(scheme()).score(subject, Q3)


# -- the engine ---------------------------------------------------------------------------------


def test_a_section_rated_as_a_whole_takes_one_number() -> None:
    result = score(("A", Decimal("18.5")), ("B1", Decimal(70)))
    assert result.sections["supervisor"]["A"].subtotal == Decimal("18.5")
    assert result.final == Decimal("88.50")
    # Its standards are not rated: what is rated is the section, by its key.
    assert list(result.items["supervisor"]) == ["A", "B1"]


def test_several_raters_of_a_section_are_averaged_and_kept_within_its_maximum() -> None:
    subject = SubjectInput(
        "E1",
        (
            Rating("A", "supervisor", "r1", Decimal(19)),
            Rating("A", "supervisor", "r2", Decimal(25)),
        ),
    )
    result = Engine(scheme()).score(subject, Q3)
    item = result.items["supervisor"]["A"]
    assert (item.raters, item.mean, item.score) == (2, Decimal(22), Decimal(20))
    assert result.final == Decimal("20.00")


def test_rating_a_standard_of_a_whole_rated_section_is_refused() -> None:
    with pytest.raises(ScoringInputError) as refused:
        score(("A2", Decimal(5)))
    assert refused.value.code == "input.rate_the_section"
    assert refused.value.params == {"item": "A2", "section": "A"}


def test_the_rated_list_puts_a_whole_section_where_its_items_would_be() -> None:
    rated = scheme().rated()
    assert [(s, item.key, item.max) for s, item in rated] == [
        (0, "A", Decimal(20)),
        (1, "B1", Decimal(80)),
    ]


# -- checks -------------------------------------------------------------------------------------


def test_a_standard_carries_no_points_or_scoring_of_its_own() -> None:
    bad = data()
    bad["sections"][0]["items"][1].update({"max": 7, "mode": "yes_no"})
    parsed, issues = parse(bad)
    assert parsed is None
    assert [(i.path, i.code) for i in issues] == [
        (("sections", 0, "items", 1, "max"), "item.section_rated"),
        (("sections", 0, "items", 1, "mode"), "item.section_rated"),
    ]


def test_an_item_scored_item_by_item_needs_its_maximum() -> None:
    bad = data()
    del bad["sections"][1]["items"][0]["max"]
    parsed, issues = parse(bad)
    assert parsed is None
    assert [(i.path, i.code) for i in issues] == [
        (("sections", 1, "items", 0, "max"), "item.max_missing")
    ]


def test_a_whole_rated_section_needs_a_key_no_item_has() -> None:
    bad = data()
    bad["sections"][1]["items"][0]["key"] = "A"
    parsed, issues = parse(bad)
    assert parsed is None
    assert [(i.path, i.code) for i in issues] == [(("sections", 0, "key"), "duplicate.rated_key")]


def test_a_whole_rated_section_is_not_checked_against_its_items_points() -> None:
    # Its standards have no points: no "unreachable" or "items over" warning.
    assert review(scheme()) == []


# -- the tenant's vocabulary --------------------------------------------------------------------


def with_exclusions() -> dict:
    flawed = data()
    flawed["unit_categories"] = ["窗口服务部门"]
    flawed["eligibility"] = [
        {"kind": "level_at_least", "value": "部门主管"},
        {"kind": "unit_category", "value": "后勤部门"},
        {"kind": "employment_form", "value": "派遣工"},
    ]
    return flawed


def test_without_a_vocabulary_names_are_not_checked() -> None:
    # A file on its own does not know the tenant that will use it.
    parsed, issues = parse(with_exclusions())
    assert parsed is not None and issues == []


def test_names_the_tenant_does_not_have_are_flagged() -> None:
    parsed, _issues = parse(with_exclusions())
    vocabulary = Vocabulary(
        levels=frozenset({"员工", "班组长"}),
        unit_categories=frozenset({"职能部门"}),
        employment_forms=frozenset({"正式员工", "劳务派遣"}),
    )
    issues = review(parsed, vocabulary)
    assert [(i.severity, i.path, i.code) for i in issues] == [
        (Severity.WARNING, ("unit_categories", 0), "unit_categories.unknown"),
        (Severity.INCOMPLETE, ("eligibility", 0, "value"), "eligibility.unknown_level"),
        (Severity.INCOMPLETE, ("eligibility", 1, "value"), "eligibility.unknown_category"),
        (Severity.INCOMPLETE, ("eligibility", 2, "value"), "eligibility.unknown_form"),
    ]
    # An exclusion that excludes nobody cannot be published.
    assert all(issue.blocks_publishing for issue in issues[1:])
    assert issues[1].params == {"value": "部门主管", "known": ["员工", "班组长"]}


def test_names_the_tenant_has_pass_whatever_their_case_and_spaces() -> None:
    parsed, _issues = parse(with_exclusions())
    vocabulary = Vocabulary(
        levels=frozenset({"部门主管"}),
        unit_categories=frozenset({"窗口服务部门", "后勤部门"}),
        employment_forms=frozenset({"派遣工"}),
    )
    assert review(parsed, vocabulary) == []
    spaced = with_exclusions()
    spaced["eligibility"][0]["value"] = "Team  Lead"
    parsed, _issues = parse(spaced)
    vocabulary = Vocabulary(
        levels=frozenset({"team lead"}),
        unit_categories=vocabulary.unit_categories,
        employment_forms=vocabulary.employment_forms,
    )
    assert review(parsed, vocabulary) == []


# -- files and sample inputs --------------------------------------------------------------------


def test_a_file_writes_a_whole_rated_section_with_bare_standards() -> None:
    text = files.dump(scheme())
    assert "  scoring: section\n" in text
    assert "  - key: A1\n    text: 遵守岗位劳动纪律\n  - key: A2" in text
    loaded = files.load(text)
    assert loaded.issues == [] and loaded.scheme == scheme()
    assert loaded.scheme.sections[0].scoring is SectionScoring.SECTION


def test_sample_inputs_rate_the_section_not_its_standards() -> None:
    text = (
        "period: 2026-Q3\nsubjects:\n  - key: E1\n    ratings:\n"
        "      - {item: A, source: supervisor, value: 18}\n"
        "      - {item: A2, source: supervisor, value: 5}\n"
    )
    inputs = read_inputs(text, scheme())
    assert [(p.line, p.code, p.params) for p in inputs.problems] == [
        (6, "rating.rate_the_section", {"value": "A2", "section": "A"})
    ]
    good = read_inputs(
        text.replace("      - {item: A2, source: supervisor, value: 5}\n", ""), scheme()
    )
    assert good.ok and good.subjects[0].ratings[0].value == Decimal(18)


def test_a_rating_above_the_section_is_out_of_range_in_sample_inputs() -> None:
    text = (
        "period: 2026-Q3\nsubjects:\n  - key: E1\n    ratings:\n"
        "      - {item: A, source: supervisor, value: 21}\n"
    )
    assert [p.code for p in read_inputs(text, scheme()).problems] == ["value.out_of_range"]
