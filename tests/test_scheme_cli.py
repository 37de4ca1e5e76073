"""`kaohe scheme check` and `kaohe scheme try`: problems with their line and field in the chosen
language, exit statuses a script can rely on, and scores printed as JSON with their
explanation. No database is involved."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from saas.cli import main
from saas.schemes import files
from saas.schemes.cli import default_language
from saas.schemes.explain import explain, explain_reason
from saas.schemes.files import FileIssue
from saas.schemes.messages import MESSAGES, describe, describe_with_place, field_label
from saas.scoring.checks import Issue, Severity
from saas.scoring.engine import Engine
from saas.scoring.inputs import Event, GoalAttainment, Rating, SubjectInput, Validity
from saas.scoring.period import Period

SCHEME = """\
kaohe_scheme: 1
name: 食堂服务考核
sources:
  - {kind: supervisor, weight: 100}
sections:
  - key: S
    title: 服务
    max: 100
    items:
      - {key: P1, text: 出餐及时, max: 60}
      - {key: Y1, text: 着装整洁, max: 40, mode: yes_no}
bands:
  - {threshold: 90, label: 优秀, award: 500}
  - {threshold: 0, label: 合格}
rules:
  - {event: praise, label: 表扬, points: 5}
"""

# Line 5 names a source kind Kaohe does not have.
MISTYPED = """\
kaohe_scheme: 1
name: 坏方案
sources:
  - {kind: supervisor, weight: 60}
  - {kind: boss, weight: 40}
sections:
  - key: S
    title: 服务
    max: 100
    items:
      - {key: P1, text: 出餐及时, max: 100}
"""

# Well typed, but the weights add up to 60 (line 3, incomplete) and there are no bands
# (a warning about the whole file, line 1).
UNFINISHED = """\
kaohe_scheme: 1
name: 未完成的方案
sources:
  - {kind: supervisor, weight: 60}
sections:
  - key: S
    title: 服务
    max: 100
    items:
      - {key: P1, text: 出餐及时, max: 100}
"""

INPUTS = """\
period: 2026-Q3
subjects:
  - key: E001
    name: 张三
    ratings:
      - {item: P1, source: supervisor, rater: 李四, value: 50}
      - {item: P1, source: supervisor, rater: 王五, value: 55}
      - {item: Y1, source: supervisor, rater: 李四, value: yes}
    events:
      - {event: praise, on: 2026-08-03}
  - key: E002
    ratings:
      - {item: P1, source: supervisor, rater: 李四, value: 30}
      - {item: Y1, source: supervisor, rater: 李四, value: no}
"""

BAD_INPUTS = """\
period: 2026-Q3
subjects:
  - key: E001
    ratings:
      - {item: X9, source: supervisor, value: 50}
      - {item: Y1, source: supervisor, value: maybe}
"""


@pytest.fixture
def write(tmp_path: Path):
    def write(name: str, text: str | bytes) -> str:
        path = tmp_path / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return str(path)

    return write


@pytest.fixture
def kaohe(monkeypatch):
    monkeypatch.delenv("KAOHE_LANG", raising=False)
    monkeypatch.delenv("LANG", raising=False)
    runner = CliRunner()
    return lambda *args, **kw: runner.invoke(main, ["scheme", *args], **kw)


def test_the_scheme_commands_are_listed(kaohe):
    listed = kaohe("--help")
    assert listed.exit_code == 0
    assert "check" in listed.output and "try" in listed.output


# -- check ----------------------------------------------------------------------------------------


def test_check_passes_a_good_file(kaohe, write):
    checked = kaohe("check", write("scheme.yaml", SCHEME), "--lang", "en")
    assert checked.exit_code == 0, checked.output
    assert checked.output.strip().splitlines() == [
        "Errors: 0, warnings: 0. The scheme 食堂服务考核 can be published."
    ]


def test_check_reports_line_field_and_message_in_english(kaohe, write):
    path = write("bad.yaml", MISTYPED)
    checked = kaohe("check", path, "--lang", "en")
    assert checked.exit_code == 1
    assert checked.output.splitlines() == [
        f"{path}:5: error: sources[1].kind (source): Must be one of: self, supervisor, peer, "
        "subordinate, customer, committee, third_party.",
        "Errors: 1, warnings: 0. The scheme cannot be published until the errors are fixed.",
    ]


def test_check_lists_errors_before_warnings(kaohe, write):
    path = write("unfinished.yaml", UNFINISHED)
    checked = kaohe("check", path, "--lang", "en")
    assert checked.exit_code == 1  # incomplete: it cannot be published
    lines = checked.output.splitlines()
    assert lines[0].startswith(f"{path}:3: incomplete: sources: The sources' weights add up to 60%")
    assert lines[1].startswith(f"{path}:1: warning: bands: There are no bands")
    assert lines[-1].startswith("Errors: 1, warnings: 1.")


def test_check_speaks_chinese(kaohe, write):
    # Needs the Chinese catalog to translate: "error", "source", "Must be one of: …" and the
    # summary (see docs/translating.md).
    path = write("bad.yaml", MISTYPED)
    checked = kaohe("check", path, "--lang", "zh")
    assert checked.exit_code == 1
    assert checked.output.splitlines() == [
        f"{path}:5: 错误: sources[1].kind (评价主体): 必须是以下之一：self, supervisor, peer, "
        "subordinate, customer, committee, third_party。",
        "错误 1 个，警告 0 个。改正错误后方案才能发布。",
    ]


def test_the_language_comes_from_the_environment(kaohe, write):
    path = write("bad.yaml", MISTYPED)
    checked = kaohe("check", path, env={"KAOHE_LANG": "en"})
    assert "Must be one of" in checked.output


@pytest.mark.parametrize(
    ("kaohe_lang", "lang", "expected"),
    [
        (None, None, "zh"),
        ("en", None, "en"),
        (None, "en_US.UTF-8", "en"),
        (None, "zh_CN.UTF-8", "zh"),
        (None, "C.UTF-8", "zh"),
        ("zh", "en_US.UTF-8", "zh"),
        ("fr", "en_GB.UTF-8", "en"),
    ],
)
def test_default_language(monkeypatch, kaohe_lang, lang, expected):
    for name, value in (("KAOHE_LANG", kaohe_lang), ("LANG", lang)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    assert default_language() == expected


def test_check_refuses_a_file_that_is_not_utf8(kaohe, write):
    path = write("gbk.yaml", "name: 食堂".encode("gbk"))
    checked = kaohe("check", path, "--lang", "en")
    assert checked.exit_code == 1
    assert f"{path}: error: The file is not UTF-8 text." in checked.output


# -- try ------------------------------------------------------------------------------------------


def test_try_prints_scores_with_their_explanation(kaohe, write):
    tried = kaohe("try", write("scheme.yaml", SCHEME), write("inputs.yaml", INPUTS), "--lang", "en")
    assert tried.exit_code == 0, tried.output
    output = json.loads(tried.stdout)
    assert (output["scheme"], output["period"]) == ("食堂服务考核", "2026-Q3")
    zhang, other = output["results"]
    # P1: the mean of 50 and 55 is 52.5; Y1 yes is 40; 92.5 plus 5 for the praise letter.
    # Numbers at the scheme's precision (two decimals), not the engine's 28 digits.
    assert (zhang["name"], zhang["final"], zhang["band"], zhang["award"]) == (
        "张三",
        "97.50",
        "优秀",
        "500.00",
    )
    assert zhang["checklist"] == "92.50" and zhang["weights"] == {"supervisor": "100.00"}
    assert (zhang["consequence"], zhang["consequence_text"]) == ("none", "none")
    assert (other["name"], other["final"], other["band"]) == (None, "30.00", "合格")
    assert len(zhang["explanation"]) == len(zhang["trace"])
    assert zhang["explanation"][0] == (
        "Supervisor or department · P1 出餐及时: 2 raters, mean 52.5, score 52.5"
    )
    assert "2026-08-03 表扬: +5 points" in zhang["explanation"]
    assert zhang["explanation"][-1] == "Band 优秀 (from 90 points), award ¥500"
    assert zhang["disqualified_explanation"] == []


def test_try_explains_in_chinese(kaohe, write):
    # Needs the Chinese catalog to translate "supervisor or department" and the item step.
    tried = kaohe("try", write("scheme.yaml", SCHEME), write("inputs.yaml", INPUTS), "--lang", "zh")
    assert tried.exit_code == 0, tried.output
    zhang = json.loads(tried.stdout)["results"][0]
    assert (
        zhang["explanation"][0] == "上级（部门）评 · P1 出餐及时：2 人评分，平均 52.5，计 52.5 分"
    )


def test_try_reports_bad_inputs_with_their_lines(kaohe, write):
    inputs = write("inputs.yaml", BAD_INPUTS)
    tried = kaohe("try", write("scheme.yaml", SCHEME), inputs, "--lang", "en")
    assert tried.exit_code == 1
    assert tried.stdout == ""  # nothing scored, no half-written JSON
    assert tried.stderr.splitlines() == [
        f"{inputs}:5: subjects[0].ratings[0].item: The scheme has no item X9.",
        f"{inputs}:6: subjects[0].ratings[1].value: maybe is not yes or no.",
        f"{inputs}: 2 problems; nothing was scored.",
    ]


def test_try_refuses_a_scheme_with_errors(kaohe, write):
    path = write("bad.yaml", MISTYPED)
    tried = kaohe("try", path, write("inputs.yaml", INPUTS), "--lang", "en")
    assert tried.exit_code == 1
    assert tried.stdout == ""
    assert f"{path}:5: error: sources[1].kind (source)" in tried.stderr


def test_try_includes_each_results_band_consequence(kaohe, write):
    retraining = SCHEME.replace(
        "{threshold: 0, label: 合格}", "{threshold: 0, label: 需培训, consequence: retraining}"
    )
    tried = kaohe(
        "try", write("scheme.yaml", retraining), write("inputs.yaml", INPUTS), "--lang", "zh"
    )
    assert tried.exit_code == 0, tried.output
    other = json.loads(tried.stdout)["results"][1]
    assert (other["final"], other["band"], other["consequence"]) == (
        "30.00",
        "需培训",
        "retraining",
    )
    assert other["consequence_text"] == "下岗培训：脱岗培训并参加考试"
    assert other["explanation"][-1] == (
        "等级：需培训（0 分及以上）；后果：下岗培训：脱岗培训并参加考试"
    )


def test_try_says_an_event_without_its_validity_decision_is_pending(kaohe, write):
    complaint = SCHEME.replace(
        "  - {event: praise, label: 表扬, points: 5}",
        "  - {event: praise, label: 表扬, points: 5}\n"
        "  - {event: complaint, label: 有效投诉, label_en: Valid complaint, needs_validity: true,"
        " disqualify: this_period}",
    )
    inputs = INPUTS.replace(
        "      - {event: praise, on: 2026-08-03}",
        "      - {event: praise, on: 2026-08-03}\n      - {event: complaint, on: 2026-08-05}",
    )
    tried = kaohe(
        "try", write("scheme.yaml", complaint), write("inputs.yaml", inputs), "--lang", "en"
    )
    assert tried.exit_code == 0, tried.output
    zhang = json.loads(tried.stdout)["results"][0]
    assert zhang["disqualified"] == []
    assert (
        "2026-08-05 Valid complaint: pending, no validity decision yet; it counts for nothing "
        "until it is ruled valid"
    ) in zhang["explanation"]


def test_try_reports_bad_inputs_in_chinese(kaohe, write):
    inputs = write("inputs.yaml", BAD_INPUTS)
    tried = kaohe("try", write("scheme.yaml", SCHEME), inputs, "--lang", "zh")
    assert tried.exit_code == 1
    assert tried.stderr.splitlines()[1] == (
        f"{inputs}:6: subjects[0].ratings[1].value: maybe 不是“是”或“否”。"
    )


def test_a_file_that_is_not_yaml_is_said_with_line_and_column_in_chinese(kaohe, write):
    path = write("broken.yaml", SCHEME.replace("    title: 服务\n", "    title: 服务: 接待\n"))
    checked = kaohe("check", path, "--lang", "zh")
    assert checked.exit_code == 1
    assert checked.output.splitlines()[0] == (
        f"{path}:7:14: 错误: 此处不应出现冒号：请让这一行与上下行对齐缩进，含有“: ”的文字请加引号。"
    )


def test_check_flags_items_over_their_sections_maximum(kaohe, write):
    over = SCHEME.replace(
        "{key: P1, text: 出餐及时, max: 60}", "{key: P1, text: 出餐及时, max: 65}"
    )
    path = write("over.yaml", over)
    checked = kaohe("check", path, "--lang", "en")
    assert checked.exit_code == 0  # a warning: it can be published, once looked at
    lines = checked.output.splitlines()
    assert lines[0] == (
        f"{path}:8: warning: sections[0].max (maximum points): The items of 服务 add up to 105 "
        "points, more than the section's maximum of 100: the section is capped at 100, so some "
        "of their points never count. Make the items add up to 100, or rate the section as a "
        "whole."
    )
    assert lines[-1] == (
        "Errors: 0, warnings: 1. The scheme 食堂服务考核 can be published, but look at the "
        "warnings first."
    )


# -- the words: a sentence for every problem code and every step ---------------------------------

ROOT = Path(__file__).resolve().parent.parent
PYDANTIC_TYPES = [
    "missing",
    "extra_forbidden",
    "string_type",
    "string_too_short",
    "string_too_long",
    "string_pattern_mismatch",
    "decimal_parsing",
    "decimal_type",
    "decimal_max_places",
    "decimal_whole_digits",
    "greater_than",
    "greater_than_equal",
    "less_than",
    "less_than_equal",
    "int_parsing",
    "int_type",
    "int_from_float",
    "bool_parsing",
    "bool_type",
    "enum",
    "tuple_type",
    "list_type",
    "model_type",
    "model_attributes_type",
    "dict_type",
]


def emitted_codes(path: str) -> set[str]:
    source = (ROOT / path).read_text(encoding="utf-8")
    families = (
        "duplicate|item|sources|sections|section|bands|band|rule|file|yaml|input"
        "|eligibility|unit_categories"
    )
    return set(re.findall(rf'"((?:{families})\.[a-z_]+)"', source))


def test_every_problem_code_has_its_own_message():
    codes = set().union(
        *(
            emitted_codes(path)
            for path in (
                "saas/scoring/checks.py",
                "saas/schemes/files.py",
                "saas/scoring/yamlguard.py",
                "saas/scoring/engine.py",
            )
        )
    )
    assert {"duplicate.item", "sources.total", "file.version", "yaml.colon"} <= codes
    assert {"eligibility.unknown_level", "input.rate_the_section"} <= codes
    codes |= {f"type.{name}" for name in PYDANTIC_TYPES}
    assert sorted(codes - set(MESSAGES)) == []


def test_messages_fill_in_their_values():
    issue = Issue(Severity.INCOMPLETE, ("sources",), "sources.total", {"total": Decimal("60.50")})
    assert describe(issue) == "The sources' weights add up to 60.5%; they must add up to 100%."
    mode = Issue(Severity.INVALID, ("sections", 0, "items", 1, "floor"), "item.only_for_mode",
                 {"mode": "deduction"})  # fmt: skip
    assert "“deduction per occurrence”" in describe(mode)
    odd = Issue(Severity.INVALID, ("x",), "type.some_new_check", {})
    assert describe(odd) == "This value is not accepted here (some_new_check)."
    assert describe(Issue(Severity.WARNING, (), "no.such.code")) == (
        "Kaohe found a problem here (no.such.code)."
    )


def test_field_labels_and_places():
    assert field_label(("sections", 0, "items", 1, "max")) == "maximum points"
    assert field_label(("sections", 0, "items", 1, "scale", 0, "label")) == "level"
    assert field_label(("sources", 1)) == "source"
    assert field_label(("goals", "share")) == "share of the score from goals"
    assert field_label(("bands", 0, "colour")) == "colour"  # unknown fields keep their name
    found = FileIssue(Issue(Severity.INVALID, ("sections", 0, "max"), "type.missing"), 12)
    assert describe_with_place(found) == "line 12, sections[0].max: Required: fill it in."
    whole = FileIssue(Issue(Severity.INVALID, (), "file.not_a_mapping"), 1)
    assert describe_with_place(whole).startswith("line 1: The file is not a scheme")


TRIAL = """\
kaohe_scheme: 1
name: 全部步骤
missing_sources: zero
sources:
  - {kind: supervisor, weight: 50}
  - {kind: customer, weight: 50}
goals: {share: 50}
sections:
  - key: S
    title: 服务
    max: 50
    items:
      - {key: P1, text: 出餐及时, max: 40}
      - {key: P2, text: 菜品质量, max: 40}
  - key: K
    title: 安全
    max: 50
    items:
      - {key: K1, text: 食品安全, max: 25, mode: critical, on_fail: zero_section}
      - {key: K2, text: 消防安全, max: 25, mode: critical}
bands:
  - {threshold: 60, label: 合格}
  - {threshold: 95, label: 优秀, award: 200}
rules:
  - {event: bonus, label: 市级表彰, points: 100}
  - {event: penalty, label: 重大事故, points: -500}
  - {event: lost_badge, label: 丢失奖章, fine: 200, disqualify: next_period}
  - {event: complaint, label: 有效投诉, needs_validity: true, disqualify: this_period}
  - {event: late, label: 迟到, monthly_points: -10}
tally_limits:
  - {deducted_at_least: 10, disqualify: next_period}
"""


def trial_results():
    scheme = files.load(TRIAL).scheme
    day = dt.date(2026, 8, 3)
    subjects = [
        SubjectInput(
            "everything",
            ratings=(
                Rating("P1", "supervisor", "a", Decimal(45)),  # above the maximum: kept at 40
                Rating("P2", "supervisor", "a", Decimal(30)),  # the section caps 70 at 50
                Rating("K1", "supervisor", "a", True),
                Rating("K2", "supervisor", "a", True),
            ),
            events=(
                Event("bonus", day),
                Event("lost_badge", dt.date(2026, 5, 2)),  # last quarter: disqualifies this one
                Event("late", dt.date(2026, 5, 3)),  # last quarter's tally
                Event("late", day),
                Event("complaint", day, Validity.PENDING),
                Event("complaint", day, Validity.INVALID),
                Event("complaint", day),  # no decision, and its rule needs one: pending
                Event("complaint", day, Validity.VALID),
                Event("lost_badge", day),
                Event("unheard_of", day),
                Event("bonus", dt.date(2025, 1, 1)),  # long ago
            ),
        ),
        SubjectInput(
            "no ratings",
            goals=(GoalAttainment("G", Decimal(1), Decimal(50)),),
            events=(Event("penalty", day),),
        ),
        SubjectInput(
            "critical",
            ratings=(
                Rating("K1", "customer", "a", False),
                Rating("K2", "customer", "a", False),
            ),
        ),
        SubjectInput("excluded", excluded_because=("试用期",)),
    ]
    return scheme, Engine(scheme).score_many(subjects, Period.parse("2026-Q3"))


def test_every_step_of_the_engine_is_explained():
    scheme, results = trial_results()
    engine = (ROOT / "saas" / "scoring" / "engine.py").read_text(encoding="utf-8")
    engine_codes = set(re.findall(r'Step\(\s*f?"([a-z_]+)', engine))
    engine_codes = {c for c in engine_codes if c != "event_"} | {
        f"event_{v.value}" for v in Validity if v is not Validity.VALID
    }
    engine_codes |= {"item", "section", "source"}  # from Result.trace()
    said: dict[str, list[str]] = {}
    for result in results:
        steps = [*result.trace(), *result.disqualified, *result.disqualified_next]
        for step in steps:
            sentence = explain(step, scheme)
            assert sentence and "%(" not in sentence and "Step " not in sentence, step
            said.setdefault(step.code, []).append(sentence)
    assert sorted(engine_codes - set(said)) == []
    everything = results[0]
    assert [s.code for s in everything.disqualified] == ["previous_period", "rule", "tally_limit"]
    assert [s.code for s in everything.disqualified_next] == ["rule", "tally_limit"]
    assert said["item"][0] == (
        "Supervisor or department · P1 出餐及时: 1 rater, mean 45, kept within the item's "
        "range: score 40"
    )
    assert said["section"][0] == (
        "Supervisor or department · 服务: items add up to 70, capped at the section's maximum of 50"
    )
    assert (
        "Customers · 安全: scores 0 because the critical item K1 食品安全 failed"
        in (said["section"])
    )
    assert "2026-08-03 丢失奖章: fine ¥200, disqualifies next period" in said["event"]
    assert explain_reason(results[2].disqualified[0], scheme) == (
        "The critical item K2 消防安全 failed (customers)"
    )


# -- try: a cohort ---------------------------------------------------------------------------------

QUOTA_SCHEME = (
    SCHEME.replace(
        "  - {threshold: 90, label: 优秀, award: 500}",
        "  - {threshold: 90, label: 优秀, award: 500, quota: 10}",
    )
    + "eligibility:\n  - {kind: unit_category, value: 后勤}\n"
)

COHORT = (
    "period: 2026-Q3\nsubjects:\n"
    + "".join(
        f"  - key: E{n:02d}\n"
        f"    ratings: [{{item: P1, source: supervisor, value: {59 - n}}},"
        " {item: Y1, source: supervisor, value: yes}]\n"
        for n in range(10)
    )
    + "  - key: L01\n    name: 后勤甲\n    unit_category: 后勤\n"
)


def test_try_applies_eligibility_and_quotas_across_the_file(kaohe, write):
    tried = kaohe("try", write("q.yaml", QUOTA_SCHEME), write("c.yaml", COHORT), "--lang", "en")
    assert tried.exit_code == 0, tried.output
    printed = json.loads(tried.output)
    by_key = {r["subject"]: r for r in printed["results"]}
    # Ten assessed, all 优秀 on score (99 … 90): one place; L01 is excluded and not counted.
    assert [k for k, r in by_key.items() if r["band"] == "优秀"] == ["E00"]
    assert by_key["L01"]["excluded_because"] == ["unit_category:后勤"]
    assert by_key["L01"]["explanation"] == ["Not assessed: unit_category:后勤"]
    assert printed["quota_moves"][0] == {
        "subject": "E01", "name": None, "from": "优秀", "to": "合格", "quota": "10.00"
    }  # fmt: skip
    assert len(printed["quota_moves"]) == 9
    assert by_key["E01"]["explanation"][-1] == "优秀 is over its quota of 10%: moved down to 合格"


def test_try_prints_one_line_per_subject_as_text(kaohe, write):
    tried = kaohe(
        "try", write("q.yaml", QUOTA_SCHEME), write("c.yaml", COHORT), "--lang", "en",
        "--format", "text",
    )  # fmt: skip
    assert tried.exit_code == 0, tried.output
    lines = tried.output.splitlines()
    assert lines[0] == "食堂服务考核 · 2026-Q3"
    assert lines[1] == "E00: 99.00, 优秀, award ¥500.00"
    assert lines[2] == "E01: 98.00, 合格, award ¥0.00"
    assert lines[11] == "L01 后勤甲: not assessed: unit_category:后勤"
    assert lines[12] == "Moved down by band quotas:"
    assert lines[13] == "  E01: 优秀 → 合格 (quota 10.00%)"
    assert len(lines) == 13 + 9


def test_try_reports_a_bad_fact_with_its_line(kaohe, write):
    bad = "period: 2026-Q3\nlevels: [员工]\nsubjects:\n  - key: E1\n    level: 经理\n"
    path = write("bad.yaml", bad)
    tried = kaohe("try", write("q.yaml", QUOTA_SCHEME), path, "--lang", "en")
    assert tried.exit_code == 1
    assert f"{path}:5: subjects[0].level: 经理 is not one of the levels listed; they are 员工." in (
        tried.output
    )
