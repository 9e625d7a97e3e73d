"""Output names: the file each edition of a brief writes, the audiences a build makes, and
the briefs of one command whose outputs would have the same name."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from counterpoint.brief.model import Brief
from counterpoint.errors import CounterpointError, display_path
from counterpoint.files import inside, safe_stem, visible_name
from counterpoint.publish.output import SUFFIXES
from counterpoint.render.templates import available, search_roots

DEFAULT_AUDIENCE = "analyst"


def output_path(brief: Brief, out_dir: Path, fmt: str, audience: str) -> Path:
    """out/NAME.pdf for the default audience, out/NAME-AUDIENCE.pdf for others."""
    return inside(out_dir, output_stem(brief.name, audience) + SUFFIXES[fmt])  # never outside


def output_stem(name: str, audience: str) -> str:
    """The outputs' file name without its ending: NAME, or NAME-AUDIENCE."""
    name = visible_name(name)[0]
    return safe_stem(name if audience == DEFAULT_AUDIENCE else f"{name}-{audience}")


def collisions(paths: Sequence[Path], **options: Any) -> dict[Path, str]:
    """Briefs of one command whose outputs would have the same name, each with a line
    naming the other brief; found before anything is built, so that no output replaces
    another (`a/x.yaml` and `b/x.yaml`, `x.yaml --audience all` beside `x-executive.yaml`,
    `zq.yaml` beside `z<U+200B>q.yaml`). Names that differ only in case or Unicode form
    collide too: they are one file on macOS and Windows."""
    if len(paths) < 2:
        return {}
    out = Path(options.get("out_dir", "out"))
    formats = list(options.get("formats") or ("html", "pdf"))
    claimed: dict[str, tuple[Path, str, str]] = {}  # folded name -> brief, audience, name
    found: dict[Path, str] = {}
    for path in _may_collide(paths, formats):  # only these need their audiences (a parse)
        # every output's whole name: x.yaml's x.print.html is x.print.yaml's x.print.html
        names = [
            (audience, output_stem(path.stem, audience) + SUFFIXES[fmt])
            for audience in _planned_audiences(path, options)
            for fmt in formats
        ]
        for audience, name in names:
            key = _folded(name)
            if key not in claimed:
                claimed[key] = (path, audience, name)
                continue
            other, other_audience, other_name = claimed[key]
            if other == path:
                continue
            written = display_path(inside(out, other_name))
            pair = (
                (path, audience, other, other_audience),
                (other, other_audience, path, audience),
            )
            for a, a_audience, b, b_audience in pair:
                found.setdefault(
                    a,
                    f"{shown_path(a)}{edition_label(a_audience)} would write {written}, as would "
                    f"{shown_path(b)}{edition_label(b_audience)}; rename one of them "
                    "(neither was built)",
                )
    return found


def _folded(stem: str) -> str:
    return unicodedata.normalize("NFC", stem).casefold()


def _may_collide(paths: Sequence[Path], formats: Sequence[str] = ("html",)) -> list[Path]:
    """The briefs whose outputs could share a name with another's, in order: NAME or
    NAME-AUDIENCE can only meet another brief's when the two names are the same or one is
    the other up to a `-` (or, with print-html, up to a `.print`: NAME.print.html). The rest
    are never read here."""
    keys = {p: _folded(output_stem(p.stem, DEFAULT_AUDIENCE)) for p in paths}
    by_key: dict[str, list[Path]] = {}
    for p, key in keys.items():
        by_key.setdefault(key, []).append(p)
    chosen = {p for group in by_key.values() if len(group) > 1 for p in group}
    print_html = "print-html" in formats and len(formats) > 1
    for p, key in keys.items():
        for i, c in enumerate(key):
            cut = (c == "-") or (print_html and key.startswith(".print", i))
            if cut and key[:i] in by_key:
                chosen.add(p)
                chosen.update(by_key[key[:i]])
    return [p for p in paths if p in chosen]


def edition_label(audience: str) -> str:
    """Which edition, unless the default one."""
    return "" if audience == DEFAULT_AUDIENCE else f" ({audience} edition)"


def shown_path(path: Path) -> str:
    """A brief's path as the user typed it, in ASCII escapes if its name hides characters."""
    return ascii(str(path)) if visible_name(path.name)[1] else display_path(path)


def _planned_audiences(path: Path, options: dict[str, Any]) -> list[str]:
    """The audiences build() would make for a brief with these options; [] for a brief
    that cannot be read (it writes nothing)."""
    audience = options.get("audience")
    templates = options.get("templates")
    if audience == "all":
        roots = search_roots(Path(templates) if templates else None, path)
        return audience_names(roots)
    if audience:
        return [str(audience)]
    from counterpoint.brief.load import load

    try:
        root = load(path).root
    except CounterpointError:
        return []
    own = ""
    if isinstance(root, yaml.MappingNode):
        for key, value in root.value:
            if key.value == "audience" and isinstance(value, yaml.ScalarNode):
                own = str(value.value)
    return [own or DEFAULT_AUDIENCE]


def brief_audience(brief: Brief) -> str:
    """The audience a brief asks for by default (`audience:`), else analyst."""
    return brief.audience or DEFAULT_AUDIENCE


def audience_names(roots: list[Path], broken: list[str] | None = None) -> list[str]:
    """Every set on the search path that declares an audience (analyst first); sets that
    cannot be read are skipped and said in `broken`."""
    names = [s.name for s in available(roots, broken) if s.audience]
    return sorted(names, key=lambda n: (n != DEFAULT_AUDIENCE, n))
