"""Every action, record type and field the code writes to an audit log has words in
saas/audit/labels.py, so a new area cannot forget them and the log never shows a raw code.

The code is read, not run: each ``record(…)`` call and each audit row written in bulk (a dict
with "action" and "record_type") is found in the source, and its action and record type must
be literal strings (or a choice between literals, or a lookup in a literal table) so that this
test can see every value they take. Fields are checked where the code spells them out (a dict
literal, or the dict a snapshot function of the same module returns).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from saas.audit import labels

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("saas", "workers", "tenants")
AUDIT_MODULE = "saas.models.audit"


class Unreadable(Exception):
    """An expression whose values the test cannot list."""


@dataclass
class Written:
    where: str
    actions: set[str]
    record_types: set[str]
    fields: set[str] = field(default_factory=set)


@dataclass
class Module:
    path: str
    tree: ast.Module
    tables: dict[str, ast.Dict]  # module-level NAME = {…}
    functions: dict[str, ast.FunctionDef]


def _module(path: str, source: str) -> Module:
    tree = ast.parse(source)
    tables = {
        target.id: node.value
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Dict)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    functions = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}
    return Module(path, tree, tables, functions)


def _assigned(function: ast.AST | None, name: str) -> list[ast.expr]:
    if function is None:
        return []
    return [
        node.value
        for node in ast.walk(function)
        if isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == name for t in node.targets)
    ]


def strings(node: ast.expr, module: Module, function: ast.AST | None) -> set[str]:
    """Every string ``node`` can evaluate to; Unreadable if that cannot be told from the code."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        return strings(node.body, module, function) | strings(node.orelse, module, function)
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
        table = module.tables.get(node.value.id)
        if table is not None:
            return set().union(*(strings(v, module, None) for v in table.values))
    if isinstance(node, ast.Name):
        values = _assigned(function, node.id)
        if values:
            return set().union(*(strings(v, module, function) for v in values))
        passed = _passed(module, function, node.id)
        if passed:
            return set().union(*(strings(v, module, caller) for v, caller in passed))
    raise Unreadable(ast.unparse(node))


def _passed(module: Module, function: ast.AST | None, name: str) -> list[tuple[ast.expr, ast.AST]]:
    """What the calls in ``module`` pass to parameter ``name`` of ``function``."""
    if not isinstance(function, ast.FunctionDef):
        return []
    parameters = [a.arg for a in function.args.args]
    if name not in parameters:
        return []
    owner = _enclosing(module)
    passed = []
    for call in ast.walk(module.tree):
        if isinstance(call, ast.Call) and getattr(call.func, "id", None) == function.name:
            value = _argument(call, parameters.index(name), name)
            if value is not None:
                passed.append((value, owner.get(call)))
    return passed


def _keys(node: ast.expr | None, module: Module, function: ast.AST | None = None) -> set[str]:
    """The field names a before/after argument visibly holds."""
    if isinstance(node, ast.Dict):
        return {k.value for k in node.keys if isinstance(k, ast.Constant)}
    if isinstance(node, ast.Name):
        return set().union(*(_keys(v, module) for v in _assigned(function, node.id)))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        function = module.functions.get(node.func.id)
        if function is not None:
            found: set[str] = set()
            for inner in ast.walk(function):
                if isinstance(inner, ast.Return) and isinstance(inner.value, ast.Dict):
                    found |= _keys(inner.value, module)
                elif (
                    isinstance(inner, ast.Subscript)
                    and isinstance(inner.ctx, ast.Store)
                    and isinstance(inner.slice, ast.Constant)
                ):
                    found.add(inner.slice.value)
            return found
    return set()


def _argument(call: ast.Call, position: int, name: str) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    return call.args[position] if len(call.args) > position else None


def _imports_audit(module: Module) -> bool:
    return any(
        isinstance(node, ast.ImportFrom) and node.module == AUDIT_MODULE
        for node in ast.walk(module.tree)
    )


def _enclosing(module: Module) -> dict[ast.AST, ast.AST]:
    owner: dict[ast.AST, ast.AST] = {}
    for function in ast.walk(module.tree):
        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            for inner in ast.walk(function):
                owner.setdefault(inner, function)
    return owner


def _row(module: Module, node: ast.AST, function, action, record_type, keys: set[str]) -> Written:
    where = f"{module.path}:{node.lineno}"
    try:
        actions = strings(action, module, function) if action is not None else set()
        types = strings(record_type, module, function) if record_type is not None else set()
    except Unreadable as exc:
        raise AssertionError(
            f"{where}: write the audit action and record type as literal strings (or a "
            f"choice or table of them), so tests/audit/test_labels.py can check their words; "
            f"found {exc}"
        ) from None
    return Written(where, actions, types, keys)


def written(module: Module) -> Iterator[Written]:
    """What each record() call and each bulk audit row of ``module`` writes."""
    if not _imports_audit(module):
        return
    owner = _enclosing(module)
    for node in ast.walk(module.tree):
        function = owner.get(node)
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "record":
            keys = _keys(_argument(node, 5, "before"), module, function)
            keys |= _keys(_argument(node, 6, "after"), module, function)
            yield _row(
                module,
                node,
                function,
                _argument(node, 2, "action"),
                _argument(node, 3, "record_type"),
                keys,
            )
        elif isinstance(node, ast.Dict):
            named = {
                k.value: v
                for k, v in zip(node.keys, node.values, strict=True)
                if isinstance(k, ast.Constant)
            }
            if "action" in named and "record_type" in named:
                yield _row(module, node, function, named["action"], named["record_type"], set())


def everything_written() -> list[Written]:
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            module = _module(str(path.relative_to(ROOT)), path.read_text(encoding="utf-8"))
            found.extend(written(module))
    return found


def _is_labelled(record_type: str, name: str) -> bool:
    words = labels.RECORDS.get(record_type)
    known = words.fields.keys() | words.hidden if words else set()
    return name in known or name in labels.COMMON_FIELDS


def unlabelled(rows: list[Written]) -> list[str]:
    missing = []
    for row in rows:
        missing += [f"{row.where}: action {a}" for a in row.actions if a not in labels.ACTIONS]
        for record_type in row.record_types:
            if record_type not in labels.RECORDS:
                missing.append(f"{row.where}: record type {record_type}")
                continue
            missing += [
                f"{row.where}: field {name} of {record_type}"
                for name in sorted(row.fields)
                if not _is_labelled(record_type, name)
            ]
    return missing


# -- the code base ---------------------------------------------------------------------------


def test_the_scan_sees_every_area_that_writes_audit_rows():
    rows = everything_written()
    places = {row.where.split(":")[0] for row in rows}
    for expected in (
        "saas/accounts/users.py",
        "saas/goals/service.py",
        "saas/imports/apply.py",
        "saas/imports/batches.py",
        "saas/org/units.py",
        "saas/people/employees.py",
        "saas/platform/onboarding.py",
        "saas/schemes/versions.py",
        "saas/statements/sample.py",
    ):
        assert expected in places
    assert len({a for row in rows for a in row.actions}) > 35


def test_every_action_record_type_and_field_written_has_words():
    assert unlabelled(everything_written()) == []


def test_fields_computed_from_columns_have_words():
    """Fields the code lists in a tuple rather than a dict literal."""
    from saas.goals.service import EDITABLE
    from saas.imports.columns import EMPLOYEE_COLUMNS, UNIT_COLUMNS
    from tenants.provisioning import snapshot
    from tenants.registry import Tenant

    expected = [("goal", name) for name in (*EDITABLE, "status", "parent_id")]
    expected += [("tenant", name) for name in snapshot(Tenant(slug="x", name="x"))]
    expected += [("org_unit", column.field) for column in UNIT_COLUMNS]
    expected += [("employee", column.field) for column in EMPLOYEE_COLUMNS]
    assert [pair for pair in expected if not _is_labelled(*pair)] == []


def test_every_word_is_translated_to_chinese(app):
    from flask_babel import force_locale
    from flask_babel.speaklater import LazyString

    words = [*labels.ACTIONS.values(), *labels.COMMON_FIELDS.values()]
    for record in labels.RECORDS.values():
        words += [record.label, *record.fields.values()]
        words += [label for values in record.values.values() for label in values.values()]
    untranslated = []
    with app.test_request_context():
        for word in words:
            if not isinstance(word, LazyString):
                continue  # a name, the same in every language (中文, English)
            with force_locale("en"):
                english = str(word)
            with force_locale("zh_CN"):
                if str(word) == english:
                    untranslated.append(english)
    assert untranslated == []


# -- the scan itself can fail ----------------------------------------------------------------

SOURCE = """
from saas.models.audit import record

STEPS = {"a": "goal.approved", "b": "goal.nonsense"}

def f(session, ok, step):
    record(session, "x", "unit.created", "org_unit", 1, None, {"name": 1, "mystery": 2})
    action = "user.enabled" if ok else "user.unheard_of"
    record(session, "x", action, "user", 1)
    record(session, "x", STEPS[step], "goal", 1)
    record(session, "x", "unit.created", "no_such_type", 1)
"""


def test_the_scan_reports_what_has_no_words():
    rows = list(written(_module("example.py", SOURCE)))
    assert [sorted(row.actions) for row in rows] == [
        ["unit.created"],
        ["user.enabled", "user.unheard_of"],
        ["goal.approved", "goal.nonsense"],
        ["unit.created"],
    ]
    assert unlabelled(rows) == [
        "example.py:7: field mystery of org_unit",
        "example.py:9: action user.unheard_of",
        "example.py:10: action goal.nonsense",
        "example.py:11: record type no_such_type",
    ]


def test_the_scan_refuses_actions_it_cannot_read():
    source = (
        "from saas.models.audit import record\n"
        "def f(session, status):\n"
        "    record(session, 'x', f'goal.{status}', 'goal', 1)\n"
    )
    with pytest.raises(AssertionError, match="literal strings"):
        list(written(_module("example.py", source)))
