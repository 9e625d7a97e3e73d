"""An adversarial review of issue 23: neighbours of its hostile inputs (Word templates,
styles, bibliographies, records, output trees, caches, preview requests), each found to get
past the first round's checks and kept out since."""

from __future__ import annotations

import io
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from counterpoint import build, usercache
from counterpoint.cli.main import main
from counterpoint.errors import link_loop
from counterpoint.publish.docx.reference import clean_reference
from counterpoint.publish.docx.written import check_written

from . import hostile_docx as hostile
from .conftest import MINIMAL, SOURCES

LABEL = "templates/hostile/reference.docx"


def test_a_web_link_named_by_a_vml_picture_through_o_relid_is_removed() -> None:
    """VML names its picture's relationship with o:relid as well as r:id: a web link's
    relationship named that way would be loaded as the picture, not clicked."""
    body = (
        '<w:p><w:r><w:pict><v:shape style="width:9pt;height:9pt">'
        '<v:imagedata o:relid="rIdO" o:title=""/></v:shape></w:pict></w:r></w:p>'
    )
    package = hostile.package(
        {
            **hostile.base_parts(),
            "word/header1.xml": hostile.header(body),
            "word/_rels/header1.xml.rels": hostile.rels(
                ("rIdO", "hyperlink", f"{hostile.SERVER}/relid.png", True)
            ),
        }
    )
    warning = (
        f"word/header1.xml: removed the link to {hostile.SERVER}/relid.png: <v:imagedata> "
        "names it, which would load it when the file is opened (a link is only ever clicked)"
    )
    cleaned = clean_reference(package, LABEL)
    assert cleaned.warnings == [f"{LABEL}: {warning}"]
    _, after = check_written(package, "out/x.docx")  # and after Pandoc, on its own
    assert after == [f"out/x.docx: {warning}"]
    with zipfile.ZipFile(io.BytesIO(cleaned.data)) as z:
        for name in z.namelist():
            assert hostile.SERVER.encode() not in z.read(name), name


# -- folders where a file is read ---------------------------------------------------------------
def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.own_session
def test_a_folder_in_place_of_each_cache_entry_is_a_miss_and_replaced(
    write_brief: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Python's file object refuses a folder with an exception of its own: that was a
    traceback. An empty folder where an entry goes is now a miss, and the entry is written."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    cache = tmp_path / "xdg" / "counterpoint"
    brief = write_brief()
    build(brief, tmp_path / "first", formats=["html"])
    entries = [p for p in cache.rglob("*") if p.is_file() and p.name != "key"]
    assert {p.parent.name for p in entries} == {"citeproc", "jinja"}
    for entry in entries:
        entry.unlink()
        entry.mkdir()
    # a build of its own (no session given) reads the compiled templates from the cache
    out = tmp_path / "out"
    (html,) = build(brief, out, formats=["html"])
    assert html.warnings == []
    assert (out / "brief.html").read_text() == (tmp_path / "first" / "brief.html").read_text()
    assert all(usercache.read(e) is not None for e in entries)  # files again, and good ones


def test_a_folder_named_as_a_style_is_one_located_error(
    write_brief: Callable[..., Path], tmp_path: Path
) -> None:
    brief = write_brief(MINIMAL.replace("date:", "csl: house.csl\ndate:"))
    (tmp_path / "house.csl").mkdir()
    code, _, stderr = run("build", str(brief), "-f", "html", "-o", str(tmp_path / "out"))
    assert code == 1
    assert stderr.splitlines()[0] == (
        f"{brief}:4:6: csl: 'house.csl' is not a regular file, so not a CSL style"
    )
    (tmp_path / "house.csl").rmdir()  # a dependent style whose parent is a folder
    (tmp_path / "house.csl").write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<style xmlns="http://purl.org/net/xbiblio/csl" '
        'class="note" version="1.0"><info><title>House</title><id>house</id>\n'
        '<link rel="independent-parent" href="parent.csl"/></info></style>\n'
    )
    (tmp_path / "parent.csl").mkdir()
    code, _, stderr = run("build", str(brief), "-f", "html", "-o", str(tmp_path / "out"))
    assert code == 1
    assert stderr.splitlines()[0] == (
        f"{tmp_path / 'house.csl'}:3:1: csl: its independent-parent: 'parent.csl' is not a "
        "regular file, so not a CSL style"
    )


# -- symbolic links that lead back to themselves ---------------------------------------------------
# Python 3.11's Path.resolve() raises RuntimeError on them: each was a traceback.
def _loop(path: Path) -> None:
    path.symlink_to(path.name)


def test_a_looping_bibliography_entry_or_style_is_one_located_error(
    write_brief: Callable[..., Path], tmp_path: Path
) -> None:
    _loop(tmp_path / "loop.yaml")
    brief = write_brief(MINIMAL.replace("[sources.yaml]", "[sources.yaml, loop.yaml]"))
    code, _, stderr = run("build", str(brief), "-f", "html", "-o", str(tmp_path / "out"))
    assert (code, stderr.splitlines()[0]) == (
        1,
        f"{brief}:5:30: bibliography[1]: 'loop.yaml' is a symbolic link that leads back to "
        "itself (a loop)",
    )
    _loop(tmp_path / "loop.csl")
    brief = write_brief(MINIMAL.replace("date:", "csl: loop.csl\ndate:"))
    code, _, stderr = run("validate", str(brief))
    assert (code, stderr.splitlines()[0]) == (
        1,
        f"{brief}:4:6: csl: 'loop.csl' is a symbolic link that leads back to itself",
    )
    (tmp_path / "house.csl").write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<style xmlns="http://purl.org/net/xbiblio/csl" '
        'class="note" version="1.0"><info><title>House</title><id>house</id>\n'
        '<link rel="independent-parent" href="loop.csl"/></info></style>\n'
    )
    brief = write_brief(MINIMAL.replace("date:", "csl: house.csl\ndate:"))
    code, _, stderr = run("build", str(brief), "-f", "html", "-o", str(tmp_path / "out"))
    assert (code, stderr.splitlines()[0]) == (
        1,
        f"{tmp_path / 'house.csl'}:3:1: csl: the style's independent-parent link names "
        "'loop.csl', a symbolic link that leads back to itself",
    )


def test_a_looping_image_snapshot_or_set_file_is_never_read_and_the_build_goes_on(
    write_brief: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    _loop(tmp_path / "loop.png")
    _loop(tmp_path / "loop.html")
    sets = tmp_path / "templates" / "mine"
    sets.mkdir(parents=True)
    (sets / "manifest.yaml").write_text("name: mine\nparent: analyst\naudience: mine\n")
    _loop(sets / "loop.css")
    snapshot = "    issued: 2025-03-14\n    snapshot: loop.html"
    write_brief(
        MINIMAL.replace("It is settled [@", 'It is ![x](loop.png) "settled and done" [@'),
        sources=SOURCES.replace("    issued: 2025-03-14", snapshot),
    )
    out = tmp_path / "out"
    code, stdout, stderr = run("build", "brief.yaml", "-f", "html", "-a", "mine", "-o", "out")
    assert code == 0, stderr
    assert stdout.startswith("wrote out/brief-mine.html")
    assert "warning: brief-mine.html: refused to load loop.png: a symbolic link that leads " \
        "back to itself" in stderr  # fmt: skip
    assert "cannot be checked: " in stderr and "loop.html is missing" in stderr
    assert (out / "brief-mine.html").exists()


def test_a_link_loop_anywhere_else_is_one_line_naming_the_link() -> None:
    """The last line of defence (the command line, each brief of a shelf, the preview): a
    loop that a path's resolve() meets where no check above looks."""
    loop = link_loop(RuntimeError("Symlink loop from '/somewhere/else/x.css'"))
    assert str(loop) == (
        "/somewhere/else/x.css: a symbolic link that leads back to itself (a loop); remove "
        "it, or point it at a file"
    )
    assert link_loop(RuntimeError("something else")) is None
    assert link_loop(ValueError("Symlink loop from 'x'")) is None


def test_a_style_nested_thousands_deep_is_one_located_error(
    write_brief: Callable[..., Path], tmp_path: Path
) -> None:
    """Its links removed, a style is written out again by ElementTree, which recurses:
    5,000 nested groups were a RecursionError."""
    groups = 5_000
    (tmp_path / "deep.csl").write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<style xmlns="http://purl.org/net/xbiblio/csl" '
        'class="note" version="1.0"><info><title>Deep</title><id>deep</id>'
        '<link rel="template" href="apa"/></info><citation><layout>\n'
        + "<group>" * groups
        + '<text variable="title"/>'
        + "</group>" * groups
        + "</layout></citation></style>\n"
    )
    brief = write_brief(MINIMAL.replace("date:", "csl: deep.csl\ndate:"))
    code, _, stderr = run("build", str(brief), "-f", "html", "-o", str(tmp_path / "out"))
    column = len("<group>") * 97 + 1  # the 101st element: <style>, <citation>, <layout>, 97
    assert (code, stderr.splitlines()[0]) == (
        1,
        f"{tmp_path / 'deep.csl'}:3:{column}: csl: elements are nested more than 100 deep; "
        "refusing (the official styles nest 19 deep at most)",
    )


# -- records and citations that Pandoc nests too deep ---------------------------------------------
def _json_records(tmp_path: Path, petrova: dict[str, object]) -> Path:
    import json

    records = [
        {"id": "lin-2024", "type": "report", "title": "M", "issued": {"date-parts": [[2024]]}},
        {"id": "petrova-2025", "type": "book", "issued": {"date-parts": [[2025]]}, **petrova},
    ]
    (tmp_path / "refs.json").write_text(json.dumps(records))
    return tmp_path / "refs.json"


@pytest.mark.parametrize(
    "petrova",
    [
        {"title": "<i>" * 600 + "x" + "</i>" * 600},
        {"title": "T", "container-title": "\"a 'a " * 300 + "x" + "'\"" * 300},
    ],
    ids=["markup", "quotation-marks"],
)
def test_a_record_nested_hundreds_deep_is_one_error_at_the_record(
    write_brief: Callable[..., Path], tmp_path: Path, petrova: dict[str, object]
) -> None:
    """Pandoc nests its result as deep as the record's markup or quotation marks, and
    Python's JSON reader stops a few hundred levels down: that was a RecursionError."""
    refs = _json_records(tmp_path, petrova)
    brief = write_brief(MINIMAL.replace("[sources.yaml]", "[refs.json]"))
    code, _, stderr = run("build", str(brief), "-f", "html", "-o", str(tmp_path / "out"))
    assert code == 1
    line = stderr.splitlines()[0]
    assert line.startswith(f"{refs}:1:") and "Traceback" not in stderr
    assert (
        line.endswith(" levels deep, and counterpoint reads a few hundred at most")
        and ": its text nests markup or quotation marks too deep: Pandoc's formatted citation is "
        in line
    )


def test_a_citation_quoted_hundreds_of_times_is_one_error_at_the_citation(
    write_brief: Callable[..., Path], tmp_path: Path
) -> None:
    quoted = "\"a 'a " * 300 + "x" + "'\"" * 300  # 1,200 marks: a RecursionError
    brief = write_brief(MINIMAL.replace("[@lin-2024, p. 4]", f"[{quoted} @lin-2024, p. 4]"))
    code, _, stderr = run("build", str(brief), "-f", "html", "-o", str(tmp_path / "out"))
    assert code == 1
    assert stderr.splitlines()[0].startswith(f"{brief}:17:")
    assert stderr.splitlines()[0].endswith(
        ": the citation's text around @lin-2024 has 1,200 quotation marks, emphasis marks and "
        "brackets, over the limit of 200; a citation's prefix and locator are short"
    )


# -- snapshots are never written through a link ---------------------------------------------------
@pytest.mark.parametrize("planted", ["file", "folder"])
def test_a_snapshot_is_never_written_through_a_planted_link(
    write_brief: Callable[..., Path], tmp_path: Path, planted: str
) -> None:
    """A project from elsewhere can ship `snapshots/ID.html` as a link to a file that does
    not exist yet (~/.config/autostart/x.desktop), or `snapshots/` as a link to a folder:
    `counterpoint snapshot` wrote the fetched (or imported) bytes there."""
    brief = write_brief()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    page = tmp_path / "saved.html"
    page.write_text("<html><body><p>Rivers, treaties and trade.</p></body></html>")
    snapshots = tmp_path / "snapshots"
    if planted == "file":
        snapshots.mkdir()
        (snapshots / "petrova-2025.html").symlink_to(elsewhere / "x.desktop")
    else:
        snapshots.symlink_to(elsewhere)
    code, stdout, stderr = run(
        "snapshot", str(brief), "--source", "petrova-2025", "--from", str(page)
    )
    assert list(elsewhere.iterdir()) == []
    if planted == "file":  # the link is left alone; the snapshot takes the next name
        assert code == 0, stderr
        assert (snapshots / "petrova-2025-2.html").read_text() == page.read_text()
        assert "snapshot: snapshots/petrova-2025-2.html" in stdout
    else:
        assert code == 1
        assert (
            f"{tmp_path / 'sources.yaml'}:2:5: petrova-2025: not archived: {snapshots} is a "
            "symbolic link or not a folder; snapshots are written only into a real folder "
            "beside the record (see docs/security.md)"
        ) in stdout + stderr


# -- output names: the print-html page is NAME.print.html ----------------------------------------
def _pair(tmp_path: Path) -> tuple[Path, Path]:
    from .conftest import SOURCES

    (tmp_path / "sources.yaml").write_text(SOURCES)
    for name in ("x.yaml", "x.print.yaml"):
        (tmp_path / name).write_text(MINIMAL)
    return tmp_path / "x.yaml", tmp_path / "x.print.yaml"


def test_a_brief_named_like_another_s_print_html_page_is_a_collision(tmp_path: Path) -> None:
    """x.yaml's print-html page and x.print.yaml's page are both out/x.print.html: 'wrote'
    was said twice for it, exit 0, and one was lost."""
    x, x_print = _pair(tmp_path)
    out = tmp_path / "out"
    code, stdout, stderr = run(
        "build", str(x), str(x_print), "-f", "html,print-html", "-o", str(out)
    )
    assert code == 1 and stdout == ""
    assert stderr.splitlines()[:2] == [
        f"{x} would write {out / 'x.print.html'}, as would {x_print}; rename one of them "
        "(neither was built)",
        f"{x_print} would write {out / 'x.print.html'}, as would {x}; rename one of them "
        "(neither was built)",
    ]
    assert not out.exists()


def test_a_print_html_page_another_brief_wrote_earlier_is_not_replaced(tmp_path: Path) -> None:
    x, x_print = _pair(tmp_path)
    out = tmp_path / "out"
    assert run("build", str(x_print), "-f", "html", "-o", str(out))[0] == 0
    page = (out / "x.print.html").read_bytes()
    code, _, stderr = run("build", str(x), "-f", "print-html", "-o", str(out))
    assert code == 1
    assert stderr.splitlines()[0] == (
        f"{x} would write {out / 'x.print.html'}, which {x_print} wrote; rename one of them "
        "(nothing was written)"
    )
    assert (out / "x.print.html").read_bytes() == page


def test_a_cache_folder_linked_out_of_the_cache_is_not_written_through(
    write_brief: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another user who can write the cache folder could link `citeproc/` to a folder of
    yours; entries were written there. Now one warning, and the build goes on."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    cache = tmp_path / "xdg" / "counterpoint"
    brief = write_brief()
    build(brief, tmp_path / "first", formats=["html"])  # the key and the folders are made
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.rmtree(cache / "citeproc")
    (cache / "citeproc").symlink_to(elsewhere)
    code, _, stderr = run("build", str(brief), "-f", "html", "-o", str(tmp_path / "out"))
    assert code == 0, stderr
    assert list(elsewhere.iterdir()) == []
    said = [line for line in stderr.splitlines() if "cannot be used" in line]
    assert said == [
        f"warning: brief.html: the cache folder {cache} cannot be used (a symbolic link that "
        f"leads out of the cache folder: {cache / 'citeproc'}); building without it"
    ]


def test_each_problem_of_a_bib_file_is_located_at_its_own_entry_in_one_pass(
    write_brief: Callable[..., Path], tmp_path: Path
) -> None:
    """Problems found in a .bib file's converted form are placed at their entries through
    one index of the entries: each problem used to walk every entry, so 5,000 of them took
    18 s and 80,000 (a 5 MB file) ran into the time limit. Repeated keys keep their order."""
    (tmp_path / "refs.bib").write_text(
        "@book{petrova-2025, title={T}, year=2025}\n@book{lin-2024, title={T}, year=2024}\n"
        "@misc{k1,title={t}}\n\n  @misc{k2,title={t}} @misc{k1,title={u}}\n"
    )
    brief = write_brief(MINIMAL.replace("[sources.yaml]", "[refs.bib]"))
    code, _, stderr = run("validate", str(brief))
    bib = tmp_path / "refs.bib"
    assert code == 1
    assert stderr.splitlines()[:3] == [
        f"{bib}:3:7: [2].type: is empty; expected text",
        f"{bib}:5:9: [3].type: is empty; expected text",
        f"{bib}:5:29: [4].type: is empty; expected text",
    ]
