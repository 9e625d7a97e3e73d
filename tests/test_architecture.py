"""The code's shape (docs/architecture.md): each stage imports only the stages before it."""

from __future__ import annotations

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
