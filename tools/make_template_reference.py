"""Write docs/template-reference.md: `counterpoint templates show` for every built-in set.

    .venv/bin/python tools/make_template_reference.py

tests/test_sets.py checks that the page is current.
"""

from __future__ import annotations

from pathlib import Path

from counterpoint.render.setinfo import builtin_sets, reference

if __name__ == "__main__":
    target = Path(__file__).resolve().parent.parent / "docs" / "template-reference.md"
    target.write_text(reference(builtin_sets()), encoding="utf-8")
    print(f"wrote {target.name}")
