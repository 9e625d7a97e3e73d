"""Template sets: folders of Jinja templates and CSS with a manifest, found along a search path."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .errors import CounterpointError, InvalidInput, Location, Problem, display_path, suggest
from .load import load
from .resolve import ALL_SECTIONS
from .validate import Checker, Field, one_line, plain, seq

MANIFEST = "manifest.yaml"


def builtin_root() -> Path:
    """The built-in sets: shipped inside the package, or `templates/` of a source checkout."""
    here = Path(__file__).resolve().parent
    packaged = here / "templates"
    if packaged.is_dir():
        return packaged
    return here.parents[1] / "templates"


@dataclass
class TemplateSet:
    """One set: its folder, its manifest, and the chain of sets it inherits from."""

    name: str
    folder: Path
    description: str = ""
    parent: TemplateSet | None = None
    audience: str = ""
    own_sections: list[str] | None = None
    own_css: dict[str, list[str]] = field(default_factory=dict)
    options: dict[str, object] = field(default_factory=dict)

    @property
    def chain(self) -> list[TemplateSet]:
        """This set first, then its parent, grandparent..."""
        out: list[TemplateSet] = []
        s: TemplateSet | None = self
        while s is not None:
            out.append(s)
            s = s.parent
        return out

    @property
    def sections(self) -> list[str]:
        for s in self.chain:
            if s.own_sections is not None:
                return s.own_sections
        return list(ALL_SECTIONS)

    def stylesheets(self, medium: str) -> list[str]:
        """CSS file names for a medium ("web" or "print"), parents' first."""
        out: list[str] = []
        for s in reversed(self.chain):
            for key in ("css", f"css-{medium}"):
                out += [c for c in s.own_css.get(key, []) if c not in out]
        return out


def _section(c: Checker, node: yaml.Node, path: str) -> object:
    from .validate import INVALID

    value = one_line(c, node, path)
    if value is not INVALID and value not in ALL_SECTIONS:
        return c.fail(
            node,
            path,
            f"unknown section '{value}'{suggest(value, ALL_SECTIONS)}; "
            f"known: {', '.join(ALL_SECTIONS)}",
        )
    return value


MANIFEST_FIELDS = {
    "name": Field(one_line, required=True, expected="the set's name"),
    "description": Field(plain),
    "parent": Field(one_line, expected="the name of the set this one extends"),
    "audience": Field(one_line, expected="the audience this set serves"),
    "sections": Field(seq(_section), expected="the sections shown, in order"),
    "css": Field(seq(one_line), expected="CSS files for every output, after the parent's"),
    "css-web": Field(seq(one_line), expected="CSS files for the HTML page only"),
    "css-print": Field(seq(one_line), expected="CSS files for the PDF only"),
}


def search_roots(templates: Path | None = None, brief: Path | None = None) -> list[Path]:
    """Folders that hold sets, in the order they are searched."""
    roots: list[Path] = []
    if templates is not None:
        roots.append(templates)
    if brief is not None:
        roots.append(brief.resolve().parent / "templates")
    roots.append(Path.cwd() / "templates")
    roots.append(builtin_root())
    out: list[Path] = []
    for r in roots:
        r = r.resolve()
        if r.is_dir() and r not in out:
            out.append(r)
    return out


def _candidates(roots: list[Path]) -> list[tuple[int, Path]]:
    found = []
    for i, root in enumerate(roots):
        if (root / MANIFEST).is_file():  # --templates may name a set itself
            found.append((i, root))
        for child in sorted(root.iterdir()):
            if (child / MANIFEST).is_file():
                found.append((i, child))
    return found


def _read_manifest(folder: Path) -> dict[str, object]:
    problems: list[Problem] = []
    doc = load(folder / MANIFEST)
    if doc.root is None:
        raise InvalidInput([Problem(Location(str(folder / MANIFEST)), "is empty")])
    got = Checker(doc, problems).mapping(doc.root, "", MANIFEST_FIELDS, "a template set manifest")
    if problems or got is None:
        raise InvalidInput(problems)
    return got


def available(roots: list[Path]) -> list[TemplateSet]:
    """Every set on the search path, the first of each name winning."""
    seen: dict[str, TemplateSet] = {}
    for _, folder in _candidates(roots):
        s = find(_read_manifest(folder)["name"], roots)  # type: ignore[arg-type]
        seen.setdefault(s.name, s)
    return list(seen.values())


def find(name: str, roots: list[Path], _below: int = -1, _depth: int = 0) -> TemplateSet:
    """The set called `name`; a parent with the set's own name is looked up further down."""
    if _depth > 10:
        raise CounterpointError(f"template set '{name}': its parents inherit in a loop")
    names = []
    for i, folder in _candidates(roots):
        if i <= _below:
            continue
        m = _read_manifest(folder)
        names.append(str(m["name"]))
        if m["name"] != name:
            continue
        parent = None
        if "parent" in m:
            pname = str(m["parent"])
            parent = find(pname, roots, i if pname == name else -1, _depth + 1)
        return TemplateSet(
            name=name,
            folder=folder,
            description=str(m.get("description", "")),
            parent=parent,
            audience=str(m.get("audience", "")),
            own_sections=m.get("sections"),  # type: ignore[arg-type]
            own_css={k: list(m[k]) for k in ("css", "css-web", "css-print") if k in m},  # type: ignore[call-overload]
        )
    raise CounterpointError(
        f"no template set named '{name}'{suggest(name, names)}; "
        f"searched {', '.join(display_path(r) for r in roots)}"
    )
