"""Template sets: folders of Jinja templates and CSS with a manifest, found along a search path."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

from counterpoint.brief.sections import ALL_SECTIONS, FULL_PAPER
from counterpoint.errors import (
    CounterpointError,
    InvalidInput,
    Location,
    Problem,
    display_path,
    suggest,
)
from counterpoint.process.limits import MAX_SET_FILE_BYTES
from counterpoint.render.manifest import MANIFEST, NewSection, read_manifest


def builtin_root() -> Path:
    """The built-in sets: shipped inside the package, or `templates/` of a source checkout."""
    here = Path(__file__).resolve().parents[1]  # the package
    packaged = here / "templates"
    if packaged.is_dir():
        return packaged
    return here.parents[1] / "templates"


def user_root() -> Path:
    """Your own sets for every brief you build: $XDG_DATA_HOME/counterpoint/templates (or
    ~/.local/share/counterpoint/templates), searched after the project's, before the
    built-in ones (like Pandoc's user data folder)."""
    import os

    base = os.environ.get("XDG_DATA_HOME") or os.path.join(
        os.path.expanduser("~"), ".local", "share"
    )
    return Path(base, "counterpoint", "templates")


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
    own_options: dict[str, object] = field(default_factory=dict)
    own_data: dict[str, object] = field(default_factory=dict)
    notes: str = ""
    """The set's `notes:` (footnotes or endnotes), or '' to keep its parent's."""
    csl: str = ""
    """The set's citation style (`csl:`, a style name or a .csl file in the set), or ''."""
    labels: dict[str, str] = field(default_factory=dict)
    """The set's `labels:`: its own texts for messages of the catalogs (brief/i18n.py)."""
    own_new_sections: dict[str, NewSection] = field(default_factory=dict)
    """The sections the set adds (`new-sections:`)."""
    ejected_from: str = ""
    """The built-in set this one is a copy of (`ejected-from:`, written by eject)."""

    @property
    def new_sections(self) -> dict[str, NewSection]:
        """The sections this set and its parents add (a child's title wins)."""
        out: dict[str, NewSection] = {}
        for s in reversed(self.chain):
            out.update(s.own_new_sections)
        return out

    @property
    def data(self) -> dict[str, object]:
        """The manifest `data`, a child's keys over its parents' (templates: `set_data`)."""
        out: dict[str, object] = {}
        for s in reversed(self.chain):
            out.update(s.own_data)
        return out

    @property
    def options(self) -> dict[str, object]:
        """The manifest `options`, a child's values over its parents' (a set's `notes:` is
        its option `notes`)."""
        out: dict[str, object] = {}
        for s in reversed(self.chain):
            if s.notes:
                out["notes"] = s.notes
            out.update(s.own_options)
        return out

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
        return list(FULL_PAPER)

    def stylesheets(self, medium: str) -> list[str]:
        """CSS file names for a medium ("web" or "print"), parents' first."""
        out: list[str] = []
        for s in reversed(self.chain):
            for key in ("css", f"css-{medium}"):
                out += [c for c in s.own_css.get(key, []) if c not in out]
        return out


def search_roots(
    templates: Path | None = None, brief: Path | None = None, existing: bool = True
) -> list[Path]:
    """Folders that hold sets, in the order they are searched (with existing=False, also
    those that are not there yet: the build cache watches them for new sets)."""
    roots: list[Path] = []
    if templates is not None:
        roots.append(templates)
    if brief is not None:
        roots.append(brief.resolve().parent / "templates")
    roots.append(Path.cwd() / "templates")
    roots.append(user_root())
    roots.append(builtin_root())
    out: list[Path] = []
    builtin = builtin_root().resolve()
    for i, r in enumerate(roots):
        r = r.resolve()
        if r == builtin and i < len(roots) - 1:
            continue  # counterpoint's own checkout: its templates/ are the built-in sets, last
        if (r.is_dir() or not existing) and r not in out:
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


def available(roots: list[Path], broken: list[str] | None = None) -> list[TemplateSet]:
    """Every set on the search path, the first of each name winning. A set that cannot be
    read (a broken manifest, a missing parent) is skipped, and said in `broken`: one broken
    set must not stop the others (naming it with --audience still fails, with its error)."""
    seen: dict[str, TemplateSet] = {}
    for _, folder in _candidates(roots):
        try:
            s = find(read_manifest(folder)["name"], roots)  # type: ignore[arg-type]
        except CounterpointError as exc:
            if broken is not None:
                first = str(exc).splitlines()[0]
                broken.append(f"template set in {display_path(folder)} skipped: {first}")
            continue
        seen.setdefault(s.name, s)
    return list(seen.values())


def replaced_stylesheets(tset: TemplateSet) -> list[str]:
    """Warnings for a stylesheet a child set holds under a parent's name (print.css, say)
    without listing it in its own manifest: it silently replaces the parent's whole file
    (the footnotes, margins and page numbers go with it)."""
    out = []
    for i, s in enumerate(tset.chain[:-1]):
        listed = {c for names in s.own_css.values() for c in names}
        for medium in ("web", "print"):
            for name in tset.stylesheets(medium):
                mine = s.folder / name
                parents = [p for p in tset.chain[i + 1 :] if (p.folder / name).is_file()]
                if name in listed or not parents or not mine.is_file():
                    continue
                message = (
                    f"template set '{s.name}': {display_path(mine)} replaces {parents[0].name}'s "
                    f"{name} whole; give your CSS its own name and list it under css: in the "
                    "manifest to add to the parent's"
                )
                if message not in out:
                    out.append(message)
    return out


def shadowing(tset: TemplateSet) -> str:
    """A warning when a set takes a built-in set's name without extending it (it hides the
    built-in for every brief on this search path), else ''."""
    builtin = builtin_root().resolve()
    if tset.folder.resolve().is_relative_to(builtin):
        return ""
    if not (builtin / tset.name / MANIFEST).is_file():
        return ""
    if any(
        p.folder.resolve().is_relative_to(builtin) for p in tset.chain[1:] if p.name == tset.name
    ):
        return ""  # `name: analyst, parent: analyst`: the documented way to adapt a built-in
    if tset.ejected_from == tset.name:
        return ""  # a copy `templates eject` made, meant to stand in for the built-in
    return (
        f"template set '{tset.name}' in {display_path(tset.folder)} hides the built-in set of "
        f"that name (give it another name, or `parent: {tset.name}` to extend the built-in)"
    )


def find(name: str, roots: list[Path], _below: int = -1, _depth: int = 0) -> TemplateSet:
    """The set called `name`; a parent with the set's own name is looked up further down."""
    if _depth > 10:
        raise CounterpointError(f"template set '{name}': its parents inherit in a loop")
    names = []
    for i, folder in _candidates(roots):
        if i <= _below:
            continue
        try:
            m = read_manifest(folder)
        except InvalidInput:
            if folder.name == name:  # most likely the set asked for: its mistakes, please
                raise
            continue  # someone else's broken set (available() reports it)
        names.append(str(m["name"]))
        if m["name"] != name:
            continue
        parent = None
        if "parent" in m:
            pname = str(m["parent"])
            parent = find(pname, roots, i if pname == name else -1, _depth + 1)
        check_sizes(folder)
        tset = TemplateSet(
            name=name,
            folder=folder,
            description=str(m.get("description", "")),
            parent=parent,
            audience=str(m.get("audience", "")),
            own_sections=m.get("sections"),  # type: ignore[arg-type]
            own_css={k: list(m[k]) for k in ("css", "css-web", "css-print") if k in m},  # type: ignore[call-overload]
            own_options=dict(m.get("options", {})),  # type: ignore[call-overload]
            csl=str(m.get("csl", "")),
            notes=str(m.get("notes", "")),
            own_data=dict(m.get("data", {})),  # type: ignore[call-overload]
            labels=dict(m.get("labels", {})),  # type: ignore[call-overload]
            own_new_sections={
                k: dataclasses.replace(v, owner=name)
                for k, v in dict(m.get("new-sections", {})).items()  # type: ignore[call-overload]
            },
            ejected_from=str(m.get("ejected-from", "")),
        )
        _check_sections(tset)
        return tset
    raise CounterpointError(
        f"no template set named '{name}'{suggest(name, names)}; "
        f"searched {', '.join(display_path(r) for r in roots)}"
    )


def _check_sections(tset: TemplateSet) -> None:
    """Each section the set lists is built in or added by the set or a parent, and each
    section it adds has its template."""
    problems: list[Problem] = []
    added = tset.new_sections
    known = [*ALL_SECTIONS, *added]
    for name in tset.own_sections or []:
        if name not in known:
            where = getattr(name, "where", Location(str(tset.folder / MANIFEST)))
            message = f"unknown section '{name}'{suggest(name, known)}; known: {', '.join(known)}"
            if not added:
                message += " (a set adds its own under new-sections:)"
            problems.append(Problem(where, message, getattr(name, "path", "sections")))
    for name, section in tset.own_new_sections.items():
        template = f"sections/{name}.html"
        if not any((s.folder / template).is_file() for s in tset.chain):
            where = section.where or Location(str(tset.folder / MANIFEST))
            problems.append(
                Problem(
                    where,
                    f"no template {template} in {display_path(tset.folder)} or its parents",
                    f"new-sections.{name}",
                )
            )
    if problems:
        raise InvalidInput(problems)


def check_sizes(folder: Path) -> None:
    """Refuse a set that holds a file over MAX_SET_FILE_BYTES (links are not followed)."""
    import os

    for top, _, files in os.walk(folder):
        for name in files:
            path = Path(top, name)
            try:
                size = path.lstat().st_size
            except OSError:
                continue
            if size > MAX_SET_FILE_BYTES:
                raise CounterpointError(
                    f"{display_path(path)}: {size:,} bytes is over the limit of "
                    f"{MAX_SET_FILE_BYTES:,} bytes for a file in a template set"
                )
