"""review() and parse(): each issue a scheme can have, with its severity and the field it is on."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import pytest

from saas.scoring.checks import Issue, Severity, parse, review
from saas.scoring.scheme import Scheme

INVALID, INCOMPLETE, WARNING = Severity.INVALID, Severity.INCOMPLETE, Severity.WARNING


def clean() -> dict[str, Any]:
    """A scheme with no issue at all; each test breaks one thing."""
    return {
        "name": "检查用方案",
        "scale": 100,
        "sources": [{"kind": "supervisor", "weight": 80}, {"kind": "third_party", "weight": 20}],
        "sections": [
            {
                "key": "discipline",
                "title": "遵章守纪",
                "max": 40,
                "items": [
                    {"key": "attendance", "text": "出勤", "max": 20},
                    {
                        "key": "badge",
                        "text": "佩戴工牌",
                        "max": 20,
                        "mode": "deduction",
                        "per_occurrence": 5,
                    },
                ],
            },
            {
                "key": "service",
                "title": "优质服务",
                "max": 60,
                "items": [
                    {
                        "key": "greeting",
                        "text": "礼貌用语",
                        "max": 30,
                        "mode": "scale",
                        "scale": [{"label": "优", "points": 30}, {"label": "差", "points": 10}],
                    },
                    {"key": "uniform", "text": "着装", "max": 20, "mode": "yes_no"},
                    {"key": "quarrel", "text": "与顾客争吵", "max": 10, "mode": "critical"},
                ],
            },
        ],
        "bands": [
            {"threshold": 90, "label": "优秀", "award": 300},
            {"threshold": 0, "label": "合格"},
        ],
        "rules": [{"event": "praise", "label": "表扬信", "points": 10}],
    }


def issues_of(data: dict[str, Any]) -> list[Issue]:
    return parse(data)[1]


def only(issues: list[Issue], code: str) -> Issue:
    found = [issue for issue in issues if issue.code == code]
    assert len(found) == 1, issues
    return found[0]


def test_the_clean_scheme_has_no_issue() -> None:
    scheme, issues = parse(clean())
    assert issues == []
    assert isinstance(scheme, Scheme)
    assert review(scheme) == []


# -- duplicates ------------------------------------------------------------------------------


def test_duplicate_section_key() -> None:
    data = clean()
    data["sections"][1]["key"] = "discipline"
    scheme, issues = parse(data)
    assert scheme is None
    assert only(issues, "duplicate.section") == Issue(
        INVALID, ("sections", 1, "key"), "duplicate.section", {"value": "discipline"}
    )


def test_duplicate_item_key_across_sections() -> None:
    data = clean()
    data["sections"][1]["items"][2]["key"] = "attendance"
    scheme, issues = parse(data)
    assert scheme is None
    assert only(issues, "duplicate.item") == Issue(
        INVALID, ("sections", 1, "items", 2, "key"), "duplicate.item", {"value": "attendance"}
    )


def test_duplicate_source_kind() -> None:
    data = clean()
    data["sources"] = [{"kind": "peer", "weight": 50}, {"kind": "peer", "weight": 50}]
    assert only(issues_of(data), "duplicate.source") == Issue(
        INVALID, ("sources", 1, "kind"), "duplicate.source", {"value": "peer"}
    )


def test_duplicate_band_threshold_compares_values_not_spelling() -> None:
    data = clean()
    data["bands"].append({"threshold": "90.00", "label": "又一个"})
    issue = only(issues_of(data), "duplicate.band")
    assert (issue.severity, issue.path) == (INVALID, ("bands", 2, "threshold"))
    assert issue.params == {"value": Decimal(90)}


def test_duplicate_rule_event() -> None:
    data = clean()
    data["rules"].append({"event": "praise", "label": "再次表扬", "points": 5})
    assert only(issues_of(data), "duplicate.rule") == Issue(
        INVALID, ("rules", 1, "event"), "duplicate.rule", {"value": "praise"}
    )


def test_every_repeat_after_the_first_is_reported() -> None:
    data = clean()
    data["rules"] = [{"event": "praise", "label": f"表扬{n}", "points": 1} for n in range(3)]
    paths = [issue.path for issue in issues_of(data) if issue.code == "duplicate.rule"]
    assert paths == [("rules", 1, "event"), ("rules", 2, "event")]


# -- item modes ------------------------------------------------------------------------------


def greeting(data: dict[str, Any]) -> dict[str, Any]:
    return data["sections"][1]["items"][0]


AT_GREETING = ("sections", 1, "items", 0)
AT_BADGE = ("sections", 0, "items", 1)
AT_ATTENDANCE = ("sections", 0, "items", 0)


def test_scale_item_needs_two_levels() -> None:
    data = clean()
    greeting(data)["scale"] = [{"label": "优", "points": 30}]
    assert only(issues_of(data), "item.scale_levels") == Issue(
        INVALID, (*AT_GREETING, "scale"), "item.scale_levels"
    )


def test_scale_item_without_levels() -> None:
    data = clean()
    del greeting(data)["scale"]
    assert only(issues_of(data), "item.scale_levels").path == (*AT_GREETING, "scale")


def test_scale_level_above_the_item_max() -> None:
    data = clean()
    greeting(data)["scale"][1]["points"] = 31
    assert only(issues_of(data), "item.level_above_max") == Issue(
        INVALID,
        (*AT_GREETING, "scale", 1, "points"),
        "item.level_above_max",
        {"points": Decimal(31), "max": Decimal(30)},
    )


def test_duplicate_scale_label() -> None:
    data = clean()
    greeting(data)["scale"][1]["label"] = "优"
    assert only(issues_of(data), "duplicate.level") == Issue(
        INVALID, (*AT_GREETING, "scale", 1, "label"), "duplicate.level", {"value": "优"}
    )


def test_levels_on_an_item_that_is_not_a_scale() -> None:
    data = clean()
    data["sections"][0]["items"][0]["scale"] = [{"label": "优", "points": 1}]
    assert only(issues_of(data), "item.only_for_mode") == Issue(
        INVALID, (*AT_ATTENDANCE, "scale"), "item.only_for_mode", {"mode": "scale"}
    )


def test_deduction_item_needs_per_occurrence() -> None:
    data = clean()
    del data["sections"][0]["items"][1]["per_occurrence"]
    assert only(issues_of(data), "item.per_occurrence_missing") == Issue(
        INVALID, (*AT_BADGE, "per_occurrence"), "item.per_occurrence_missing"
    )


@pytest.mark.parametrize("floor", [20, 25])
def test_deduction_floor_must_be_below_the_max(floor: int) -> None:
    data = clean()
    data["sections"][0]["items"][1]["floor"] = floor
    assert only(issues_of(data), "item.floor_not_below_max") == Issue(
        INVALID,
        (*AT_BADGE, "floor"),
        "item.floor_not_below_max",
        {"floor": Decimal(floor), "max": Decimal(20)},
    )


def test_deduction_floor_below_the_max_is_fine() -> None:
    data = clean()
    data["sections"][0]["items"][1]["floor"] = "19.99"
    assert issues_of(data) == []


@pytest.mark.parametrize("field", ["per_occurrence", "floor"])
def test_deduction_fields_on_another_mode(field: str) -> None:
    data = clean()
    data["sections"][0]["items"][0][field] = 2
    assert only(issues_of(data), "item.only_for_mode") == Issue(
        INVALID, (*AT_ATTENDANCE, field), "item.only_for_mode", {"mode": "deduction"}
    )


# -- sources ---------------------------------------------------------------------------------


def test_no_sources_is_incomplete() -> None:
    data = clean()
    data["sources"] = []
    scheme, issues = parse(data)
    assert scheme is not None  # can be saved as a draft
    assert issues == [Issue(INCOMPLETE, ("sources",), "sources.none")]
    assert issues[0].blocks_publishing and not issues[0].blocks_saving


def test_no_sources_is_fine_when_goals_are_the_whole_score() -> None:
    data = clean()
    data["sources"] = []
    data["goals"] = {"share": 100}
    assert [issue.code for issue in issues_of(data)] == []


def test_source_weights_must_total_100() -> None:
    data = clean()
    data["sources"][0]["weight"] = "79.5"
    assert issues_of(data) == [
        Issue(INCOMPLETE, ("sources",), "sources.total", {"total": Decimal("99.5")})
    ]


def test_third_party_above_its_cap() -> None:
    data = clean()
    data["sources"] = [{"kind": "supervisor", "weight": 70}, {"kind": "third_party", "weight": 30}]
    assert issues_of(data) == [
        Issue(
            INCOMPLETE,
            ("sources", 1, "weight"),
            "sources.third_party_cap",
            {"weight": Decimal(30), "cap": Decimal(20)},
        )
    ]


def test_third_party_cap_is_the_schemes() -> None:
    data = clean()
    data["sources"] = [{"kind": "supervisor", "weight": 70}, {"kind": "third_party", "weight": 30}]
    data["third_party_cap"] = 30
    assert issues_of(data) == []


# -- sections --------------------------------------------------------------------------------


def test_no_sections_is_incomplete_unless_goals_are_the_whole_score() -> None:
    data = clean()
    data["sections"] = []
    assert issues_of(data) == [Issue(INCOMPLETE, ("sections",), "sections.none")]
    data["goals"] = {"share": 100}
    assert issues_of(data) == []


def test_section_without_items() -> None:
    data = clean()
    data["sections"][0]["items"] = []
    issue = only(issues_of(data), "section.no_items")
    assert issue == Issue(
        INCOMPLETE, ("sections", 0, "items"), "section.no_items", {"section": "遵章守纪"}
    )


def test_section_that_its_items_cannot_fill() -> None:
    data = clean()
    data["sections"][0]["items"][0]["max"] = 10
    issues = issues_of(data)
    assert issues == [
        Issue(
            WARNING,
            ("sections", 0, "max"),
            "section.unreachable",
            {"section": "遵章守纪", "items": Decimal(30), "max": Decimal(40)},
        )
    ]
    assert not issues[0].blocks_publishing


@pytest.mark.parametrize(
    ("maxima", "section_max", "total"),
    [
        ([5, 50], 10, "55"),  # a section of 10 whose items add up to 55
        (["6.67", "6.67", "6.67"], 20, "20.01"),  # 20 shared out in rounded thirds
    ],
)
def test_items_above_the_section_max_are_flagged(
    maxima: list, section_max: int, total: str
) -> None:
    # The sum is capped at the section's maximum, so some of the items' points never count:
    # worth a look, not "no problems".
    data = clean()
    data["sections"][0]["max"] = section_max
    data["sections"][0]["items"] = [
        {"key": f"A{n}", "text": "项", "max": top} for n, top in enumerate(maxima, start=1)
    ]
    issues = [issue for issue in issues_of(data) if issue.path[0] == "sections"]
    assert issues[0] == Issue(
        WARNING,
        ("sections", 0, "max"),
        "section.items_over",
        {"section": "遵章守纪", "items": Decimal(total), "max": Decimal(section_max)},
    )
    assert not issues[0].blocks_publishing


def test_sections_that_do_not_add_up_to_the_scale() -> None:
    data = clean()
    data["scale"] = 120
    assert issues_of(data) == [
        Issue(
            WARNING,
            ("sections",),
            "sections.total",
            {"total": Decimal(100), "scale": Decimal(120)},
        )
    ]


# -- bands -----------------------------------------------------------------------------------


def test_no_bands_is_a_warning() -> None:
    data = clean()
    data["bands"] = []
    assert issues_of(data) == [Issue(WARNING, ("bands",), "bands.none")]


def test_band_above_a_capped_scale_cannot_be_reached() -> None:
    data = clean()
    data["bands"].append({"threshold": 105, "label": "超额"})
    assert issues_of(data) == [
        Issue(
            INCOMPLETE,
            ("bands", 2, "threshold"),
            "band.above_scale",
            {"threshold": Decimal(105), "scale": Decimal(100)},
        )
    ]


def test_band_above_the_scale_is_fine_when_bonuses_may_exceed_it() -> None:
    data = clean()
    data["bands"].append({"threshold": 105, "label": "超额"})
    data["cap_at_scale"] = False
    assert issues_of(data) == []


def test_scores_below_every_band() -> None:
    data = clean()
    data["bands"][1]["threshold"] = 60
    assert issues_of(data) == [
        Issue(WARNING, ("bands",), "bands.gap_below", {"threshold": Decimal(60)})
    ]


# -- rules -----------------------------------------------------------------------------------


def test_rule_that_does_nothing() -> None:
    data = clean()
    data["rules"].append({"event": "noted", "label": "仅记录"})
    assert issues_of(data) == [Issue(WARNING, ("rules", 1), "rule.no_effect", {"event": "noted"})]


@pytest.mark.parametrize(
    "effect",
    [{"points": -1}, {"monthly_points": -5}, {"fine": 200}, {"disqualify": "next_period"}],
)
def test_any_one_effect_is_enough(effect: dict[str, Any]) -> None:
    data = clean()
    data["rules"].append({"event": "lost_card", "label": "丢失工作证", **effect})
    assert issues_of(data) == []


# -- order, severities and parse() -----------------------------------------------------------


def test_issues_come_in_the_order_of_the_fields() -> None:
    data = clean()
    data["rules"].append({"event": "noted", "label": "仅记录"})
    data["bands"] = []
    data["sections"][0]["items"][0]["max"] = 10
    data["sources"][0]["weight"] = 10
    data["sections"][1]["key"] = "discipline"
    assert [issue.code for issue in issues_of(data)] == [
        "duplicate.section",
        "sources.total",
        "section.unreachable",
        "bands.none",
        "rule.no_effect",
    ]


def test_parse_returns_the_scheme_with_incomplete_and_warning_issues() -> None:
    data = clean()
    data["sources"][0]["weight"] = 10
    data["bands"] = []
    scheme, issues = parse(data)
    assert scheme is not None and scheme.sources[0].weight == 10
    assert {issue.severity for issue in issues} == {INCOMPLETE, WARNING}


def test_parse_does_not_change_its_input() -> None:
    data = clean()
    before = copy.deepcopy(data)
    parse(data)
    assert data == before


def test_blocking_by_severity() -> None:
    def issue(severity: Severity) -> Issue:
        return Issue(severity, (), "x")

    assert issue(INVALID).blocks_saving and issue(INVALID).blocks_publishing
    assert not issue(INCOMPLETE).blocks_saving and issue(INCOMPLETE).blocks_publishing
    assert not issue(WARNING).blocks_saving and not issue(WARNING).blocks_publishing


# -- pydantic's findings ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "path", "code"),
    [
        (lambda d: d.update(scale="abc"), ("scale",), "type.decimal_parsing"),
        (lambda d: d.update(name=""), ("name",), "type.string_too_short"),
        (lambda d: d.update(colour="red"), ("colour",), "type.extra_forbidden"),
        (lambda d: d.update(precision=5), ("precision",), "type.less_than_equal"),
        (lambda d: d.update(scale="1.234"), ("scale",), "type.decimal_max_places"),
        (lambda d: d.update(cap_at_scale="maybe"), ("cap_at_scale",), "type.bool_parsing"),
        (
            lambda d: d["sections"][1]["items"][0].update(mode="stars"),
            ("sections", 1, "items", 0, "mode"),
            "type.enum",
        ),
        (
            lambda d: d["sections"][0]["items"][0].update(key="has space"),
            ("sections", 0, "items", 0, "key"),
            "type.string_pattern_mismatch",
        ),
        (lambda d: d["sources"][0].update(weight=101), ("sources", 0, "weight"), None),
        (lambda d: d["bands"][0].pop("label"), ("bands", 0, "label"), "type.missing"),
    ],
)
def test_pydantic_errors_become_invalid_issues_at_their_location(
    change: Any, path: tuple[Any, ...], code: str | None
) -> None:
    data = clean()
    change(data)
    scheme, issues = parse(data)
    assert scheme is None
    assert len(issues) == 1, issues
    issue = issues[0]
    assert issue.severity is INVALID
    assert issue.path == path
    assert issue.code == (code or "type.less_than_equal")


def test_pydantic_issue_params_carry_the_input_and_the_limits() -> None:
    data = clean()
    data["precision"] = 5
    data["sections"][1]["items"][0]["mode"] = "stars"
    issues = {issue.path: issue for issue in issues_of(data)}
    assert issues[("precision",)].params == {"le": 4, "input": 5}
    enum_issue = issues[("sections", 1, "items", 0, "mode")]
    assert enum_issue.params["input"] == "stars"
    assert "'deduction'" in enum_issue.params["expected"]


def test_pydantic_float_inputs_are_reported_as_decimals() -> None:
    data = clean()
    data["sources"][0]["weight"] = 100.5
    (issue,) = issues_of(data)
    assert issue.params["input"] == Decimal("100.5")
    assert isinstance(issue.params["input"], Decimal)


def test_pydantic_errors_skip_the_review() -> None:
    data = clean()
    data["scale"] = "abc"
    data["sections"][1]["key"] = "discipline"  # a duplicate, but the scheme never gets built
    assert [issue.code for issue in issues_of(data)] == ["type.decimal_parsing"]


def test_every_pydantic_error_is_reported() -> None:
    data = clean()
    data["scale"] = "abc"
    data["name"] = ""
    assert sorted(issue.path for issue in issues_of(data)) == [("name",), ("scale",)]
