"""Scheme files: a scheme as readable YAML, and back (docs/scheme-files.md).

``dump`` writes one canonical form (fields in a fixed order, no empty fields, whole numbers
without decimals), so export → import → export gives the same bytes. ``load`` reads a file
and, for each problem, names the line and the field it is on.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml

from saas.scoring import yamlguard
from saas.scoring.checks import Issue, Path, Severity, parse
from saas.scoring.scheme import Mode, Scheme, SectionScoring

FORMAT_KEY = "kaohe_scheme"
FORMAT_VERSION = 1
# The largest scheme file read. The reference templates are under 20 KB; reading YAML in
# pure Python costs about a second per 100 KB, so this bounds one upload to a few seconds.
MAX_FILE_BYTES = 256 * 1024
HEADER = (
    "# Kaohe assessment scheme (考核方案). Format: docs/scheme-files.md\n"
    "# Check it with `kaohe scheme check FILE`; import it on the Schemes page.\n"
)


@dataclass(frozen=True)
class FileIssue:
    issue: Issue
    line: int | None  # 1-based; None when the problem is the file as a whole
    column: int | None = None  # 1-based, for a file that is not YAML: where reading stopped

    @property
    def field(self) -> str:
        return field_name(self.issue.path)


@dataclass(frozen=True)
class Loaded:
    scheme: Scheme | None  # None when the file has errors
    issues: list[FileIssue]

    @property
    def errors(self) -> list[FileIssue]:
        return [found for found in self.issues if found.issue.blocks_publishing]

    @property
    def warnings(self) -> list[FileIssue]:
        return [found for found in self.issues if not found.issue.blocks_publishing]


def field_name(path: Path) -> str:
    """sections[2].items[0].max: how the docs and messages name a field."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


# -- writing -----------------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:  # a file says every value where it applies
        return True


def _decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.ScalarNode:
    if value == value.to_integral_value():
        return dumper.represent_int(int(value))
    return dumper.represent_scalar("tag:yaml.org,2002:float", format(value.normalize(), "f"))


_Dumper.add_representer(Decimal, _decimal)


def _plain(scheme: Scheme) -> dict[str, Any]:
    data = scheme.model_dump(mode="python", exclude_none=True)
    for section in data["sections"]:
        whole = section["scoring"] == SectionScoring.SECTION
        for item in section["items"]:
            _drop_unused(item, whole)
    return {FORMAT_KEY: FORMAT_VERSION, **_compact(data)}


def _drop_unused(item: dict[str, Any], whole: bool) -> None:
    """Leave out what the item is not scored with: the keys of other modes, and every scoring
    key of a standard in a section rated as a whole."""
    mode = item["mode"]
    if mode != Mode.DEDUCTION or whole:
        item.pop("floor", None)
    if mode != Mode.CRITICAL or whole:
        item.pop("on_fail", None)
    if whole:
        item.pop("mode", None)


def _compact(value: Any) -> Any:
    """Enums as their values, tuples as lists, empty lists, mappings and notes left out."""
    if isinstance(value, dict):
        return {
            key: _compact(item)
            for key, item in value.items()
            if not (isinstance(item, list | tuple | dict) and not item)
        }
    if isinstance(value, list | tuple):
        return [_compact(item) for item in value]
    if hasattr(value, "value") and isinstance(value.value, str):
        return value.value
    return value


def dump(scheme: Scheme) -> str:
    body = yaml.dump(
        _plain(scheme),
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=100,
    )
    return HEADER + body


# -- reading -----------------------------------------------------------------------------------


class _Loader(yamlguard.SafeLoader):
    """Reads numbers with a fraction as exact decimals, never as binary floats; refuses
    anchors, aliases, deep nesting and huge numbers (``saas.scoring.yamlguard``)."""


def _exact(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Decimal | str:
    text = loader.construct_scalar(node)
    try:
        return Decimal(str(text).replace("_", ""))
    except InvalidOperation:
        return str(text)


def _date(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:  # 2026-13-45 looks like a date to YAML but is none
        raise yamlguard.Refused(
            "file.not_a_date", node.start_mark.line + 1, value=node.value
        ) from None


_Loader.add_constructor("tag:yaml.org,2002:float", _exact)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _date)


def _lines(
    node: yaml.Node,
    path: Path = (),
    found: dict[Path, int] | None = None,
    repeated: list[FileIssue] | None = None,
) -> dict[Path, int]:
    """The 1-based line of every value in the document, by its path; a key given twice in
    one mapping is put in ``repeated`` (YAML would silently keep the last value)."""
    found = {} if found is None else found
    found[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: set[Any] = set()
        for key, value in node.value:
            line = key.start_mark.line + 1
            if key.value in seen and repeated is not None:
                issue = Issue(
                    Severity.INVALID, (*path, key.value), "file.duplicate_key", {"key": key.value}
                )
                repeated.append(FileIssue(issue, line))
            seen.add(key.value)
            _lines(value, (*path, key.value), found, repeated)
            found[(*path, key.value)] = line
    elif isinstance(node, yaml.SequenceNode):
        for index, value in enumerate(node.value):
            _lines(value, (*path, index), found, repeated)
    return found


def _line_of(path: Path, lines: dict[Path, int]) -> int | None:
    for end in range(len(path), -1, -1):
        if path[:end] in lines:
            return lines[path[:end]]
    return None


def _file_problem(code: str, line: int | None = None, **params: Any) -> Loaded:
    return Loaded(None, [FileIssue(Issue(Severity.INVALID, (), code, params), line)])


def _refused(refused: yamlguard.Refused) -> Loaded:
    issue = Issue(Severity.INVALID, (), refused.code, refused.params)
    return Loaded(None, [FileIssue(issue, refused.line, refused.column)])


def load(text: str) -> Loaded:
    """Read a scheme file. The scheme is returned only if nothing blocks publishing it."""
    try:
        node, loader = yamlguard.compose(text, MAX_FILE_BYTES, _Loader)
        data = loader.construct_document(node) if node is not None else None
    except yamlguard.Refused as refused:
        return _refused(refused)
    except yaml.YAMLError as error:  # a value YAML cannot construct, such as !!python/name
        return _refused(yamlguard.syntax(error))
    if not isinstance(data, dict):
        return _file_problem("file.not_a_mapping", 1)
    repeated: list[FileIssue] = []
    lines = _lines(node, repeated=repeated)
    version = data.pop(FORMAT_KEY, None)
    if type(version) is not int or version != FORMAT_VERSION:  # true == 1 in YAML and Python
        return _file_problem(
            "file.version", lines.get((FORMAT_KEY,), 1), found=version, expected=FORMAT_VERSION
        )
    if repeated:
        return Loaded(None, repeated)
    scheme, issues = parse(data)
    found = [FileIssue(issue, _line_of(issue.path, lines)) for issue in issues]
    if any(issue.blocks_publishing for issue in issues):
        scheme = None
    return Loaded(scheme, found)
