"""Incremental builds: what rebuilds when each kind of input changes; --jobs is byte-identical."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from counterpoint import build
from counterpoint.pipeline.shelf import build_shelf

from .conftest import MINIMAL
from .oracle import page_citations

OTHER_SOURCES = """\
references:
  - id: kim-2023
    type: webpage
    title: A Third Account
    issued: 2023
"""


@pytest.fixture
def project(write_brief, tmp_path: Path, monkeypatch) -> Path:
    """Two briefs sharing sources.yaml; only b.yaml cites other.yaml."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795000000")
    write_brief(MINIMAL, name="a.yaml")
    (tmp_path / "other.yaml").write_text(OTHER_SOURCES)
    b = MINIMAL.replace("[sources.yaml]", "[sources.yaml, other.yaml]").replace(
        "Memory persists [@lin-2024, p. 4].", "Memory persists [@kim-2023]."
    )
    write_brief(b, name="b.yaml")
    return tmp_path


def run(project: Path, **options) -> dict[str, bool]:
    """{output name: was it rebuilt?} for both briefs."""
    out: dict[str, bool] = {}
    for name in ("a.yaml", "b.yaml"):
        for o in build(project / name, project / "out", formats=["html"], **options):
            out[o.path.name] = not o.cached
    return out


def test_unchanged_inputs_are_not_rebuilt(project: Path) -> None:
    assert run(project) == {"a.html": True, "b.html": True}
    assert run(project) == {"a.html": False, "b.html": False}
    assert run(project, force=True) == {"a.html": True, "b.html": True}


def test_each_edition_is_remembered_on_its_own(project: Path) -> None:
    """Switching audiences or formats forgets nothing: `build briefs/`, then `--audience
    all`, then `build briefs/` again rebuilds only what was never built (issue 29)."""
    executive = project / "templates" / "executive"  # the project's own executive set
    executive.mkdir(parents=True)
    (executive / "manifest.yaml").write_text(
        "name: executive\nparent: executive\naudience: executive\ncss: [own.css]\n"
    )
    (executive / "own.css").write_text("h1 { color: navy; }\n")
    assert run(project) == {"a.html": True, "b.html": True}
    every = run(project, audience="all")
    assert every == {
        "a.html": False, "a-compare.html": True, "a-executive.html": True, "a-public.html": True,
        "b.html": False, "b-compare.html": True, "b-executive.html": True, "b-public.html": True,
    }  # fmt: skip
    assert run(project) == {"a.html": False, "b.html": False}
    assert set(run(project, audience="all").values()) == {False}
    assert run(project, audience="executive") == {"a-executive.html": False,
                                                  "b-executive.html": False}  # fmt: skip
    # a change to one set's files rebuilds that set's editions only
    (executive / "own.css").write_text("h1 { color: maroon; }\n")
    rebuilt = {name for name, built in run(project, audience="all").items() if built}
    assert rebuilt == {"a-executive.html", "b-executive.html"}
    # and an edition in another format is its own: the page stays up to date
    outputs = build(project / "a.yaml", project / "out", formats=["html", "docx"])
    assert [(o.path.name, o.cached) for o in outputs] == [("a.html", True), ("a.docx", False)]


def test_a_source_record_rebuilds_exactly_the_briefs_that_cite_it(project: Path) -> None:
    run(project)
    (project / "other.yaml").write_text(OTHER_SOURCES.replace("A Third", "A Fourth"))
    assert run(project) == {"a.html": False, "b.html": True}
    assert "A Fourth Account" in (project / "out" / "b.html").read_text()


def test_the_brief_options_and_outputs_are_inputs(project: Path) -> None:
    run(project)
    a = project / "a.yaml"
    a.write_text(a.read_text().replace("Test brief", "Test brief, revised"))
    assert run(project) == {"a.html": True, "b.html": False}
    (project / "out" / "b.html").write_text("edited by hand")
    assert run(project) == {"a.html": False, "b.html": True}
    assert run(project, audience="public") == {"a-public.html": True, "b-public.html": True}


def analyst_set(project: Path, manifest_extra: str = "") -> Path:
    """sets/analyst in the project: a child of the built-in analyst set."""
    sets = project / "sets" / "analyst"
    sets.mkdir(parents=True)
    (sets / "manifest.yaml").write_text(f"name: analyst\nparent: analyst\n{manifest_extra}")
    return sets


def test_template_changes_rebuild(project: Path) -> None:
    sets = analyst_set(project, "css: [x.css]\n")
    (sets / "x.css").write_text("h1 { color: red; }\n")
    assert run(project, templates=project / "sets") == {"a.html": True, "b.html": True}
    assert run(project, templates=project / "sets") == {"a.html": False, "b.html": False}
    (sets / "x.css").write_text("h1 { color: blue; }\n")
    assert run(project, templates=project / "sets") == {"a.html": True, "b.html": True}


def test_a_new_file_in_a_bibliography_folder_rebuilds(write_brief, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "seeds").mkdir()
    write_brief(MINIMAL.replace("[sources.yaml]", "[seeds]"))
    (tmp_path / "sources.yaml").rename(tmp_path / "seeds" / "sources.yaml")
    first = build(tmp_path / "brief.yaml", tmp_path / "out", formats=["html"])
    assert not first[0].cached
    assert build(tmp_path / "brief.yaml", tmp_path / "out", formats=["html"])[0].cached
    (tmp_path / "seeds" / "more.yaml").write_text(OTHER_SOURCES)
    assert not build(tmp_path / "brief.yaml", tmp_path / "out", formats=["html"])[0].cached


@pytest.mark.slow
@pytest.mark.pdf
def test_jobs_output_is_byte_identical_to_a_serial_build(project: Path) -> None:
    """Two briefs in two workers at once against both in one process, one after the other:
    what one build leaves behind in its process (a counter, a cache, an id) would show in
    the second brief's bytes. Jobs are whole briefs (pipeline/shelf.py), each built in one
    process either way, so one edition per brief, in HTML and PDF, proves it as well as
    every audience's would."""
    paths = [project / "a.yaml", project / "b.yaml"]
    options = {"formats": ["html", "pdf"], "force": True}
    serial = list(build_shelf(paths, jobs=1, out_dir=project / "serial", **options))
    parallel = list(build_shelf(paths, jobs=2, out_dir=project / "parallel", **options))
    assert [r.error for r in serial + parallel] == [""] * 4
    names = sorted(p.name for p in (project / "serial").iterdir() if p.is_file())
    assert names == ["a.html", "a.pdf", "b.html", "b.pdf"]
    for name in names:
        assert (project / "serial" / name).read_bytes() == (
            project / "parallel" / name
        ).read_bytes()


def test_dependency_versions_are_read_as_importlib_metadata_reads_them() -> None:
    from importlib import metadata

    from counterpoint.pipeline import inputs

    found = inputs.installed_versions()
    for dist in inputs.DEPENDENCIES:
        assert found[dist] == metadata.version(dist), dist


def test_a_dependency_or_counterpoint_upgrade_rebuilds(project: Path, monkeypatch) -> None:
    from counterpoint.pipeline import inputs

    assert run(project) == {"a.html": True, "b.html": True}
    assert run(project) == {"a.html": False, "b.html": False}
    versions = {**inputs.installed_versions(), "jinja2": "99.0"}
    monkeypatch.setattr(inputs, "installed_versions", lambda: versions)
    inputs.code_fingerprint.cache_clear()
    try:
        assert run(project) == {"a.html": True, "b.html": True}
        assert run(project) == {"a.html": False, "b.html": False}
        monkeypatch.setattr(inputs, "__version__", "99.0.0")  # a new counterpoint
        inputs.code_fingerprint.cache_clear()
        assert run(project) == {"a.html": True, "b.html": True}
    finally:
        inputs.code_fingerprint.cache_clear()


@pytest.mark.pdf
def test_a_font_replaced_in_place_rebuilds_pdfs_only(project: Path, monkeypatch) -> None:
    from counterpoint.pipeline import inputs
    from counterpoint.publish import fonts

    font = project / "Fake-Regular.ttf"
    font.write_bytes(b"font v1")
    listing = (*fonts.fc_list(), ("Fake", "Regular", str(font)))
    monkeypatch.setattr(fonts, "fc_list", lambda: listing)
    inputs.font_fingerprint.cache_clear()

    def rebuilt() -> dict[str, bool]:
        outputs = build(project / "a.yaml", project / "out", formats=["html", "pdf"])
        return {o.path.name: not o.cached for o in outputs}

    try:
        assert rebuilt() == {"a.html": True, "a.pdf": True}
        assert rebuilt() == {"a.html": False, "a.pdf": False}
        font.write_bytes(b"font v2, a different size")  # same path, new file
        inputs.font_fingerprint.cache_clear()
        assert rebuilt() == {"a.html": False, "a.pdf": True}  # each edition on its own
        assert build(project / "b.yaml", project / "out", formats=["html"])[0].cached is False
        assert build(project / "b.yaml", project / "out", formats=["html"])[0].cached is True
        font.write_bytes(b"font v3, another size again")
        inputs.font_fingerprint.cache_clear()
        assert build(project / "b.yaml", project / "out", formats=["html"])[0].cached is True
    finally:
        inputs.font_fingerprint.cache_clear()


def test_a_link_out_of_a_template_set_is_never_read(project: Path) -> None:
    """The record names where the link points; it holds no hash of the file behind it."""
    import json

    sets = analyst_set(project)
    (sets / "logo.png").symlink_to("/etc/hostname")
    assert run(project, templates=project / "sets") == {"a.html": True, "b.html": True}
    assert run(project, templates=project / "sets") == {"a.html": False, "b.html": False}
    record = json.loads((project / "out" / ".counterpoint" / "a.json").read_text())
    inputs = record["editions"]["analyst/html"]["inputs"]
    assert inputs[str(sets.resolve() / "logo.png")] == "link:/etc/hostname"
    (sets / "logo.png").unlink()
    (sets / "logo.png").symlink_to("/etc/hosts")
    assert run(project, templates=project / "sets") == {"a.html": True, "b.html": True}


def test_a_new_template_in_a_set_rebuilds_through_the_cli(
    write_brief, tmp_path, monkeypatch
) -> None:
    """Issue 12, item 6: a file that overrides the parent's, added after a build, is an input.

    Each build is its own `counterpoint` process, as when a user runs them (the set is
    made in this one: it is the builds that must see it change).
    """
    import os
    import subprocess
    import sys

    from click.testing import CliRunner

    from counterpoint.cli.main import main

    from .conftest import ROOT

    write_brief()
    monkeypatch.chdir(tmp_path)
    made = CliRunner().invoke(main, ["templates", "new", "mine", "--from", "analyst"])
    assert made.exit_code == 0, made.output
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}

    def cli(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "counterpoint", *args],
            cwd=tmp_path, env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        return done.stdout

    build_mine = ("build", "brief.yaml", "--format", "html", "--audience", "mine")
    assert cli(*build_mine).startswith("wrote out/brief-mine.html")
    assert cli(*build_mine).startswith("up to date out/brief-mine.html")
    (tmp_path / "templates" / "mine" / "sections").mkdir()
    (tmp_path / "templates" / "mine" / "sections" / "summary.html").write_text(
        '<section id="summary"><h2>Bottom line</h2><p>Our own summary.</p></section>\n'
    )
    assert cli(*build_mine).startswith("wrote out/brief-mine.html")
    assert "Our own summary." in (tmp_path / "out" / "brief-mine.html").read_text()


def test_a_set_added_earlier_on_the_search_path_rebuilds(
    write_brief, tmp_path, monkeypatch
) -> None:
    """An ejected analyst set in ./templates takes the place of the built-in one."""
    from counterpoint.render.scaffold import eject

    monkeypatch.chdir(tmp_path)
    brief = write_brief()
    assert not build(brief, "out", formats=["html"])[0].cached
    assert build(brief, "out", formats=["html"])[0].cached
    eject("analyst")
    (tmp_path / "templates" / "analyst" / "style.css").write_text("h1 { color: red; }\n")
    assert not build(brief, "out", formats=["html"])[0].cached


def test_listing_names_every_entry_and_its_type(tmp_path: Path) -> None:
    from counterpoint.pipeline.cache import listing

    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "x.html").write_text("x")
    (tmp_path / "a" / "link").symlink_to(tmp_path / "a" / "b")
    (tmp_path / "z.css").write_text("")
    assert listing(tmp_path) == ["d a", "d a/b", "f a/b/x.html", "l a/link", "f z.css"]
    assert listing(tmp_path / "missing") == []


_OPENING: list[list[str]] = []  # the lists of the `opened` fixtures now running
sys.addaudithook(
    lambda event, args: [seen.append(str(args[0])) for seen in _OPENING] if event == "open" else 0
)


@pytest.fixture
def opened() -> Iterator[list[str]]:
    """The path of every file this process opens during the test (Python's audit events,
    which open(), Path.open and os.open all raise)."""
    seen: list[str] = []
    _OPENING.append(seen)
    yield seen
    _OPENING.remove(seen)


def sparse(path: Path, size: int = 3 * 1024**3) -> None:
    """A file of `size` bytes that takes no room on disk (truncate -s)."""
    with path.open("wb") as f:
        f.truncate(size)


def test_a_huge_file_in_a_set_is_refused_without_reading_it(
    write_brief, tmp_path, monkeypatch, opened: list[str]
) -> None:
    """Issue 12, item 5: a sparse 3 GB file made an HTML build read it whole to hash it."""
    from click.testing import CliRunner

    from counterpoint.cli.main import main

    monkeypatch.chdir(tmp_path)
    write_brief()
    runner = CliRunner()
    assert runner.invoke(main, ["templates", "new", "mine", "--from", "analyst"]).exit_code == 0
    build_mine = ["build", "brief.yaml", "--format", "html", "--audience", "mine"]
    css = tmp_path / "templates" / "mine" / "mine.css"
    for big in (tmp_path / "templates" / "mine" / "fonts" / "big.ttf", css):
        big.parent.mkdir(exist_ok=True)
        assert runner.invoke(main, build_mine).exit_code == 0  # the record lists `big` as fine
        sparse(big)
        opened.clear()
        result = runner.invoke(main, build_mine)
        names = [Path(p).name for p in opened]
        assert big.name not in names and "brief.yaml" in names  # refused on its size, unread
        assert result.exit_code == 1
        assert result.stderr == (
            f"templates/mine/{big.relative_to(tmp_path / 'templates' / 'mine')}: "
            "3,221,225,472 bytes is over the limit of 20,971,520 bytes for a file in a "
            "template set\n1 of 1 brief(s) failed\n"
        )
        big.write_text("")


def test_an_output_is_hashed_a_piece_at_a_time(project: Path) -> None:
    """Checking that a build is up to date hashes its outputs again: a page that has become
    a 256 MB file (a damaged disk, a slip of the hand) is built again without taking 256 MB
    of memory to read it. A deleted page is built again too."""
    import tracemalloc

    run(project)
    page = project / "out" / "a.html"
    sparse(page, 256 << 20)
    tracemalloc.start()
    try:
        assert run(project) == {"a.html": True, "b.html": False}
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 128 << 20, f"{peak:,} bytes"  # (a record is read into a 64 MiB buffer)
    assert page.stat().st_size < 1 << 20
    page.unlink()
    assert run(project) == {"a.html": True, "b.html": False}


def test_a_changed_style_file_beside_the_brief_rebuilds(write_brief, tmp_path: Path) -> None:
    from counterpoint.brief import csl

    style = tmp_path / "house.csl"
    style.write_bytes(csl.find("apa", []).path.read_bytes())
    brief = write_brief(MINIMAL + "csl: house.csl\n")
    out = tmp_path / "out"
    (first,) = build(brief, out, formats=["html"])
    assert "(Petrova, 2025, para. 2)" in page_citations(first.path.read_text(encoding="utf-8"))
    assert build(brief, out, formats=["html"])[0].cached
    style.write_bytes(csl.find("chicago-author-date", []).path.read_bytes())
    (second,) = build(brief, out, formats=["html"])
    assert not second.cached
    assert "(Petrova 2025, para. 2)" in page_citations(second.path.read_text(encoding="utf-8"))


def test_a_changed_parent_of_a_style_beside_the_brief_rebuilds(write_brief, tmp_path: Path) -> None:
    """A dependent style takes its rules from its parent, a .csl file of its own: editing
    the parent is editing the style."""
    from counterpoint.brief import csl

    (tmp_path / "house.csl").write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<style xmlns="http://purl.org/net/xbiblio/csl" class="note" version="1.0">\n'
        "  <info><title>House</title><id>house</id>\n"
        '    <link href="parent.csl" rel="independent-parent"/></info>\n'
        "</style>\n",
        encoding="utf-8",
    )
    parent = tmp_path / "parent.csl"
    parent.write_bytes(csl.find("apa", []).path.read_bytes())
    brief = write_brief(MINIMAL + "csl: house.csl\n")
    out = tmp_path / "out"
    (first,) = build(brief, out, formats=["html"])
    assert "(Petrova, 2025, para. 2)" in page_citations(first.path.read_text(encoding="utf-8"))
    assert build(brief, out, formats=["html"])[0].cached
    parent.write_bytes(csl.find("chicago-author-date", []).path.read_bytes())
    (second,) = build(brief, out, formats=["html"])
    assert not second.cached
    assert "(Petrova 2025, para. 2)" in page_citations(second.path.read_text(encoding="utf-8"))
