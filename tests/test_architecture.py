"""The code's shape (docs/architecture.md): each stage imports only the stages before it."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _lint_imports(contract: str) -> subprocess.CompletedProcess[str]:
    tool = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert tool, "import-linter is a test dependency (pyproject.toml)"
    return subprocess.run(
        [tool, "--no-cache", "--contract", contract],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"},
    )


def test_stages_import_only_earlier_stages_and_the_shared_leaves() -> None:
    """import-linter's layers contract in pyproject.toml, function-level imports included."""
    result = _lint_imports("layers")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def test_a_later_stage_imported_by_an_earlier_one_breaks_the_contract(tmp_path: Path) -> None:
    """The check can fail: a copy of the package where `brief` imports `render` is refused."""
    copy = tmp_path / "src"
    shutil.copytree(ROOT / "src", copy, ignore=shutil.ignore_patterns("__pycache__"))
    model = copy / "counterpoint" / "brief" / "model.py"
    model.write_text(
        model.read_text() + "\n\ndef _late():\n    from counterpoint.render import engine\n"
    )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    tool = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert tool
    result = subprocess.run(
        [tool, "--no-cache", "--contract", "layers"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(copy), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 1
    assert "counterpoint.brief is not allowed to import counterpoint.render" in result.stdout
    assert "counterpoint.brief.model -> counterpoint.render.engine" in result.stdout


def test_no_import_cycles_between_packages_or_between_modules_of_one() -> None:
    """import-linter's acyclic contract: siblings at every level, function-level imports too."""
    result = _lint_imports("acyclic")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def _modules() -> list[Path]:
    return sorted((ROOT / "src" / "counterpoint").rglob("*.py"))


def test_no_module_is_over_400_lines() -> None:
    long = {
        str(m.relative_to(ROOT)): n
        for m in _modules()
        if (n := len(m.read_text(encoding="utf-8").splitlines())) > 400
    }
    assert not long, long


def test_no_module_changes_state_with_global() -> None:
    """State lives in objects (a Session, a worker), not in module globals rebound by functions."""
    found = [
        f"{m.relative_to(ROOT)}:{node.lineno}: global {', '.join(node.names)}"
        for m in _modules()
        for node in ast.walk(ast.parse(m.read_text(encoding="utf-8")))
        if isinstance(node, ast.Global)
    ]
    assert not found, "\n".join(found)


def test_every_package_says_what_it_does() -> None:
    """Each package's __init__ opens with a docstring of more than its own name."""
    bare = [
        str(init.relative_to(ROOT))
        for init in (ROOT / "src" / "counterpoint").rglob("__init__.py")
        if len((ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or "").split()) < 8
    ]
    assert not bare, bare


def test_the_docs_name_only_source_files_that_exist() -> None:
    """README.md and docs/ point readers at modules (`brief/load.py`, `pdf.py`): each must be
    there, at that path under src/counterpoint/ (or the repository), or, named bare, be
    exactly one module. WeasyPrint's own files (`layout/...`) are left out."""
    package = ROOT / "src" / "counterpoint"
    stale = []
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for number, line in enumerate(doc.read_text(encoding="utf-8").splitlines(), 1):
            for m in re.finditer(r"(?<![\w./-])((?:[\w-]+/)*[\w-]+\.(?:py|lua))\b", line):
                name = m.group(1)
                if name.startswith("layout/"):
                    continue
                if (ROOT / name).exists() or (package / name).exists():
                    continue
                if "/" not in name and len(list(package.rglob(name))) == 1:
                    continue
                stale.append(f"{doc.relative_to(ROOT)}:{number}: {name}")
    assert not stale, "\n".join(stale)


def test_no_test_imports_a_private_name() -> None:
    """Tests use public seams: no `from counterpoint... import _name` and no `module._name`
    of ours, so a refactor that keeps behaviour keeps the tests passing."""
    ours: set[str] = set()
    found = []
    for path in sorted((ROOT / "tests").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("counterpoint"):
                ours.update(a.asname or a.name for a in node.names)
                found += [
                    f"{path.name}:{node.lineno}: {node.module}.{a.name}"
                    for a in node.names
                    if a.name.startswith("_") and not a.name.startswith("__")
                ]
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
                and isinstance(node.value, ast.Name)
                and node.value.id in ours
            ):
                found.append(f"{path.name}:{node.lineno}: {ast.unparse(node)}")
    assert not found, "\n".join(found)
