"""Scheme files: canonical export, exact decimals, and import problems that name their line and
field. The complete example in docs/scheme-files.md is loaded here so the docs cannot rot."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from saas.schemes import files
from saas.scoring.checks import Severity

DOC = Path(__file__).resolve().parents[2] / "docs" / "scheme-files.md"

BASE = """\
kaohe_scheme: 1
name: 测试方案
sources:
- kind: supervisor
  weight: 100
sections:
- key: A
  title: 服务
  max: 60
  items:
  - key: A1
    text: 文明用语
    max: 30
  - key: A2
    text: 着装
    max: 30
    mode: yes_no
- key: B
  title: 纪律
  max: 40
  items:
  - key: B1
    text: 迟到
    max: 40
    mode: deduction
    per_occurrence: 2
bands:
- threshold: 90
  label: 优秀
  pay_coefficient: 0.95
- threshold: 0
  label: 合格
"""


def lines_of(text: str, needle: str) -> list[int]:
    """The 1-based numbers of the lines containing ``needle``."""
    return [n for n, line in enumerate(text.splitlines(), start=1) if needle in line]


def line_of(text: str, needle: str) -> int:
    """The 1-based line of the only line containing ``needle``."""
    (found,) = lines_of(text, needle)
    return found


def only_issue(text: str) -> files.FileIssue:
    loaded = files.load(text)
    assert len(loaded.issues) == 1, loaded.issues
    return loaded.issues[0]


def doc_blocks() -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)


def doc_example() -> str:
    (example,) = [block for block in doc_blocks() if "kaohe_scheme:" in block]
    return example


def test_the_base_file_loads_cleanly() -> None:
    loaded = files.load(BASE)
    assert loaded.issues == []
    assert loaded.scheme is not None


# -- round trip --------------------------------------------------------------------------------


def test_export_import_export_gives_the_same_bytes() -> None:
    scheme = files.load(doc_example()).scheme
    exported = files.dump(scheme)
    again = files.load(exported)
    assert again.issues == []
    assert again.scheme == scheme
    assert files.dump(again.scheme) == exported


def test_an_export_starts_with_the_format_marker_after_its_header() -> None:
    exported = files.dump(files.load(BASE).scheme)
    assert exported.startswith(files.HEADER)
    assert exported[len(files.HEADER) :].startswith("kaohe_scheme: 1\n")


def test_decimals_stay_exact() -> None:
    scheme = files.load(BASE).scheme
    coefficient = scheme.bands[0].pay_coefficient
    assert isinstance(coefficient, Decimal)
    assert coefficient == Decimal("0.95")
    assert str(coefficient) == "0.95"
    assert "  pay_coefficient: 0.95\n" in files.dump(scheme)


def test_a_fraction_with_too_many_decimals_is_refused_not_rounded() -> None:
    text = BASE.replace("  max: 60\n", "  max: 59.995\n")
    found = only_issue(text)
    assert (found.issue.code, found.field) == ("type.decimal_max_places", "sections[0].max")
    assert found.issue.params["input"] == Decimal("59.995")


def test_field_names_follow_the_path() -> None:
    assert files.field_name(("sections", 0, "items", 1, "max")) == "sections[0].items[1].max"
    assert files.field_name(("sources",)) == "sources"
    assert files.field_name(()) == ""


# -- problems name their line and field --------------------------------------------------------


def _replace(old: str, new: str):
    def change(text: str) -> str:
        assert old in text
        return text.replace(old, new, 1)

    return change


ERRORS = [
    pytest.param(
        _replace("  max: 60\n", "  max: sixty\n"),
        "type.decimal_parsing",
        "sections[0].max",
        "max: sixty",
        id="bad-number",
    ),
    pytest.param(
        _replace("    text: 着装\n", ""),
        "type.missing",
        "sections[0].items[1].text",
        "- key: A2",  # a missing key is reported where its parent begins
        id="missing-key",
    ),
    pytest.param(
        _replace("    text: 文明用语\n", "    text: 文明用语\n    colour: red\n"),
        "type.extra_forbidden",
        "sections[0].items[0].colour",
        "colour: red",
        id="unknown-key",
    ),
    pytest.param(
        _replace("mode: yes_no", "mode: yesno"),
        "type.enum",
        "sections[0].items[1].mode",
        "mode: yesno",
        id="wrong-enum-value",
    ),
    pytest.param(
        _replace("  - key: B1", "  - key: A1"),
        "duplicate.item",
        "sections[1].items[0].key",
        "- key: A1",  # the second one
        id="duplicate-item-key",
    ),
    pytest.param(
        _replace("mode: yes_no", "mode: scale"),
        "item.scale_levels",
        "sections[0].items[1].scale",
        "- key: A2",
        id="scale-without-levels",
    ),
]


@pytest.mark.parametrize(("change", "code", "field", "needle"), ERRORS)
def test_an_invalid_value_names_its_line_and_field(change, code, field, needle) -> None:
    text = change(BASE)
    loaded = files.load(text)
    assert loaded.scheme is None
    (found,) = loaded.errors
    assert found.issue.severity is Severity.INVALID
    assert (found.issue.code, found.field) == (code, field)
    assert found.line == lines_of(text, needle)[-1]


def test_an_unknown_enum_value_lists_the_allowed_ones() -> None:
    found = only_issue(BASE.replace("mode: yes_no", "mode: yesno"))
    assert "'deduction'" in found.issue.params["expected"]
    assert found.issue.params["input"] == "yesno"


def test_weights_not_totalling_100_are_an_incomplete_error() -> None:
    text = BASE.replace("weight: 100", "weight: 90")
    loaded = files.load(text)
    assert loaded.scheme is None
    (found,) = loaded.errors
    assert found.issue.severity is Severity.INCOMPLETE
    assert (found.issue.code, found.field, found.line) == ("sources.total", "sources", 3)
    assert found.issue.params["total"] == 90


def test_a_yaml_syntax_error_names_its_line_and_column() -> None:
    text = BASE.replace("  title: 服务\n", "  title: 服务: 接待\n")
    found = only_issue(text)
    assert found.issue.code == "yaml.colon"
    assert (found.line, found.column) == (line_of(text, "服务: 接待"), len("  title: 服务:"))
    assert files.load(text).scheme is None


@pytest.mark.parametrize(
    ("old", "new", "code"),
    [
        ("  title: 服务\n", "  title: 服务: 接待\n", "yaml.colon"),
        ("  title: 服务\n", "\ttitle: 服务\n", "yaml.tab"),
        ("  title: 服务\n", "  title: '服务\n", "yaml.unclosed_quote"),
        ("  title: 服务\n", "  title: [服务\n", "yaml.unclosed_bracket"),
        ("  title: 服务\n", '  title: "服\\q务"\n', "yaml.escape"),
        ("  title: 服务\n", "  title: @服务\n", "yaml.bad_start"),
        ("  title: 服务\n", "  title: 服务\n ttl: x\n", "yaml.indentation"),
        ("name: 测试方案\n", "name: 测试方案\n---\nname: 又一个\n", "yaml.several_documents"),
    ],
)
def test_each_kind_of_yaml_error_has_its_own_code(old: str, new: str, code: str) -> None:
    # Each is said in the user's language (saas.schemes.messages), never in PyYAML's words.
    found = only_issue(BASE.replace(old, new, 1))
    assert found.issue.code == code
    assert found.line is not None and found.column is not None


def test_a_file_without_the_format_marker_is_refused_on_line_1() -> None:
    found = only_issue(BASE.replace("kaohe_scheme: 1\n", ""))
    assert (found.issue.code, found.line) == ("file.version", 1)
    assert found.issue.params == {"found": None, "expected": 1}


def test_a_file_of_another_format_version_is_refused_on_that_line() -> None:
    text = BASE.replace("kaohe_scheme: 1\n", "# 注释\nkaohe_scheme: 2\n")
    found = only_issue(text)
    assert (found.issue.code, found.line) == ("file.version", 2)
    assert found.issue.params["found"] == 2


def test_a_file_that_is_not_a_mapping_is_refused() -> None:
    found = only_issue("- 一\n- 二\n")
    assert found.issue.code == "file.not_a_mapping"


def test_a_key_given_twice_is_an_error_on_its_second_line() -> None:
    # YAML itself lets the second value win silently; a scheme file must not lose a value so.
    text = BASE.replace("  title: 服务\n", "  title: 服务\n  title: 接待\n")
    loaded = files.load(text)
    assert loaded.scheme is None
    assert [found.line for found in loaded.errors] == [line_of(text, "title: 接待")]


# -- warnings ----------------------------------------------------------------------------------


def test_warnings_do_not_stop_a_load() -> None:
    text = BASE.replace("  max: 40\n  items", "  max: 50\n  items").replace(
        "    max: 40\n", "    max: 50\n"
    )
    loaded = files.load(text)
    assert loaded.scheme is not None
    assert loaded.errors == []
    (found,) = loaded.warnings
    assert found.issue.severity is Severity.WARNING
    assert (found.issue.code, found.field, found.line) == ("sections.total", "sections", 6)
    assert found.issue.params == {"total": Decimal(110), "scale": Decimal(100)}


# -- the documentation -------------------------------------------------------------------------


def test_the_complete_example_in_the_docs_loads_cleanly() -> None:
    loaded = files.load(doc_example())
    assert loaded.issues == []
    scheme = loaded.scheme
    modes = {item.mode.value for section in scheme.sections for item in section.items}
    assert modes == {"points", "yes_no", "scale", "deduction", "critical"}
    assert scheme.goals.share == 20
    assert scheme.bands[1].defaulted == {"threshold": Decimal(75)}


def _within_a_scheme(snippet: list[dict[str, Any]] | dict[str, Any]) -> dict[str, Any]:
    """A minimal scheme holding a docs snippet of items, sections, bands or rules, or a
    top-level block, where it belongs."""
    data: dict[str, Any] = {
        "kaohe_scheme": 1,
        "name": "片段",
        "sources": [{"kind": "supervisor", "weight": 100}],
        "sections": [
            {
                "key": "S",
                "title": "片段",
                "max": 100,
                "items": [{"key": "X", "text": "x", "max": 100}],
            }
        ],
    }
    if isinstance(snippet, dict):  # a top-level block, such as ``inspection:``
        data.update(snippet)
    elif "threshold" in snippet[0]:
        data["bands"] = snippet
    elif "event" in snippet[0]:
        data["rules"] = snippet
    elif "title" in snippet[0]:
        data["sections"] = [*snippet, {**data["sections"][0], "max": 100 - snippet[0]["max"]}]
    else:
        data["sections"][0]["items"] = snippet
    return data


def test_every_snippet_in_the_docs_is_valid_where_it_belongs() -> None:
    snippets = [block for block in doc_blocks() if "kaohe_scheme:" not in block]
    assert len(snippets) >= 6  # the five item modes and a defaulted band
    for block in snippets:
        text = yaml.safe_dump(_within_a_scheme(yaml.safe_load(block)), allow_unicode=True)
        loaded = files.load(text)
        assert [found.issue.code for found in loaded.errors] == [], block


def test_defaulted_may_only_name_fields_of_its_entry() -> None:
    text = BASE.replace(
        "    max: 30\n    mode: yes_no", "    max: 30\n    mode: yes_no\n    defaulted:\n    - maxx"
    )
    found = only_issue(text)
    assert found.issue.code == "defaulted.unknown_field"
    assert found.field == "sections[0].items[1].defaulted.maxx"
    assert found.line == line_of(text, "    defaulted:")


def test_a_default_changed_in_the_file_is_no_longer_marked() -> None:
    # ``defaulted`` records the default's value: a file whose value was changed by hand (or by
    # an import over a draft) drops the mark; one left alone keeps it.
    marked = BASE.replace(
        "    max: 30\n    mode: yes_no",
        "    max: 30\n    mode: yes_no\n    defaulted:\n      max: 30",
    )
    kept = files.load(marked).scheme
    assert kept.sections[0].items[1].defaulted == {"max": Decimal(30)}
    changed = files.load(
        marked.replace("    max: 30\n    mode: yes_no", "    max: 25\n    mode: yes_no")
    )
    assert changed.scheme.sections[0].items[1].defaulted == {}
    assert "defaulted" not in files.dump(changed.scheme)


def test_a_list_of_defaulted_names_still_reads_and_is_written_with_values() -> None:
    text = BASE.replace(
        "    max: 30\n    mode: yes_no", "    max: 30\n    mode: yes_no\n    defaulted:\n    - max"
    )
    scheme = files.load(text).scheme
    assert scheme.sections[0].items[1].defaulted == {"max": Decimal(30)}
    assert "    defaulted:\n      max: 30\n" in files.dump(scheme)


def test_a_true_format_marker_is_not_version_1() -> None:
    found = only_issue(BASE.replace("kaohe_scheme: 1", "kaohe_scheme: true"))
    assert found.issue.code == "file.version"
