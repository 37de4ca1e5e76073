"""The rules that hold themselves: ruff, the import-layering contracts in pyproject.toml
([tool.importlinter], checked by import-linter) and no import cycle anywhere, all run by the
README's test command so CI enforces them. Each check runs the tool from this venv and
fails with its own output."""

from __future__ import annotations

import graphlib
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PACKAGES = ("saas", "tenants", "workers")


def run(tool: str, *args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / tool), *args], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )


def test_ruff_finds_nothing():
    done = run("ruff", "check", "--no-cache", ".")
    assert done.returncode == 0, done.stdout + done.stderr


def test_ruff_format_changes_nothing():
    done = run("ruff", "format", "--check", "--no-cache", ".")
    assert done.returncode == 0, "run `.venv/bin/ruff format .`\n" + done.stdout + done.stderr


def _contracts() -> list[dict]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]


def test_the_layering_contracts_hold():
    done = run("lint-imports", "--no-cache")
    assert done.returncode == 0, done.stdout + done.stderr
    assert len(re.findall(r" KEPT\b", done.stdout)) == len(_contracts()) >= 5, done.stdout


def _a_cycle(graph: grimp.ImportGraph) -> list[str] | None:
    """One import cycle between modules of ``graph`` (module, ..., module), or None."""
    imports = {module: graph.find_modules_directly_imported_by(module) for module in graph.modules}
    try:
        graphlib.TopologicalSorter(imports).prepare()
    except graphlib.CycleError as cycle:
        return cycle.args[1]
    return None


def test_no_import_cycle_anywhere():
    # Module by module, lazy imports inside functions included: a cycle that only closes at
    # run time (a job importing the app that imports the job's caller) counts too.
    graph = grimp.build_graph(
        *PACKAGES, "tests", cache_dir=None, exclude_type_checking_imports=True
    )
    assert _a_cycle(graph) is None


def test_the_cycle_check_sees_a_cycle(tmp_path, monkeypatch):
    for name, source in {
        "ring/__init__.py": "",
        "ring/a.py": "def f():\n    from ring import b\n",
        "ring/b.py": "from ring import a\n",
    }.items():
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(source)
    monkeypatch.syspath_prepend(str(tmp_path))
    assert sorted(set(_a_cycle(grimp.build_graph("ring", cache_dir=None)))) == ["ring.a", "ring.b"]


# One forbidden import per contract, all added to a copy of the real code and its config.
BREAKS = {
    "The scoring engine is pure": ("saas/scoring/__init__.py", "import sqlalchemy"),
    "Tenancy is the floor": ("tenants/slugs.py", "import workers"),
    "Jobs need no Flask app": ("workers/progress.py", "from flask import current_app"),
    "Job code runs only in the worker": ("saas/imports/views.py", "import workers.jobs.imports"),
    "The enqueue path is thin": ("workers/queues.py", "import saas.models"),
    "No cycles between the parts": ("workers/defaults.py", "import workers.enqueue"),
}


def test_every_contract_can_fail(tmp_path):
    skip = shutil.ignore_patterns("__pycache__", "*.pyc", "static", "translations", "templates")
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=skip)
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    for path, line in BREAKS.values():
        target = tmp_path / path
        target.write_text(target.read_text() + f"\n{line}  # noqa\n")
    done = subprocess.run(
        [str(BIN / "lint-imports"), "--no-cache"],
        cwd=tmp_path,
        env={"PYTHONPATH": str(tmp_path), "PATH": str(BIN)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    broken = re.findall(r"^(.+?) BROKEN\b", done.stdout, re.MULTILINE)
    assert len(broken) == len(BREAKS) == len(_contracts()), done.stdout
    for contract in BREAKS:
        assert any(name.startswith(contract) for name in broken), (contract, done.stdout)
