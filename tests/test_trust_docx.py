"""A template set's reference.docx is not trusted (issue 23, item 3): it is read under the
limits of a set file, cleaned before Pandoc reads it, and every .docx written is checked
again after Pandoc. The hostile files are made by tests/hostile_docx.py."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from counterpoint import CounterpointError, build
from counterpoint.publish.docx.policy import SAFE_FIELDS
from counterpoint.publish.docx.reference import Reference, clean_reference
from counterpoint.publish.docx.written import check_written
from counterpoint.render.templates import builtin_root

from . import hostile_docx as hostile
from .conftest import MINIMAL, need

LABEL = "templates/hostile/reference.docx"
SERVER = hostile.SERVER
REL_PART = re.compile(r"(?:^|/)_rels/[^/]+\.rels$")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """tmp_path as the working folder, with a set `hostile` (extends analyst) in templates/."""
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "templates" / "hostile"
    folder.mkdir(parents=True)
    (folder / "manifest.yaml").write_text("name: hostile\nparent: analyst\naudience: hostile\n")
    return tmp_path


def build_docx(project: Path, write_brief: Callable[..., Path], reference: bytes | None,
               brief: str = MINIMAL, out: str = "out") -> tuple[bytes, list[str]]:  # fmt: skip
    """Build the brief's Word edition with the hostile set; its bytes and warnings."""
    if reference is not None:
        (project / LABEL).write_bytes(reference)
    (output,) = build(write_brief(brief), project / out, formats=["docx"], audience="hostile",
                      force=True, memory_limit=0)  # fmt: skip
    return output.path.read_bytes(), output.warnings


def parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n) for n in z.namelist()}


def external_targets(data: bytes) -> list[tuple[str, str, str]]:
    """(relationships part, type, target) of every external relationship."""
    out = []
    for name, xml in parts(data).items():
        if REL_PART.search(name):
            for m in re.finditer(rb"<Relationship\b[^>]*>", xml):
                tag = m.group().decode()
                if 'TargetMode="External"' in tag:
                    kind = re.search(r'Type="[^"]*/([^"/]+)"', tag)
                    target = re.search(r'Target="([^"]*)"', tag)
                    out.append((name, kind[1] if kind else "", target[1] if target else ""))
    return out


def field_codes(data: bytes) -> list[str]:
    """Every field instruction: fldSimple's and the instrText of complex fields."""
    codes = []
    for name, xml in parts(data).items():
        if name.endswith(".xml"):
            text = xml.decode("utf-8")
            codes += re.findall(r'w:instr="([^"]*)"', text)
            codes += re.findall(r"<w:instrText[^>]*>([^<]*)</w:instrText>", text)
    return codes


def assert_inert(data: bytes) -> None:
    """What Word would follow on opening is gone: external relationships but web links,
    fetching fields, attached templates, frames, imported parts, macros, OLE, ActiveX."""
    for _, kind, target in external_targets(data):
        assert kind == "hyperlink" and target.startswith(("http:", "https:", "mailto:")), target
    for code in field_codes(data):
        name = code.split()[0].upper() if code.split() else ""
        assert name in ("TITLE", "PAGE", "NUMPAGES", "TOC"), code
    for name, xml in parts(data).items():
        assert SERVER.encode() not in xml, name
        assert b"file:" not in xml, name
        for element in (b"attachedTemplate", b"frameset", b"altChunk", b"mailMerge",
                        b"HyperlinkBase", b"OLEObject", b"w:control"):  # fmt: skip
            assert element not in xml, (name, element)
        assert not name.lower().endswith((".bin", ".mht", ".svg")) or name.startswith(
            "word/media/rId"
        ), name


# -- what is removed ---------------------------------------------------------------------------
@pytest.mark.parametrize("case", hostile.REMOVED)
def test_each_removable_case_is_removed_with_a_warning_naming_the_set_file(case: str) -> None:
    cleaned = clean_reference(hostile.removed_case(case), LABEL)
    assert cleaned.warnings, "a warning says what was removed"
    assert all(w.startswith(LABEL + ": word/") or w.startswith(LABEL + ": docProps/")
               for w in cleaned.warnings)  # fmt: skip
    for name, xml in parts(cleaned.data).items():
        assert SERVER.encode() not in xml, name
        assert b"file:" not in xml, name


def test_the_warnings_say_what_was_removed_and_where() -> None:
    warnings = clean_reference(hostile.everything_removable(), LABEL).warnings
    for line in [
        f"{LABEL}: word/settings.xml: removed an external relationship to {SERVER}/t.dotm "
        "(attachedTemplate)",
        f"{LABEL}: word/header1.xml: removed a field that loads a file or address, keeping "
        f'its text: INCLUDEPICTURE "{SERVER}/pixel.png" \\d',
        f"{LABEL}: word/header1.xml: removed a field that loads a file or address, keeping "
        'its text: INCLUDETEXT "file:///etc/passwd"',
        f"{LABEL}: word/header1.xml: removed a field that is not one counterpoint allows, "
        'keeping its text: {...} "file:///etc/passwd"',
        f"{LABEL}: word/header1.xml: removed a field that links to something other than an "
        'http:, https: or mailto: address, keeping its text: HYPERLINK "file:///etc/passwd"',
        f"{LABEL}: word/header1.xml: removed an external relationship to {SERVER}/vml.png (image)",
        f"{LABEL}: word/header1.xml: removed an external relationship to file:///etc/passwd "
        "(hyperlink)",
        f"{LABEL}: word/header1.xml: removed a relationship to chunk.mht (aFChunk)",
        f"{LABEL}: word/header1.xml: removed the link to {SERVER}/link.png: <v:imagedata> "
        "names it, which would load it when the file is opened (a link is only ever clicked)",
        f"{LABEL}: word/header1.xml: removed an external relationship to "
        "\\\\203.0.113.9\\share\\p.png (image)",
        f"{LABEL}: word/header1.xml: removed the image media/logo.svg: images in a "
        "reference.docx must be PNG, JPEG or GIF",
        f"{LABEL}: word/webSettings.xml: removed an external relationship to "
        f"{SERVER}/frame.html (frame)",
        f"{LABEL}: word/numbering.xml: removed an external relationship to {SERVER}/bullet.png "
        "(image)",
        f"{LABEL}: word/settings.xml: removed mail-merge settings (a data source and its query)",
        f"{LABEL}: docProps/app.xml: removed the base address of relative links (HyperlinkBase)",
    ]:
        assert line in warnings


def test_a_warning_shows_control_and_format_characters_escaped() -> None:
    """A target written to mislead the terminal (a right-to-left override) is shown as
    an escape, on one line."""
    target = f"{SERVER}/\u202egpj.exe\n\tx"
    cleaned = clean_reference(
        hostile.package(
            {**hostile.base_parts(), "word/_rels/header1.xml.rels": hostile.rels(
                ("rIdQ", "image", target.replace("\n", "&#10;").replace("\t", "&#9;"), True)
            )}
        ),
        LABEL,
    )  # fmt: skip
    assert cleaned.warnings == [
        f"{LABEL}: word/header1.xml: removed an external relationship to "
        f"{SERVER}/\\u202egpj.exe x (image)"
    ]


def test_a_header_whose_only_content_was_removed_keeps_a_paragraph() -> None:
    """Word needs a paragraph in a header and at the end of a table cell."""
    header = hostile.header("").decode()
    header = header[: header.index("<w:p>")] + '<w:altChunk r:id="rIdA"/></w:hdr>'
    cleaned = clean_reference(
        hostile.package({**hostile.base_parts(), "word/header1.xml": header.encode()}), LABEL
    )
    assert re.search(
        r"<w:hdr [^>]*><w:p/></w:hdr>", parts(cleaned.data)["word/header1.xml"].decode()
    )


def test_no_external_relationship_or_fetching_field_reaches_the_docx(
    project: Path, write_brief: Callable[..., Path]
) -> None:
    data, warnings = build_docx(project, write_brief, hostile.everything_removable())
    assert_inert(data)
    assert f"{LABEL}: word/settings.xml: removed an external relationship to {SERVER}/t.dotm " \
        "(attachedTemplate)" in warnings  # fmt: skip
    header = parts(data)["word/header1.xml"].decode()
    # what is kept: the link to the web, the header's own fields, a removed field's text
    assert ("word/_rels/header1.xml.rels", "hyperlink", "https://example.org/page") in \
        external_targets(data)  # fmt: skip
    assert "the web" in header and "local file" in header
    assert "Test brief" in header  # the TITLE field's result, the brief's title
    for text in ("passwd", "fetched", "picture", "nested", "open"):
        assert f">{text}<" in header, text
    logo = parts(data)["word/_rels/header1.xml.rels"].decode()
    assert "media/logo.png" in logo and "logo.svg" not in logo
    assert "svgBlip" not in header and '<a:blip r:embed="rIdP">' in header  # the PNG stays
    import docx  # python-docx reads the cleaned package as Word's parts and relationships

    document = docx.Document(io.BytesIO(data))
    text = "".join(p.text for p in document.sections[0].header.paragraphs)
    assert "Test brief" in text and "the web" in text


def test_the_docx_is_checked_after_pandoc_on_its_own(
    project: Path, write_brief: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Defence in depth: with the reference.docx handed to Pandoc uncleaned, the check
    after Pandoc still removes what Pandoc copied from it, naming the set file."""
    from counterpoint.publish.docx import setfiles

    def uncleaned(data: bytes, label: str) -> Reference:
        return Reference(data, "16cm", [], label)

    monkeypatch.setattr(setfiles, "clean_reference", uncleaned)
    data, warnings = build_docx(project, write_brief, hostile.everything_removable())
    assert_inert(data)
    for line in [
        f"{LABEL}: word/settings.xml: removed an external relationship to {SERVER}/t.dotm "
        "(attachedTemplate)",
        f"{LABEL}: word/webSettings.xml: removed an external relationship to "
        f"{SERVER}/frame.html (frame)",
        f"{LABEL}: word/header1.xml: removed a field that loads a file or address, keeping "
        'its text: INCLUDETEXT "file:///etc/passwd"',
    ]:
        assert line in warnings
    assert "word/media/logo.svg" not in parts(data)  # never referenced: dropped with its rels

    # and a package holding active content is refused, not cleaned
    with pytest.raises(CounterpointError) as caught:
        check_written(hostile.refused_case("dde"), "out/x.docx")
    assert str(caught.value).startswith(
        "out/x.docx: word/header1.xml: a field that runs a program (DDEAUTO "
    )


def test_links_in_the_brief_to_the_web_survive(
    project: Path, write_brief: Callable[..., Path]
) -> None:
    brief = MINIMAL.replace(
        "It is settled [@petrova-2025, para. 2].",
        "It is [settled](https://example.org/settled) [@petrova-2025, para. 2], "
        "see the [annex](annex/notes.pdf), [write](mailto:desk@example.org).",
    )
    data, warnings = build_docx(project, write_brief, None, brief)
    targets = [t for _, _, t in external_targets(data)]
    assert "https://example.org/settled" in targets and "mailto:desk@example.org" in targets
    assert "annex/notes.pdf" not in targets  # the Word edition has only web links (pandocast)
    assert warnings == []


def test_the_check_after_pandoc_removes_other_links_keeping_their_text(
    project: Path, write_brief: Callable[..., Path]
) -> None:
    """Should a link to a file or a share reach the document (the brief's links are made
    web-only before Pandoc), the check after Pandoc unlinks it."""
    data, _ = build_docx(project, write_brief, None)
    package = parts(data)
    rels = package["word/_rels/document.xml.rels"].decode()
    package["word/_rels/document.xml.rels"] = rels.replace(
        "</Relationships>",
        '<Relationship Id="rIdShare" Type="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships/hyperlink" Target="\\\\198.51.100.7\\share" '
        'TargetMode="External"/></Relationships>',
    ).encode()
    body = package["word/document.xml"].decode()
    package["word/document.xml"] = body.replace(
        "<w:body>",
        '<w:body><w:p><w:hyperlink r:id="rIdShare"><w:r><w:t>the share</w:t></w:r>'
        "</w:hyperlink></w:p>",
        1,
    ).encode()
    drawn = [v for k, v in package.items() if k.endswith(".svg")]  # the balance chart
    cleaned, warnings = check_written(hostile.package(package), LABEL, drawn)
    assert warnings == [
        "removed the link to \\\\198.51.100.7\\share, keeping its text: the Word edition "
        "links only to http:, https: and mailto: addresses (see docs/word.md)"
    ]
    body = parts(cleaned)["word/document.xml"].decode()
    assert "<w:p><w:r><w:t>the share</w:t></w:r></w:p>" in body
    assert "198.51.100.7" not in parts(cleaned)["word/_rels/document.xml.rels"].decode()


def test_a_cleaned_set_gives_the_same_bytes_every_build(
    project: Path, write_brief: Callable[..., Path]
) -> None:
    first, _ = build_docx(project, write_brief, hostile.everything_removable(), out="one")
    second, _ = build_docx(project, write_brief, None, out="two")
    assert first == second


def test_the_built_in_reference_docx_files_need_no_cleaning() -> None:
    for name in ("base", "executive"):
        path = builtin_root() / name / "reference.docx"
        assert clean_reference(path.read_bytes(), str(path)).warnings == []


def test_what_pandoc_does_not_use_is_left_out_without_a_word() -> None:
    """A chart's workbook in the body, a stale content type, a FILENAME field in the
    footer: nothing Word would follow reaches the .docx, so nothing is said."""
    parts_ = hostile.base_parts()
    parts_["word/_rels/document.xml.rels"] = parts_["word/_rels/document.xml.rels"].replace(
        b"</Relationships>",
        b'<Relationship Id="rIdC" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/package" Target="embeddings/Book1.xlsx"/></Relationships>',
    )
    parts_["word/embeddings/Book1.xlsx"] = b"PK"
    parts_["[Content_Types].xml"] = parts_["[Content_Types].xml"].replace(
        b"</Types>",
        b'<Default Extension="bin" ContentType="application/vnd.openxmlformats-officedocument.'
        b'oleObject"/></Types>',
    )
    footer = parts_["word/footer1.xml"].decode()
    parts_["word/footer1.xml"] = footer.replace(
        "</w:ftr>", hostile.field(" FILENAME \\p ", "reference.docx") + "</w:ftr>"
    ).encode()
    cleaned = clean_reference(hostile.package(parts_), LABEL)
    assert cleaned.warnings == []
    assert " FILENAME \\p " in parts(cleaned.data)["word/footer1.xml"].decode()
    assert not any("embeddings" in name for name in parts(cleaned.data))


def test_the_security_page_names_every_field_refused_or_removed_by_name() -> None:
    from counterpoint.publish.docx import policy as docxpolicy

    page = (Path(__file__).parent.parent / "docs" / "security.md").read_text(encoding="utf-8")
    section = page[page.index("### The Word edition") : page.index("### No running code")]
    for name in sorted(docxpolicy.RUNNING_FIELDS | docxpolicy.LOADING_FIELDS):
        assert f"`{name}`" in section, name
    assert "`docxpolicy.SAFE_FIELDS`" in section


RUNS = [
    '<w:r><w:fldChar w:fldCharType="begin"/></w:r>',
    '<w:r><w:fldChar w:fldCharType="separate"/></w:r>',
    '<w:r><w:fldChar w:fldCharType="end"/></w:r>',
    '<w:r><w:instrText xml:space="preserve"> INCLUDETEXT "file:///etc/passwd" </w:instrText></w:r>',
    f'<w:r><w:instrText xml:space="preserve"> INCLUDEPICTURE "{SERVER}/p.png" </w:instrText></w:r>',
    '<w:r><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>',
    '<w:r><w:instrText xml:space="preserve"> "file:///etc/passwd" </w:instrText></w:r>',
    "<w:r><w:instrText>INCLUDE</w:instrText><w:instrText>TEXT x</w:instrText></w:r>",
    "<w:r><w:t>text</w:t></w:r>",
    "<w:fldSimple w:instr=\"INCLUDETEXT 'x'\"><w:r><w:t>simple</w:t></w:r></w:fldSimple>",
    '<w:hyperlink r:id="rIdL1"><w:r><w:t>link</w:t></w:r></w:hyperlink>',
]


def _field_keywords(xml: str) -> list[str]:
    """The keyword of every field in a part, read as Word reads them: a complex field's
    instruction runs from its begin to its separate (nested fields aside)."""
    keywords, stack = [], []
    tokens = r'fldCharType="(begin|separate|end)"|<w:instrText[^>]*>([^<]*)<|w:instr="([^"]*)"'
    for mark, text, simple in re.findall(tokens, xml):
        if simple:
            keywords.append((simple.split() or [""])[0].upper())
        elif mark == "begin":
            if stack and stack[-1] is not None:
                stack[-1].append("\0")
            stack.append([])
        elif mark == "separate" and stack:
            instruction = "".join(stack[-1] or [])
            keywords.append((instruction.split() or [""])[0].upper())
            stack[-1] = None
        elif mark == "end" and stack:
            top = stack.pop()
            if top is not None:
                keywords.append(("".join(top).split() or [""])[0].upper())
        elif text and stack and stack[-1] is not None:
            stack[-1].append(text)
        elif text:
            keywords.append("(stray)")
    keywords += [("".join(t).split() or [""])[0].upper() for t in stack if t is not None]
    return [k for k in keywords if k]


@settings(max_examples=60, deadline=None, database=None)
@given(st.lists(st.lists(st.sampled_from(RUNS), max_size=12), min_size=1, max_size=4))
def test_fields_in_any_arrangement_leave_only_allowed_ones(paragraphs: list[list[str]]) -> None:
    """Field characters in any order, nested, unclosed or split across paragraphs: what
    is left is only fields on the list, and cleaning it again finds nothing."""
    body = "".join("<w:p>" + "".join(runs) + "</w:p>" for runs in paragraphs)
    reference = hostile.package(
        {**hostile.base_parts(), "word/header1.xml": hostile.header(body),
         "word/_rels/header1.xml.rels": hostile.rels(("rIdL1", "hyperlink", "file:///x", True))}
    )  # fmt: skip
    cleaned = clean_reference(reference, LABEL)
    header = parts(cleaned.data)["word/header1.xml"].decode()
    assert all(keyword in SAFE_FIELDS for keyword in _field_keywords(header)), header
    assert "file:///x" not in parts(cleaned.data).get("word/_rels/header1.xml.rels", b"").decode()
    again = clean_reference(cleaned.data, LABEL)
    assert again.warnings == []
    assert parts(again.data)["word/header1.xml"] == parts(cleaned.data)["word/header1.xml"]


# -- what is refused -----------------------------------------------------------------------------
REFUSALS = {
    "macros": "word/vbaProject.bin: macros (VBA)",
    "activex": "word/_rels/header1.xml.rels: an ActiveX control (activeX/activeX1.xml)",
    "activex-element": "word/header1.xml: an ActiveX control",
    "ole-object": f"word/_rels/header1.xml.rels: an OLE object ({SERVER}/x.sct)",
    "dde": "word/header1.xml: a field that runs a program (DDEAUTO c:\\\\windows\\\\system32"
    '\\\\cmd.exe "/k calc.exe")',
    "form-macro": "word/header1.xml: a macro run by a form field",
}
ACTIVE = (
    "; a Word file counterpoint uses or writes holds no macros, ActiveX controls, OLE objects "
    "or fields that run programs (see docs/security.md)"
)


@pytest.mark.parametrize("case", list(hostile.REFUSED))
def test_active_content_is_refused_in_one_line(
    case: str, project: Path, write_brief: Callable[..., Path]
) -> None:
    with pytest.raises(CounterpointError) as caught:
        build_docx(project, write_brief, hostile.refused_case(case))
    assert str(caught.value) == f"{LABEL}: {REFUSALS[case]}{ACTIVE}"
    assert not any(project.glob("out/*.docx"))


def test_the_command_line_says_a_refusal_in_one_line_and_warns_of_removals(
    project: Path, write_brief: Callable[..., Path]
) -> None:
    from click.testing import CliRunner

    from counterpoint.cli.main import main

    brief = write_brief()
    args = ["build", str(brief.name), "-a", "hostile", "-f", "docx", "-o", "out"]
    (project / LABEL).write_bytes(hostile.refused_case("macros"))
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    assert result.output == f"{LABEL}: {REFUSALS['macros']}{ACTIVE}\n1 of 1 brief(s) failed\n"

    (project / LABEL).write_bytes(hostile.removed_case("attached-template"))
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0
    assert (
        f"warning: brief-hostile.docx: {LABEL}: word/settings.xml: removed an external "
        f"relationship to {SERVER}/t.dotm (attachedTemplate)\n"
    ) in result.output


def test_a_zip_bomb_is_refused_before_it_is_unpacked(
    project: Path, write_brief: Callable[..., Path]
) -> None:
    bomb = hostile.zip_bomb(32 * 1024 * 1024)
    assert len(bomb) < 64 * 1024
    with pytest.raises(CounterpointError) as caught:
        build_docx(project, write_brief, bomb)
    assert re.fullmatch(
        re.escape(f"{LABEL}: word/document.xml: unpacks ")
        + r"1,0\d\d times its packed size "
        + re.escape(f"({33_554_432 + 173:,} bytes); the limit is 100 (a zip bomb?) ")
        + re.escape("(see docs/security.md)"),
        str(caught.value),
    )


PACKAGES = {
    "lying-size": (hostile.lying_size, "word/styles.xml: damaged: Bad CRC-32 for file "
                   "'word/styles.xml'"),
    "many-members": (hostile.many_members, "its zip directory lists 1,001 parts in 66,901 "
                     "bytes, over the limit of 1,000 parts for a Word file (see docs/security.md)"),
    "duplicate-names": (hostile.duplicate_names, "WORD/styles.xml: the package holds two parts "
                        "of this name; readers would disagree on which is meant (see "
                        "docs/security.md)"),
    "traversal": (hostile.traversal, "part name '../../evil.xml' leaves the package (see "
                  "docs/security.md)"),
    "billion-laughs": (hostile.billion_laughs, "word/styles.xml: a DTD (<!DOCTYPE>); the parts "
                       "of a Word file have none (see docs/security.md)"),
    "not-a-zip": (lambda: b"PK\x03\x04 not really", "not a Word file (.docx): no zip directory"),
    "header-outside": (
        lambda: _header_at("../../../etc/passwd.xml"),
        "word/_rels/document.xml.rels: a header at '../../../etc/passwd.xml', which is not a "
        "part in word/ (see docs/security.md)",
    ),
    "header-over-the-body": (
        lambda: _header_at("document.xml"),
        "word/_rels/document.xml.rels: a header at 'document.xml', a part Pandoc writes itself "
        "(see docs/security.md)",
    ),
}  # fmt: skip


def _header_at(target: str) -> bytes:
    parts_ = hostile.base_parts()
    rels = parts_["word/_rels/document.xml.rels"].decode()
    parts_["word/_rels/document.xml.rels"] = rels.replace(
        'Target="header1.xml"', f'Target="{target}"'
    ).encode()
    return hostile.package(parts_)


@pytest.mark.parametrize("case", list(PACKAGES))
def test_a_package_built_to_exhaust_or_confuse_readers_is_refused(case: str) -> None:
    make, message = PACKAGES[case]
    with pytest.raises(CounterpointError) as caught:
        clean_reference(make(), LABEL)
    assert str(caught.value) == f"{LABEL}: {message}"


def test_the_body_is_read_only_up_to_its_first_section() -> None:
    """Pandoc takes the page from the first section's properties; what follows them is
    never read (here: not even XML), and the text width comes from that section."""
    parts_ = hostile.base_parts()
    section = (
        '<w:sectPr><w:pgSz w:w="12240" w:h="15840"/><w:pgMar w:top="1440" w:right="1800" '
        'w:bottom="1440" w:left="1800"/></w:sectPr>'
    )
    parts_["word/document.xml"] = (
        '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
        f'wordprocessingml/2006/main"><w:body><w:p><w:pPr>{section}</w:pPr></w:p>'
    ).encode() + b"<<<" * 100_000
    cleaned = clean_reference(hostile.package(parts_), LABEL)
    assert cleaned.width == f"{(12240 - 3600) / 567:.2f}cm"
    assert b'w:w="12240"' in parts(cleaned.data)["word/document.xml"]


# -- links and files that are not files -----------------------------------------------------------
def test_a_reference_docx_linking_outside_its_set_is_refused(
    project: Path, write_brief: Callable[..., Path], tmp_path_factory: pytest.TempPathFactory
) -> None:
    outside = tmp_path_factory.mktemp("elsewhere") / "reference.docx"
    outside.write_bytes(hostile.removed_case("links"))
    (project / LABEL).symlink_to(outside)
    with pytest.raises(CounterpointError) as caught:
        build_docx(project, write_brief, None)
    assert str(caught.value) == (
        f"{LABEL} links to a file outside its template set; refusing (see docs/security.md)"
    )


def test_a_link_inside_the_set_is_followed(project: Path, write_brief: Callable[..., Path]) -> None:
    executive = (builtin_root() / "executive" / "reference.docx").read_bytes()
    copied, _ = build_docx(project, write_brief, executive, out="copied")
    (project / LABEL).unlink()
    (project / "templates/hostile/x.docx").write_bytes(executive)
    (project / LABEL).symlink_to("x.docx")
    linked, _ = build_docx(project, write_brief, None, out="linked")
    assert linked == copied


def test_a_reference_docx_that_is_not_a_regular_file_is_refused(
    project: Path, write_brief: Callable[..., Path]
) -> None:
    os.mkfifo(project / LABEL)
    with pytest.raises(CounterpointError) as caught:
        build_docx(project, write_brief, None)
    assert str(caught.value) == f"{LABEL} is not a regular file; refusing (see docs/security.md)"


# -- Word can still open it ----------------------------------------------------------------------
@pytest.mark.pdf  # LibreOffice lays out the cleaned .docx
@pytest.mark.slow
def test_libreoffice_opens_the_cleaned_docx(
    project: Path, write_brief: Callable[..., Path]
) -> None:
    need(bool(shutil.which("soffice")), "LibreOffice")
    from pypdf import PdfReader

    data, _ = build_docx(project, write_brief, hostile.everything_removable())
    (project / "cleaned.docx").write_bytes(data)
    subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation=file://{project}/lo",
         "--convert-to", "pdf", "--outdir", str(project), str(project / "cleaned.docx")],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    text = "\n".join(p.extract_text() for p in PdfReader(project / "cleaned.pdf").pages)
    assert "Is it settled?" in text and "the web" in text
