"""`kaohe scheme try` scores its file as one cohort, with the code a cycle's scoring run uses:
eligibility facts (position level, unit category, employment form) excluded by the scheme's
rules, level ranks for ``level_at_least``, and band quotas across the file's subjects."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from saas.schemes import files
from saas.schemes.messages import describe_input
from saas.scoring.tryout import read_inputs, results

SCHEME = """\
kaohe_scheme: 1
name: 窗口服务考核
sources:
  - {kind: supervisor, weight: 100}
sections:
  - key: S
    title: 服务
    max: 100
    items:
      - {key: P1, text: 服务质量, max: 100}
bands:
  - {threshold: 90, label: 优秀, award: 500, quota: 10}
  - {threshold: 0, label: 合格}
eligibility:
  - {kind: level_at_least, value: 部门主管}
  - {kind: unit_category, value: 后勤}
  - {kind: employment_form, value: 劳务派遣}
"""


def scheme():
    loaded = files.load(SCHEME)
    assert loaded.scheme is not None, loaded.issues
    return loaded.scheme


def subject(key: str, score: int, **facts: str) -> str:
    lines = [f"  - key: {key}"]
    lines += [f"    {name}: {value}" for name, value in facts.items()]
    lines.append(f"    ratings: [{{item: P1, source: supervisor, value: {score}}}]")
    return "\n".join(lines)


def scored(text: str):
    read = read_inputs(text, scheme())
    assert read.ok, [(p.line, p.code, p.params) for p in read.problems]
    return {r.subject: r for r in results(scheme(), read)}


LEVELS = "levels: [员工, 班组长, 部门主管, 总经理]\n"


def test_each_eligibility_rule_excludes_by_the_facts_with_its_reason():
    text = "period: 2026-Q3\n" + LEVELS + "subjects:\n" + "\n".join([
        subject("E1", 80, level="员工", unit_category="窗口", employment_form="合同制"),
        subject("E2", 80, level="总经理"),  # above 部门主管: its rank is higher
        subject("E3", 80, level="部门主管"),  # 部门主管 itself
        subject("E4", 80, level="班组长"),  # below: assessed
        subject("E5", 80, unit_category="后勤"),
        subject("E6", 80, employment_form="劳务派遣"),
        subject("E7", 80),  # no facts: assessed
    ])  # fmt: skip
    by_key = scored(text)
    reasons = {key: r.excluded_because for key, r in by_key.items()}
    assert reasons == {
        "E1": (),
        "E2": ("level_at_least:部门主管",),
        "E3": ("level_at_least:部门主管",),
        "E4": (),
        "E5": ("unit_category:后勤",),
        "E6": ("employment_form:劳务派遣",),
        "E7": (),
    }
    assert by_key["E2"].trace()[0].code == "excluded" and by_key["E2"].band is None
    assert by_key["E4"].final == Decimal("80.00")


def test_without_levels_a_level_rule_matches_the_level_by_name_only():
    text = "period: 2026-Q3\nsubjects:\n" + "\n".join(
        [subject("E1", 80, level="部门主管"), subject("E2", 80, level="总经理")]
    )
    reasons = {key: r.excluded_because for key, r in scored(text).items()}
    assert reasons == {"E1": ("level_at_least:部门主管",), "E2": ()}


def test_quotas_apply_across_the_files_subjects_and_excluded_ones_are_not_counted():
    # Eleven assessed subjects (one place in 优秀 at 10 %) and one excluded 总经理 scoring 100.
    subjects = [subject(f"E{n:02d}", 99 - n) for n in range(11)]
    subjects.append(subject("M1", 100, level="总经理"))
    by_key = scored("period: 2026-Q3\n" + LEVELS + "subjects:\n" + "\n".join(subjects))
    top = [key for key, r in by_key.items() if r.band is not None and r.band.label == "优秀"]
    assert top == ["E00"]
    moved = by_key["E01"]
    assert moved.band.label == "合格" and moved.award == 0
    assert moved.notes[-1].code == "quota" and moved.notes[-1].params["from"] == "优秀"
    assert by_key["M1"].excluded


def test_a_small_file_gives_a_ten_percent_band_nobody():
    text = "period: 2026-Q3\nsubjects:\n" + "\n".join(subject(f"E{n}", 95) for n in range(3))
    assert {r.band.label for r in scored(text).values()} == {"合格"}


def test_bad_facts_are_reported_with_their_lines():
    text = (
        "period: 2026-Q3\n"  # 1
        "levels: [员工, 部门主管, 员工]\n"  # 2: 员工 twice
        "subjects:\n"  # 3
        "  - key: E1\n"  # 4
        "    level: 处长\n"  # 5: not a listed level
        "    unit_category: [窗口]\n"  # 6: not text
        "    employment_form: ''\n"  # 7: empty
    )
    read = read_inputs(text, scheme())
    found = [(p.line, p.field, p.code) for p in read.problems]
    assert found == [
        (2, "levels[2]", "levels.repeated"),
        (6, "subjects[0].unit_category", "field.not_text"),
        (7, "subjects[0].employment_form", "field.empty"),
        (5, "subjects[0].level", "level.unknown"),
    ]
    messages = [describe_input(p) for p in read.problems]
    assert messages[0] == "The level 员工 is listed twice."
    assert messages[3] == "处长 is not one of the levels listed; they are 员工, 部门主管."


def test_the_documented_cohort_prints_as_shown(tmp_path):
    """docs/scheme-inputs.md, "Eligibility and quotas across the file": the text output."""
    import re

    from click.testing import CliRunner

    from saas.cli import main

    doc = (Path(__file__).resolve().parents[2] / "docs" / "scheme-inputs.md").read_text("utf-8")
    for name in ("scheme.yaml", "cohort.yaml"):
        block = next(
            b for b in re.findall(r"```yaml\n(.*?)```", doc, re.DOTALL) if b.startswith(f"# {name}")
        )
        (tmp_path / name).write_text(block, encoding="utf-8")
    shown = re.search(
        r"cohort\.yaml --lang en --format text\n```\n\n```text\n(.*?)```", doc, re.DOTALL
    )
    tried = CliRunner().invoke(
        main,
        ["scheme", "try", str(tmp_path / "scheme.yaml"), str(tmp_path / "cohort.yaml"),
         "--lang", "en", "--format", "text"],
    )  # fmt: skip
    assert tried.exit_code == 0, tried.output
    assert tried.output == shown.group(1)
