"""What a template set is made of, read from its files: `counterpoint templates show`.

The resolved chain, every file with the set it comes from (and whether it replaces a
parent's file of the same name), the blocks each template defines, the CSS custom
properties with their values, the options, sections and style. Read from the templates
themselves, so it cannot drift from them; docs/template-reference.md is its output for
the built-in sets.
"""

from __future__ import annotations

import re
from pathlib import Path

from counterpoint.errors import display_path
from counterpoint.render.manifest import MANIFEST
from counterpoint.render.templates import TemplateSet

_CUSTOM_PROPERTY = re.compile(r"(?<![\w-])(--[\w-]+)\s*:\s*([^;{}]+?)\s*;")


def files(tset: TemplateSet) -> list[tuple[str, TemplateSet, list[TemplateSet]]]:
    """(name, the set it comes from, the parents' sets whose file of that name it hides),
    for every file the set resolves, by name."""
    found: dict[str, list[TemplateSet]] = {}
    for s in tset.chain:  # child first: the first set of a name wins
        for f in sorted(s.folder.rglob("*")):
            if f.is_file() and f.name != MANIFEST and not f.name.startswith("."):
                found.setdefault(f.relative_to(s.folder).as_posix(), []).append(s)
    return [(name, sets[0], sets[1:]) for name, sets in sorted(found.items())]


def blocks(source: str) -> list[str]:
    """The names of the blocks a template defines, in order ({% block NAME %})."""
    import jinja2

    try:
        tree = jinja2.Environment(extensions=["jinja2.ext.i18n"]).parse(source)
    except jinja2.TemplateSyntaxError:
        return []
    return [b.name for b in tree.find_all(jinja2.nodes.Block)]


def custom_properties(tset: TemplateSet) -> list[tuple[str, str, str, str]]:
    """Every CSS custom property (--accent) the set's stylesheets set, in the order the CSS
    is concatenated (a later one wins): (property, value, file, the rule it is set in,
    such as ":root" or "@media (prefers-color-scheme: dark) :root")."""
    found: list[tuple[str, str, str, str]] = []
    names = list(dict.fromkeys(tset.stylesheets("web") + tset.stylesheets("print")))
    for name in names:
        owner = next((s for s in tset.chain if (s.folder / name).is_file()), None)
        if owner is None:
            continue
        text = re.sub(
            r"/\*.*?\*/", "", (owner.folder / name).read_text(encoding="utf-8"), flags=re.S
        )
        stack: list[str] = []
        start = 0
        for m in re.finditer(r"[{};]", text):
            if m.group() == "{":
                stack.append(" ".join(text[start : m.start()].split()))
            elif m.group() == "}":
                if stack:
                    stack.pop()
            else:
                decl = _CUSTOM_PROPERTY.fullmatch(text[start : m.end()].strip())
                if decl:
                    value = " ".join(decl[2].split())
                    found.append((decl[1], value, f"{owner.name}/{name}", " ".join(stack)))
            start = m.end()
    return found


def default_styles() -> str:
    """The default style and the languages that get another, as `templates show` says."""
    from counterpoint.brief.csl import DEFAULT_STYLE, LANGUAGE_STYLES, RECOMMENDED_STYLES

    others = "; ".join(f"{lang}: {name}" for lang, name in sorted(LANGUAGE_STYLES.items()))
    advised = ", ".join(f"{lang}: {name}" for lang, name in sorted(RECOMMENDED_STYLES.items()))
    return (
        f"{DEFAULT_STYLE} (the default; by the brief's language, {others}; "
        f"national standards in an in-text form, to name with csl: {advised})"
    )


def show(tset: TemplateSet) -> list[str]:
    """The set, as `counterpoint templates show NAME` prints it."""
    chain = " <- ".join(f"{s.name} ({display_path(s.folder)})" for s in tset.chain)
    lines = [f"set {tset.name}: {tset.description}", f"chain: {chain}"]
    if tset.audience:
        lines.append(f"audience: {tset.audience}")
    lines.append("sections: " + ", ".join(tset.sections))
    for name, added in tset.new_sections.items():
        title = f", title {added.title!r}" if added.title else ", no contents entry"
        lines.append(f"new section: {name} (sections/{name}.html, from {added.owner}{title})")
    options = tset.options
    if options:
        lines.append("options: " + ", ".join(f"{k}={v}" for k, v in sorted(options.items())))
    if tset.data:
        lines.append("data (set_data): " + ", ".join(f"{k}={v!r}" for k, v in tset.data.items()))
    own_labels: dict[str, str] = {}
    for s in reversed(tset.chain):
        own_labels.update(s.labels)
    if own_labels:
        lines.append("labels: " + ", ".join(f"{k!r} -> {v!r}" for k, v in own_labels.items()))
    style = next((s.csl for s in tset.chain if s.csl), "")
    lines.append(f"csl: {style or default_styles()}")
    lines.append("css, web: " + ", ".join(tset.stylesheets("web")))
    lines.append("css, print: " + ", ".join(tset.stylesheets("print")))
    lines.append("")
    lines.append('files (from, and blocks a child can override with {% extends "!SET/NAME" %}):')
    for name, owner, hidden in files(tset):
        note = f"  replaces {', '.join(s.name for s in hidden)}'s" if hidden else ""
        lines.append(f"  {name:<34} {owner.name}{note}")
        if name.endswith((".html", ".svg", ".xml", ".txt")):
            names = blocks((owner.folder / name).read_text(encoding="utf-8", errors="replace"))
            if names:
                lines.append(f"  {'':<34}   blocks: {', '.join(names)}")
    lines.append("")
    lines.append("css custom properties (value; file, rule; a later line wins):")
    for prop, value, where, rule in sorted(custom_properties(tset), key=lambda p: p[0]):
        lines.append(f"  {prop:<14} {value}   ({where}, {rule})")
    return lines


def reference(sets: list[TemplateSet]) -> str:
    """docs/template-reference.md: `templates show` for each built-in set."""
    out = [
        "# Template set reference",
        "",
        "Generated by `counterpoint templates show NAME` for the built-in sets (a test keeps",
        "this page current): every file with the set it comes from, the blocks each template",
        "defines, and the CSS custom properties with their values. Run the command on your own",
        "set to see what it resolves to.",
        "",
    ]
    for s in sets:
        out += [f"## {s.name}", "", "```text", *[_relative(line) for line in show(s)], "```", ""]
    return "\n".join(out)


def _relative(line: str) -> str:
    """The built-in sets' folders as `templates/NAME` (the same on every machine)."""
    from counterpoint.render.templates import builtin_root

    return line.replace(display_path(builtin_root()), "templates").replace(
        str(builtin_root()), "templates"
    )


def builtin_sets() -> list[TemplateSet]:
    from counterpoint.render.templates import builtin_root, find

    root = builtin_root()
    names = sorted(p.parent.name for p in Path(root).glob(f"*/{MANIFEST}"))
    return [find(n, [root]) for n in names]
