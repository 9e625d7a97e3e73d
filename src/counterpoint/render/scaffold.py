"""Sets made for the user: `templates eject` copies one with all it inherits into one
folder, `templates new` starts an empty child of one."""

from __future__ import annotations

from pathlib import Path

import yaml

from counterpoint.errors import CounterpointError, display_path
from counterpoint.render.manifest import MANIFEST
from counterpoint.render.templates import builtin_root, find, search_roots, user_root


def default_destination(name: str) -> Path:
    """Where `templates eject` and `templates new` put a set: `templates/NAME` in the
    working folder, except in counterpoint's own checkout, whose `templates/` holds the
    built-in sets: there, your user folder of sets (user_root)."""
    here = Path("templates")
    if here.resolve() == builtin_root().resolve() or here.resolve().is_relative_to(
        builtin_root().resolve()
    ):
        return user_root() / name
    return here / name


def eject(name: str, dest: Path | None = None) -> Path:
    """Copy a set, with everything it inherits, into the project as one editable folder.

    Files of a child win over its parents'; the manifest gets the merged sections, CSS and
    options and no parent, so a build with the copy gives the same output. Never overwrites.
    """
    import shutil

    tset = find(name, search_roots())
    target = dest or default_destination(name)
    if target.resolve().is_relative_to(builtin_root().resolve()):
        raise CounterpointError(
            f"{display_path(target)} is inside the built-in sets' folder; eject to a folder "
            "of your own (see docs/templates.md, 'Where your sets live')"
        )
    if target.exists():
        raise CounterpointError(f"{display_path(target)} already exists; not overwriting it")
    for s in tset.chain:  # copying would read what a link out of the set points at
        root = s.folder.resolve()
        for f in sorted(s.folder.rglob("*")):
            if f.is_symlink() and not f.resolve().is_relative_to(root):
                raise CounterpointError(
                    f"{display_path(f)} links to a file outside its template set; "
                    "not copying it (remove the link, or copy the file into the set)"
                )
    manifest: dict[str, object] = {
        "format": 2,
        "name": name,
        "ejected-from": name,
        "description": tset.description,
        "sections": [str(s) for s in tset.sections],
        "css-web": tset.stylesheets("web"),
        "css-print": tset.stylesheets("print"),
    }
    if tset.audience:
        manifest["audience"] = tset.audience
    if tset.options:
        manifest["options"] = tset.options
    if tset.data:
        manifest["data"] = tset.data
    added = tset.new_sections
    if added:
        manifest["new-sections"] = {
            n: ({"title": s.title} if s.title else None) for n, s in added.items()
        }
    style = next((s.csl for s in tset.chain if s.csl), "")
    if style:
        manifest["csl"] = style
    labels: dict[str, object] = {}
    for s in reversed(tset.chain):
        labels.update(s.labels)
    if labels:
        manifest["labels"] = labels
    text = yaml.safe_dump(
        {k: v for k, v in manifest.items() if v}, sort_keys=False, allow_unicode=True
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    for s in reversed(tset.chain):
        shutil.copytree(s.folder, target, dirs_exist_ok=True)
    (target / MANIFEST).write_text(text, encoding="utf-8")
    return target


def new_set(name: str, parent: str, root: Path) -> Path:
    """Create ROOT/NAME with a manifest extending PARENT and an empty stylesheet."""
    import re

    if not re.fullmatch(r"[A-Za-z0-9_-]+", name):
        raise CounterpointError(f"'{name}' is not a usable set name (letters, digits, - and _)")
    find(parent, search_roots())  # the parent must exist
    folder = root / name
    if folder.resolve().is_relative_to(builtin_root().resolve()):
        raise CounterpointError(
            f"{display_path(folder)} is inside the built-in sets' folder; make it in a folder "
            "of your own (see docs/templates.md, 'Where your sets live')"
        )
    if folder.exists():
        raise CounterpointError(f"{display_path(folder)} already exists; not overwriting it")
    folder.mkdir(parents=True)
    (folder / MANIFEST).write_text(
        f"name: {name}\n"
        f"description: {name} edition, based on {parent}.\n"
        f"parent: {parent}\n"
        f"audience: {name}\n"
        f"css: [{name}.css]\n",
        encoding="utf-8",
    )
    (folder / f"{name}.css").write_text(
        f"/* {name}: rules here come after {parent}'s. For example:\n"
        "   :root { --accent: #7a1f2b; }\n*/\n",
        encoding="utf-8",
    )
    return folder
