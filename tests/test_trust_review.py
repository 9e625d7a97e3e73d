"""An adversarial review of issue 23: neighbours of its hostile inputs (Word templates,
styles, bibliographies, records, output trees, caches, preview requests), each found to get
past the first round's checks and kept out since."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from counterpoint import build, render, usercache
from counterpoint.cli import main
from counterpoint.docxpolicy import check_written, clean_reference

from . import hostile_docx as hostile
from .conftest import MINIMAL

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
    render._renderers.clear()  # as a new command: compiled templates read from the cache
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
