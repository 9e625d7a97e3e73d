"""Silent misses in a template set, found before building: a block no parent template has,
and manifest `data` or `labels` keys that nothing uses. Each is a located warning."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import jinja2
import jinja2.nodes as nodes
import yaml

from counterpoint.errors import CounterpointError, Location, suggest
from counterpoint.render.manifest import MANIFEST
from counterpoint.render.templates import TemplateSet, builtin_root

TEMPLATE_SUFFIXES = (".html", ".svg", ".xml", ".txt")


@functools.lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    env = jinja2.Environment(extensions=["jinja2.ext.i18n"])
    env.policies["ext.i18n.trimmed"] = True
    return env


@functools.lru_cache(maxsize=256)
def _parse(path: Path, mtime: float) -> nodes.Template | None:
    try:
        return _env().parse(path.read_text(encoding="utf-8", errors="replace"))
    except jinja2.TemplateSyntaxError:
        return None  # reported, located, when the set is rendered


def parse(path: Path) -> nodes.Template | None:
    """A template's syntax tree (None when it does not parse)."""
    try:
        return _parse(path, path.stat().st_mtime)
    except OSError:
        return None


def top_blocks(node: nodes.Node) -> list[nodes.Block]:
    """The blocks of a template that are not inside another block (a block inside a block
    is a new one a child may define)."""
    out: list[nodes.Block] = []
    for child in node.iter_child_nodes():
        if isinstance(child, nodes.Block):
            out.append(child)
        else:
            out += top_blocks(child)
    return out


def _extends(tree: nodes.Template) -> str | None:
    ext = next(iter(tree.find_all(nodes.Extends)), None)
    if ext is not None and isinstance(ext.template, nodes.Const):
        return str(ext.template.value)
    return None


def _resolve(name: str, tset: TemplateSet, below: Path | None = None) -> Path | None:
    """The file a template name loads in the set (`!SET/NAME` or a plain name); `below`: a
    plain name that the file itself holds is looked for in the sets after its own."""
    chain = tset.chain
    if name.startswith("!"):
        prefix, _, rest = name[1:].partition("/")
        for s in chain:
            if s.name == prefix and (s.folder / rest).is_file():
                return s.folder / rest
        return None
    for s in chain:
        path = s.folder / name
        if path.is_file() and path != below:
            return path
    return None


def _blocks_of(path: Path, tset: TemplateSet, depth: int = 0) -> set[str]:
    """Every block a template defines, with those of the templates it extends."""
    tree = parse(path)
    if tree is None or depth > 10:
        return set()
    out = {b.name for b in tree.find_all(nodes.Block)}
    parent = _extends(tree)
    if parent is not None:
        target = _resolve(parent, tset, below=path)
        if target is not None:
            out |= _blocks_of(target, tset, depth + 1)
    return out


def _own(tset: TemplateSet) -> list[TemplateSet]:
    """The sets of the chain a user wrote (not the built-in ones)."""
    builtin = builtin_root().resolve()
    return [s for s in tset.chain if not s.folder.resolve().is_relative_to(builtin)]


def _templates(tset: TemplateSet) -> list[Path]:
    """Every template file of every set of the chain (a parent's file that a child's hides
    may still be what the child extends)."""
    return [
        path
        for s in tset.chain
        for path in sorted(s.folder.rglob("*"))
        if path.name.endswith(TEMPLATE_SUFFIXES) and path.is_file()
    ]


def unknown_blocks(tset: TemplateSet) -> list[str]:
    """A located warning for each block a user's template defines that the template it
    extends does not have: the override is never shown."""
    out: list[str] = []
    for s in _own(tset):
        for path in sorted(s.folder.rglob("*")):
            if not path.name.endswith(TEMPLATE_SUFFIXES) or not path.is_file():
                continue
            tree = parse(path)
            parent = _extends(tree) if tree is not None else None
            if tree is None or parent is None:
                continue
            target = _resolve(parent, s, below=path)
            if target is None:
                continue  # a missing parent template fails the build, located
            known = _blocks_of(target, s)
            lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
            for block in top_blocks(tree):
                if block.name in known:
                    continue
                line = lines[block.lineno - 1] if block.lineno <= len(lines) else ""
                m = re.search(rf"block\s+{re.escape(block.name)}\b", line)
                where = Location(str(path), block.lineno, (m.start() + 1) if m else 1)
                out.append(
                    f"{where}: block '{block.name}' is not in {parent} (nor in what it "
                    f"extends), so it is never shown"
                    f"{suggest(block.name, sorted(known))}"
                )
    return out


def _used_data(tset: TemplateSet) -> set[str] | None:
    """The `set_data` keys the set's templates read (None: a template uses `set_data` whole,
    as in a loop over its items, so any key may be used)."""
    used: set[str] = set()
    for path in _templates(tset):
        tree = parse(path)
        if tree is None:
            continue
        consumed: set[int] = set()
        for call in tree.find_all(nodes.Call):
            f = call.node
            if (
                isinstance(f, nodes.Getattr)
                and isinstance(f.node, nodes.Name)
                and f.node.name == "set_data"
                and f.attr == "get"
                and call.args
                and isinstance(call.args[0], nodes.Const)
            ):
                used.add(str(call.args[0].value))
                consumed.add(id(f.node))
        for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
            inner = getattr(node, "node", None)
            if not (isinstance(inner, nodes.Name) and inner.name == "set_data"):
                continue
            if isinstance(node, nodes.Getattr):
                used.add(node.attr)
                consumed.add(id(inner))
            elif isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
                used.add(str(node.arg.value))
                consumed.add(id(inner))
        for name in tree.find_all(nodes.Name):
            if name.name == "set_data" and id(name) not in consumed:
                return None
    return used


@functools.lru_cache(maxsize=1)
def _catalog() -> frozenset[str]:
    """Every message of counterpoint's catalog (the texts `labels:` can replace)."""
    from babel.messages.pofile import read_po

    pot = Path(__file__).resolve().parents[1] / "locale" / "counterpoint.pot"
    with pot.open("rb") as fh:
        return frozenset(str(m.id) for m in read_po(fh) if m.id and isinstance(m.id, str))


def _messages(tset: TemplateSet) -> set[str]:
    """The messages the set's templates translate (`_()`, `gettext`, `{% trans %}`)."""
    out: set[str] = set()
    env = _env()
    for path in _templates(tset):
        try:
            source = path.read_text(encoding="utf-8", errors="replace")
            for _, _, message in env.extract_translations(source):  # type: ignore[attr-defined]
                if isinstance(message, str):
                    out.add(message)
                elif isinstance(message, tuple):
                    out.update(m for m in message if isinstance(m, str))
        except jinja2.TemplateSyntaxError:
            continue
    return out


def _keys(folder: Path, section: str) -> list[tuple[str, Location]]:
    """The keys of a manifest mapping (`data`, `labels`), each with where it is written."""
    from counterpoint.brief.load import load

    try:
        doc = load(folder / MANIFEST)
    except CounterpointError:  # the manifest was read already: nothing to add
        return []
    root = doc.root
    if not isinstance(root, yaml.MappingNode):
        return []
    for key, value in root.value:
        is_it = isinstance(key, yaml.ScalarNode) and key.value == section
        if is_it and isinstance(value, yaml.MappingNode):
            return [(str(k.value), doc.at(k)) for k, _ in value.value]
    return []


def unused_keys(tset: TemplateSet) -> list[str]:
    """A located warning for each manifest `data` key no template reads and each `labels`
    key that is no message of the catalog or the set's templates."""
    out: list[str] = []
    own = _own(tset)
    if not any(s.own_data or s.labels for s in own):
        return out
    used = _used_data(tset) if any(s.own_data for s in own) else set()
    for s in own:
        if used is not None:
            for key, where in _keys(s.folder, "data"):
                if key not in used:
                    hint = suggest(key, sorted(used))
                    out.append(
                        f"{where}: data.{key}: no template of set '{tset.name}' uses it "
                        f"(as set_data.{key}){hint}"
                    )
    if any(s.labels for s in own):
        known = _catalog() | _messages(tset)
        for s in own:
            for key, where in _keys(s.folder, "labels"):
                if key not in known:
                    hint = suggest(key, sorted(known))
                    out.append(
                        f"{where}: labels.{key}: no text of set '{tset.name}' or of counterpoint "
                        f"has this English wording, so the label is never shown{hint}"
                    )
    return out


def unused_brief_data(brief: Path, audience: str, tset: TemplateSet) -> list[str]:
    """A located warning for each key of the brief's `audiences: {AUDIENCE: {data: ...}}`
    that no template of the set reads."""
    from counterpoint.brief.load import load

    try:
        doc = load(brief)
    except CounterpointError:
        return []
    node = doc.root
    for key in ("audiences", audience, "data"):
        if not isinstance(node, yaml.MappingNode):
            return []
        node = next((v for k, v in node.value if getattr(k, "value", None) == key), None)
    if not isinstance(node, yaml.MappingNode):
        return []
    used = _used_data(tset)
    if used is None:
        return []
    return [
        f"{doc.at(k)}: audiences.{audience}.data.{k.value}: no template of set '{tset.name}' "
        f"uses it (as set_data.{k.value}){suggest(str(k.value), sorted(used))}"
        for k, _ in node.value
        if str(k.value) not in used
    ]


def check(tset: TemplateSet) -> list[str]:
    """Every silent miss of a set (its own files only: the built-in sets have none)."""
    return unknown_blocks(tset) + unused_keys(tset)
