"""Sample inputs for `kaohe scheme try`: reading them exactly, reporting every problem with its
line and field, and scoring them just as the engine does. The example in
docs/scheme-inputs.md is read from the page, so the page cannot drift from the code."""

from __future__ import annotations

import datetime as dt
import json
import re
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest

from saas.schemes import files
from saas.schemes.cli import _output as cli_output
from saas.schemes.messages import describe_input
from saas.scoring.engine import Engine
from saas.scoring.inputs import Event, GoalAttainment, Rating, SubjectInput, Validity
from saas.scoring.period import Period
from saas.scoring.scheme import Scheme
from saas.scoring.tryout import Inputs, read_inputs, run

DOC = Path(__file__).resolve().parents[2] / "docs" / "scheme-inputs.md"

SCHEME = """\
kaohe_scheme: 1
name: 食堂服务考核
period: quarter
sources:
  - {kind: supervisor, weight: 60}
  - {kind: customer, weight: 40}
sections:
  - key: S
    title: 服务
    max: 100
    items:
      - {key: P1, text: 出餐及时, max: 40}
      - {key: Y1, text: 着装整洁, max: 20, mode: yes_no}
      - key: L1
        text: 服务态度
        max: 20
        mode: scale
        scale: [{label: "1", points: 20}, {label: "2", points: 10}, {label: 差, points: 0}]
      - {key: D1, text: 卫生问题, max: 10, mode: deduction, per_occurrence: 2.5}
      - {key: K1, text: 食品安全, max: 10, mode: critical}
goals: {share: 10}
bands:
  - {threshold: 90, label: 优秀, award: 500}
  - {threshold: 0, label: 合格}
rules:
  - {event: praise, label: 表扬, points: 3}
  - {event: complaint, label: 投诉, needs_validity: true, disqualify: this_period}
"""


def scheme_of(text: str) -> Scheme:
    loaded = files.load(text)
    assert loaded.scheme is not None, [found.issue for found in loaded.issues]
    return loaded.scheme


@pytest.fixture(scope="module")
def scheme() -> Scheme:
    return scheme_of(SCHEME)


def read(text: str, scheme: Scheme) -> Inputs:
    return read_inputs(textwrap.dedent(text), scheme)


def line_of(text: str, fragment: str) -> int:
    """The 1-based line of the first line of ``text`` that holds ``fragment``."""
    lines = textwrap.dedent(text).splitlines()
    return next(n for n, line in enumerate(lines, 1) if fragment in line)


# -- the example in docs/scheme-inputs.md ---------------------------------------------------------


def doc_blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)


def doc_file(name: str) -> str:
    return next(block for block in doc_blocks("yaml") if block.startswith(f"# {name}\n"))


@pytest.fixture(scope="module")
def doc_example() -> tuple[Scheme, Inputs]:
    scheme = scheme_of(doc_file("scheme.yaml"))
    inputs = read_inputs(doc_file("inputs.yaml"), scheme)
    assert inputs.problems == []
    return scheme, inputs


def test_the_documented_example_scores_as_worked_by_hand(doc_example):
    scheme, inputs = doc_example
    by_key = {entry["subject"]: entry for entry in run(scheme, inputs)}
    assert list(by_key) == ["E001", "E002", "E003"]
    zhang = by_key["E001"]
    assert (zhang["name"], zhang["final"], zhang["band"], zhang["award"]) == (
        "张三",
        "95.52",
        "优秀",
        "300",
    )
    assert (zhang["checklist"], zhang["goals"], zhang["base"]) == ("92.65", "97", "93.52")
    assert by_key["E003"]["excluded_because"] == ["部门主管以上不在考核范围"]
    assert by_key["E003"]["band"] is None


def test_the_documented_output_is_what_kaohe_prints(doc_example):
    scheme, inputs = doc_example
    shown, first_steps = (json.loads(block) for block in doc_blocks("json"))
    # What `kaohe scheme try` prints; outside a request the sentences are the English source
    # text, as with --lang en.
    printed = cli_output(scheme, inputs)["results"]
    actual = next(entry for entry in printed if entry["subject"] == shown["subject"])
    assert {key: actual[key] for key in shown} == shown
    assert actual["trace"][: len(first_steps)] == first_steps


# -- reading --------------------------------------------------------------------------------------

GOOD = """\
period: 2026-Q3
subjects:
  - key: E001
    name: 张三
    ratings:
      - {item: P1, source: supervisor, rater: 李四, value: 36.5}
      - {item: P1, source: supervisor, rater: 王五, value: 38}
      - {item: Y1, source: supervisor, rater: 李四, value: yes}
      - {item: L1, source: supervisor, rater: 李四, value: 1}
      - {item: D1, source: supervisor, rater: 李四, value: 2}
      - {item: K1, source: supervisor, rater: 李四, value: 是}
      - {item: P1, source: customer, value: 30}
      - {item: Y1, source: customer, value: false}
      - {item: K1, source: customer, value: "yes"}
    goals:
      - {goal: 月营业额, weight: 1, attainment: 88.8}
    events:
      - {event: praise, on: 2026-08-03, ref: L-1}
      - {event: complaint, on: 2026-09-01, validity: pending}
  - key: E002
"""


def test_values_are_read_as_the_item_takes_them(scheme):
    inputs = read(GOOD, scheme)
    assert inputs.problems == []
    assert inputs.period == Period.parse("2026-Q3")
    assert inputs.names == {"E001": "张三"}
    first, second = inputs.subjects
    values = [(r.item, r.source, r.value) for r in first.ratings]
    assert values == [
        ("P1", "supervisor", Decimal("36.5")),
        ("P1", "supervisor", Decimal("38")),
        ("Y1", "supervisor", True),
        ("L1", "supervisor", "1"),  # a level called "1" is a label, not a number
        ("D1", "supervisor", 2),
        ("K1", "supervisor", True),
        ("P1", "customer", Decimal("30")),
        ("Y1", "customer", False),
        ("K1", "customer", True),
    ]
    assert type(values[0][2]) is Decimal and type(values[4][2]) is int
    assert first.ratings[0].rater == "李四" and first.ratings[6].rater == ""
    assert first.goals == (GoalAttainment("月营业额", Decimal(1), Decimal("88.8")),)
    assert first.events == (
        Event("praise", dt.date(2026, 8, 3), None, "L-1"),  # no decision given
        Event("complaint", dt.date(2026, 9, 1), Validity.PENDING, ""),
    )
    assert second == SubjectInput("E002")


def test_json_inputs_read_the_same_as_yaml(scheme):
    data = {
        "period": {"start": "2026-07-01", "end": "2026-08-15"},
        "subjects": [
            {
                "key": "E001",
                "ratings": [
                    {"item": "P1", "source": "supervisor", "value": 12.25},
                    {"item": "Y1", "source": "supervisor", "value": True},
                ],
                "events": [{"event": "praise", "on": "2026-08-03", "validity": "valid"}],
                "excluded_because": [],
            }
        ],
    }
    inputs = read_inputs(json.dumps(data), scheme)
    assert inputs.problems == []
    assert inputs.period == Period.between(dt.date(2026, 7, 1), dt.date(2026, 8, 15))
    (subject,) = inputs.subjects
    assert [r.value for r in subject.ratings] == [Decimal("12.25"), True]
    assert subject.events[0].on == dt.date(2026, 8, 3)


def test_excluded_subjects_keep_their_reasons(scheme):
    inputs = read(
        """\
        period: 2026-07
        subjects:
          - {key: M1, excluded_because: [部门主管以上不在考核范围, 试用期]}
        """,
        scheme,
    )
    assert inputs.problems == []
    assert inputs.subjects[0].excluded_because == ("部门主管以上不在考核范围", "试用期")


# -- problems -------------------------------------------------------------------------------------

# (a subject's fields, the fragment on the line of the problem, its path under the subject,
# its code)
SUBJECT_PROBLEMS = [
    ("ratings:\n  - {item: X9, source: supervisor, value: 1}", "X9", ("ratings", 0, "item"),
     "rating.unknown_item"),
    ("ratings:\n  - {item: P1, source: peer, value: 1}", "peer", ("ratings", 0, "source"),
     "rating.unknown_source"),
    ("ratings:\n  - {item: P1, source: boss, value: 1}", "boss", ("ratings", 0, "source"),
     "rating.unknown_source"),
    ("ratings:\n  - {item: P1, source: supervisor, value: lots}", "lots",
     ("ratings", 0, "value"), "value.not_a_number"),
    ("ratings:\n  - {item: P1, source: supervisor, value: 40.5}", "40.5",
     ("ratings", 0, "value"), "value.out_of_range"),
    ("ratings:\n  - {item: P1, source: supervisor, value: -1}", "-1",
     ("ratings", 0, "value"), "value.out_of_range"),
    ("ratings:\n  - {item: Y1, source: supervisor, value: maybe}", "maybe",
     ("ratings", 0, "value"), "value.not_yes_no"),
    ("ratings:\n  - {item: L1, source: supervisor, value: 优}", "优",
     ("ratings", 0, "value"), "value.unknown_level"),
    ("ratings:\n  - {item: D1, source: supervisor, value: 1.5}", "1.5",
     ("ratings", 0, "value"), "value.not_a_count"),
    ("ratings:\n  - {item: D1, source: supervisor, value: -2}", "-2",
     ("ratings", 0, "value"), "value.not_a_count"),
    ("ratings:\n  - {item: P1, source: supervisor}", "item: P1", ("ratings", 0, "value"),
     "field.missing"),
    ("ratings:\n  - {item: P1, source: supervisor, value: 1, raters: 3}", "raters",
     ("ratings", 0, "raters"), "field.unknown"),
    ("ratings:\n  - {item: [P1], source: supervisor, value: 1}", "[P1]",
     ("ratings", 0, "item"), "field.not_text"),
    ("ratings: 5", "ratings", ("ratings",), "field.not_a_list"),
    ("ratings:\n  - P1", "- P1", ("ratings", 0), "field.not_a_mapping"),
    ("goals:\n  - {goal: G1, weight: heavy, attainment: 90}", "heavy",
     ("goals", 0, "weight"), "number.invalid"),
    ("goals:\n  - {goal: G1, weight: 1, attainment: -5}", "-5",
     ("goals", 0, "attainment"), "number.negative"),
    ("events:\n  - {event: fire, on: 2026-08-01}", "fire", ("events", 0, "event"),
     "event.unknown"),
    ("events:\n  - {event: praise, on: 2026-02-30}", "2026-02-30", ("events", 0, "on"),
     "date.invalid"),
    ("events:\n  - {event: praise, on: 2026-08-01, validity: maybe}", "maybe",
     ("events", 0, "validity"), "validity.invalid"),
    ("events:\n  - {event: praise}", "praise", ("events", 0, "on"), "field.missing"),
    ("name: a\nname: b", "name: b", ("name",), "field.repeated"),
]  # fmt: skip


@pytest.mark.parametrize(("fields", "fragment", "path", "code"), SUBJECT_PROBLEMS)
def test_each_problem_is_reported_with_its_line_and_field(scheme, fields, fragment, path, code):
    text = "period: 2026-Q3\nsubjects:\n  - key: E001\n" + textwrap.indent(fields, "    ")
    inputs = read_inputs(text, scheme)
    assert [(p.line, p.path, p.code) for p in inputs.problems] == [
        (line_of(text, fragment), ("subjects", 0, *path), code)
    ]
    problem = inputs.problems[0]
    assert problem.field.startswith("subjects[0].")
    assert describe_input(problem) and "%(" not in describe_input(problem)


FILE_PROBLEMS = [
    ("period: 2026-Q3\nsubjects: [\n", 3, (), "yaml.unclosed_bracket"),
    ("- just a list\n", 1, (), "file.not_a_mapping"),
    ("", 1, (), "file.not_a_mapping"),
    ("subjects:\n  - key: E1\n", 1, ("period",), "field.missing"),
    ("period: 2026-Q5\nsubjects:\n  - key: E1\n", 1, ("period",), "period.invalid"),
    ("period: {start: 2026-09-01, end: 2026-08-01}\nsubjects:\n  - key: E1\n", 1, ("period",),
     "period.reversed"),
    ("period: {start: 2026-09-01}\nsubjects:\n  - key: E1\n", 1, ("period", "end"),
     "field.missing"),
    ("period: 2026-Q3\nsubjects: []\n", 2, ("subjects",), "subjects.none"),
    ("period: 2026-Q3\nsubjects:\n  - key: E1\n  - key: E1\n", 4, ("subjects", 1, "key"),
     "subject.repeated"),
    ("period: 2026-Q3\nsubjects:\n  - key: ''\n", 3, ("subjects", 0, "key"), "field.empty"),
    ("period: 2026-Q3\nsubjects:\n  - name: 无名\n", 3, ("subjects", 0, "key"),
     "field.missing"),
    ("period: 2026-Q3\nsubject:\n  - key: E1\n", 2, ("subject",), "field.unknown"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "line", "path", "code"), FILE_PROBLEMS)
def test_problems_with_the_file_itself(scheme, text, line, path, code):
    problems = read_inputs(text, scheme).problems
    assert (problems[0].line, problems[0].path, problems[0].code) == (line, path, code)


def test_every_problem_is_reported_at_once(scheme):
    text = """\
    period: 2026-Q3
    subjects:
      - key: E001
        ratings:
          - {item: X1, source: supervisor, value: 1}
          - {item: P1, source: supervisor, value: 99}
        events:
          - {event: praise, on: yesterday}
      - key: E002
        ratings:
          - {item: L1, source: customer, value: 优}
    """
    inputs = read(text, scheme)
    assert [(p.line, p.code) for p in inputs.problems] == [
        (line_of(text, "X1"), "rating.unknown_item"),
        (line_of(text, "99"), "value.out_of_range"),
        (line_of(text, "yesterday"), "date.invalid"),
        (line_of(text, "优"), "value.unknown_level"),
    ]
    assert describe_input(inputs.problems[1]) == "99 is outside the item's range, 0 to 40."
    assert inputs.problems[1].field == "subjects[0].ratings[1].value"
    assert (
        describe_input(inputs.problems[3])
        == "优 is not a level of this item; the levels are 1, 2, 差."
    )
    assert not inputs.ok


def test_the_key_on_is_a_date_field_not_yaml_true(scheme):
    # PyYAML would read the key `on` as the boolean True; the inputs reader must not.
    text = "period: 2026\nsubjects:\n  - {key: E1, events: [{event: praise, on: 2026-01-02}]}\n"
    inputs = read(text, scheme)
    assert inputs.problems == []
    assert inputs.subjects[0].events[0].on == dt.date(2026, 1, 2)


# -- scoring --------------------------------------------------------------------------------------


def test_run_gives_what_the_engine_gives(scheme):
    inputs = read(GOOD, scheme)
    by_hand = [
        SubjectInput(
            "E001",
            ratings=(
                Rating("P1", "supervisor", "李四", Decimal("36.5")),
                Rating("P1", "supervisor", "王五", Decimal(38)),
                Rating("Y1", "supervisor", "李四", True),
                Rating("L1", "supervisor", "李四", "1"),
                Rating("D1", "supervisor", "李四", 2),
                Rating("K1", "supervisor", "李四", True),
                Rating("P1", "customer", "", Decimal(30)),
                Rating("Y1", "customer", "", False),
                Rating("K1", "customer", "", True),
            ),
            goals=(GoalAttainment("月营业额", Decimal(1), Decimal("88.8")),),
            events=(
                Event("praise", dt.date(2026, 8, 3), None, "L-1"),
                Event("complaint", dt.date(2026, 9, 1), Validity.PENDING),
            ),
        ),
        SubjectInput("E002"),
    ]
    engine = Engine(scheme)
    expected = [engine.score(subject, Period.parse("2026-Q3")).to_dict() for subject in by_hand]
    got = run(scheme, inputs)
    assert [{k: v for k, v in entry.items() if k != "name"} for entry in got] == expected
    assert [entry["name"] for entry in got] == ["张三", None]
    # Supervisor: 37.25 + 20 + 20 + (10 − 5) + 10 = 92.25; customer: 30 + 0 + 10 = 40.
    # Checklist 60 % × 92.25 + 40 % × 40 = 71.35; goals 88.8; base 90 % × 71.35 + 10 % × 88.8
    # = 73.095; the praise adds 3 and the pending complaint does not count: 76.095 → 76.10.
    assert (got[0]["final"], got[0]["band"], got[0]["disqualified"]) == ("76.10", "合格", [])


def test_a_failed_critical_item_disqualifies(scheme):
    inputs = read(
        """\
        period: 2026-Q3
        subjects:
          - key: E001
            ratings:
              - {item: P1, source: supervisor, value: 40}
              - {item: Y1, source: supervisor, value: yes}
              - {item: L1, source: supervisor, value: 1}
              - {item: D1, source: supervisor, value: 0}
              - {item: K1, source: supervisor, value: no}
            goals:
              - {goal: G, weight: 1, attainment: 100}
        """,
        scheme,
    )
    (result,) = run(scheme, inputs)
    # 40 + 20 + 20 + 10 + 0 = 90, renormalised to the supervisor alone; 90 % × 90 + 10 % × 100.
    assert (result["final"], result["band"], result["award"]) == ("91.00", "优秀", "0")
    assert result["disqualified"] == [{"step": "critical", "item": "K1", "source": "supervisor"}]


def test_inputs_with_problems_are_not_scored(scheme):
    inputs = read("period: 2026-Q3\nsubjects:\n  - {key: E1, ratings: 5}\n", scheme)
    with pytest.raises(ValueError, match="problems"):
        run(scheme, inputs)
