"""Template sets from elsewhere: a broken one does not stop the others, and a set that
hides a built-in one says so."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from counterpoint import BuildError, CounterpointError, build
from counterpoint.brief.sections import ALL_SECTIONS
from counterpoint.cli.main import main


def _set(root: Path, name: str, manifest: str) -> None:
    (root / name).mkdir(parents=True)
    (root / name / "manifest.yaml").write_text(manifest, encoding="utf-8")


def test_a_broken_set_is_skipped_by_audience_all_and_said(
    write_brief: Callable[..., Path], tmp_path: Path
) -> None:
    sets = tmp_path / "sets"
    _set(sets, "broken", "name: broken\nparent: nowhere\naudience: broken\n")
    _set(sets, "typo", "name: typo\nparnet: base\n")
    outputs = build(write_brief(), tmp_path / "out", formats=["html"], audience="all",
                    templates=sets)  # fmt: skip
    assert sorted(o.audience for o in outputs) == ["analyst", "compare", "executive", "public"]
    skipped = [w for w in outputs[0].warnings if "skipped" in w]
    assert skipped == [
        f"template set in {sets / 'broken'} skipped: no template set named 'nowhere'; "
        f"searched {sets}, " + skipped[0].split("searched ")[1].split(", ", 1)[1],
        f"template set in {sets / 'typo'} skipped: {sets / 'typo' / 'manifest.yaml'}:2:1: "
        "parnet: unknown key (did you mean 'parent'?)",
    ]


def test_naming_a_broken_set_still_fails_with_its_error(
    write_brief: Callable[..., Path], tmp_path: Path
) -> None:
    sets = tmp_path / "sets"
    _set(sets, "typo", "name: typo\nparnet: base\n")
    with pytest.raises(CounterpointError) as info:
        build(write_brief(), tmp_path / "out", formats=["html"], audience="typo", templates=sets)
    assert "parnet: unknown key (did you mean 'parent'?)" in str(info.value)


def test_templates_list_reports_a_broken_set_and_lists_the_rest(tmp_path: Path) -> None:
    sets = tmp_path / "sets"
    _set(sets, "typo", "name: typo\nparnet: base\n")
    result = CliRunner().invoke(main, ["templates", "list", "--templates", str(sets)])
    assert result.exit_code == 0
    assert "analyst" in result.output and "executive" in result.output
    assert "skipped" in result.output and "parnet: unknown key" in result.output


def test_a_set_that_hides_a_built_in_gets_a_warning(
    write_brief: Callable[..., Path], tmp_path: Path
) -> None:
    sets = tmp_path / "sets"
    _set(sets, "analyst", "name: analyst\nparent: base\naudience: analyst\n")
    (html,) = build(write_brief(), tmp_path / "out", formats=["html"], templates=sets)
    assert html.warnings[0] == (
        f"template set 'analyst' in {sets / 'analyst'} hides the built-in set of that name "
        "(give it another name, or `parent: analyst` to extend the built-in)"
    )
    extended = tmp_path / "ext"
    _set(extended, "analyst", "name: analyst\nparent: analyst\n")  # the documented way
    (html,) = build(write_brief(), tmp_path / "out2", formats=["html"], templates=extended)
    assert not any("hides the built-in" in w for w in html.warnings)


def test_the_template_reference_page_is_current() -> None:
    """docs/template-reference.md is `templates show` for the built-in sets, read from the
    templates themselves (regenerate: python tools/make_template_reference.py)."""
    from counterpoint.render.setinfo import builtin_sets, reference

    from .conftest import ROOT

    page = (ROOT / "docs" / "template-reference.md").read_text(encoding="utf-8")
    assert page == reference(builtin_sets())


def test_templates_show_names_files_blocks_and_properties(tmp_path: Path) -> None:
    sets = tmp_path / "sets"
    _set(sets, "ministry", "name: ministry\nparent: analyst\ncss: [ministry.css]\n")
    (sets / "ministry" / "ministry.css").write_text(":root { --accent: #7a0019; }\n")
    (sets / "ministry" / "sections").mkdir()
    (sets / "ministry" / "sections" / "title.html").write_text(
        '{% extends "!base/sections/title.html" %}{% block title_block %}x{% endblock %}'
    )
    result = CliRunner().invoke(main, ["templates", "show", "ministry", "-t", str(sets)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[1].startswith(f"chain: ministry ({sets / 'ministry'}) <- analyst (")
    title = lines.index(next(x for x in lines if x.strip().startswith("sections/title.html")))
    assert lines[title].split() == ["sections/title.html", "ministry", "replaces", "base's"]
    assert lines[title + 1].split() == ["blocks:", "title_block"]
    accent = [x.split() for x in lines if x.strip().startswith("--accent ")]
    assert accent[-1] == ["--accent", "#7a0019", "(ministry/ministry.css,", ":root)"]  # wins


def test_set_data_reaches_templates_and_the_brief_overrides_it(
    write_brief: Callable[..., Path], tmp_path: Path
) -> None:
    from .conftest import MINIMAL

    sets = tmp_path / "sets"
    _set(
        sets, "ministry",
        "name: ministry\nparent: analyst\naudience: ministry\n"
        "data: {classification: RESTRICTED, distribution: [Minister, Cabinet Office]}\n",
    )  # fmt: skip
    (sets / "ministry" / "sections").mkdir()
    (sets / "ministry" / "sections" / "title.html").write_text(
        '{% extends "!base/sections/title.html" %}{% block title_block %}'
        '<p class="class">{{ set_data.classification }}</p>'
        "<ul>{% for d in set_data.distribution %}<li>{{ d }}</li>{% endfor %}</ul>"
        "{{ super() }}{% endblock %}"
    )
    brief = write_brief(MINIMAL + "audiences:\n  ministry:\n    data: {classification: OFFICIAL}\n")
    (html,) = build(brief, tmp_path / "out", formats=["html"], audience="ministry",
                    templates=sets)  # fmt: skip
    assert html.warnings == []
    page = html.path.read_text(encoding="utf-8")
    assert '<p class="class">OFFICIAL</p>' in page  # the brief's value wins
    assert "<li>Minister</li><li>Cabinet Office</li>" in page  # the set's stays


def test_a_set_format_version_counterpoint_does_not_read_is_refused(
    write_brief: Callable[..., Path], tmp_path: Path
) -> None:
    sets = tmp_path / "sets"
    _set(sets, "future", "name: future\nformat: 3\nparent: analyst\naudience: future\n")
    with pytest.raises(CounterpointError) as info:
        build(write_brief(), tmp_path / "out", formats=["html"], audience="future",
              templates=sets)  # fmt: skip
    assert "format: '3' is not a set format version" in str(info.value)


def test_a_child_stylesheet_named_like_its_parents_gets_a_warning(
    write_brief: Callable[..., Path], tmp_path: Path
) -> None:
    """A child's print.css replaces the parent's whole file (footnotes ran inline, margins
    and page numbers vanished) unless the child lists it: say so."""
    sets = tmp_path / "sets"
    _set(sets, "house", "name: house\nparent: analyst\naudience: house\n")
    (sets / "house" / "print.css").write_text("body { color: navy }\n")
    (html,) = build(write_brief(), tmp_path / "out", formats=["html"], audience="house",
                    templates=sets)  # fmt: skip
    assert html.warnings[0] == (
        f"template set 'house': {sets / 'house' / 'print.css'} replaces base's print.css "
        "whole; give your CSS its own name and list it under css: in the manifest to add to "
        "the parent's"
    )
    listed = tmp_path / "listed"  # a set that lists its own css: no warning
    _set(listed, "house", "name: house\nparent: analyst\naudience: house\ncss: [house.css]\n")
    (listed / "house" / "house.css").write_text("body { color: navy }\n")
    (html,) = build(write_brief(), tmp_path / "out2", formats=["html"], audience="house",
                    templates=listed)  # fmt: skip
    assert not any("replaces" in w for w in html.warnings)


def test_a_child_overrides_one_block_of_a_built_in_section(
    write_brief: Callable[..., Path], tmp_path: Path
) -> None:
    """Every built-in section is a named block with a named heading block: a child set
    changes one heading and keeps following the built-in section's other markup."""
    sets = tmp_path / "sets"
    _set(sets, "house", "name: house\nparent: analyst\naudience: house\n")
    (sets / "house" / "sections").mkdir()
    (sets / "house" / "sections" / "summary.html").write_text(
        '{% extends "!base/sections/summary.html" %}'
        "{% block summary_heading %}<h2>Key message</h2>{% endblock %}"
    )
    (html,) = build(write_brief(), tmp_path / "out", formats=["html"], audience="house",
                    templates=sets)  # fmt: skip
    page = html.path.read_text(encoding="utf-8")
    summary = page[page.index('<section id="summary"') :].split("</section>", 1)[0]
    assert "<h2>Key message</h2>" in summary and "Bottom line" not in summary
    assert "It is settled" in summary  # the rest of the built-in section, unchanged


def test_a_block_no_parent_template_has_is_a_located_warning(
    write_brief: Callable[..., Path], tmp_path: Path
) -> None:
    """A typo in a block name (`sumary_heading`) dropped the override without a word."""
    sets = tmp_path / "sets"
    _set(sets, "house", "name: house\nparent: analyst\naudience: house\n")
    (sets / "house" / "sections").mkdir()
    summary = sets / "house" / "sections" / "summary.html"
    summary.write_text(
        '{% extends "!base/sections/summary.html" %}\n'
        "{% block sumary_heading %}<h2>Key message</h2>{% endblock %}\n"
    )
    (html,) = build(write_brief(), tmp_path / "out", formats=["html"], audience="house",
                    templates=sets)  # fmt: skip
    assert html.warnings == [
        f"{summary}:2:4: block 'sumary_heading' is not in !base/sections/summary.html (nor in "
        "what it extends), so it is never shown (did you mean 'summary_heading'?)"
    ]


def test_a_set_data_key_typo_names_the_closest_key(
    write_brief: Callable[..., Path], tmp_path: Path
) -> None:
    sets = tmp_path / "sets"
    _set(sets, "house", "name: house\nparent: analyst\naudience: house\n"
         "data: {classification: OFFICIAL}\n")  # fmt: skip
    (sets / "house" / "sections").mkdir()
    title = sets / "house" / "sections" / "title.html"
    title.write_text(
        '{% extends "!base/sections/title.html" %}\n'
        "{% block title_block %}{{ set_data.clasification }}{% endblock %}\n"
    )
    with pytest.raises(CounterpointError) as info:
        build(write_brief(), tmp_path / "out", formats=["html"], audience="house",
              templates=sets)  # fmt: skip
    assert (
        str(info.value)
        .splitlines()[-1]
        .endswith(
            f"{title}:2: set_data has no key 'clasification' (did you mean 'classification'?); "
            "the set's data keys: classification"
        )
    )


def test_data_and_label_keys_nothing_uses_are_located_warnings(
    write_brief: Callable[..., Path], tmp_path: Path
) -> None:
    sets = tmp_path / "sets"
    manifest = (
        "name: house\nparent: analyst\naudience: house\n"
        "data:\n  classification: OFFICIAL\n  distribuion: [Minister]\n"
        "labels:\n  Bottom line: Summary\n  Botom line: In short\n"
    )
    _set(sets, "house", manifest)
    (sets / "house" / "sections").mkdir()
    (sets / "house" / "sections" / "title.html").write_text(
        '{% extends "!base/sections/title.html" %}\n'
        "{% block title_block %}{{ set_data.classification }}{{ super() }}{% endblock %}\n"
    )
    (html,) = build(write_brief(), tmp_path / "out", formats=["html"], audience="house",
                    templates=sets)  # fmt: skip
    where = sets / "house" / "manifest.yaml"
    assert html.warnings == [
        f"{where}:6:3: data.distribuion: no template of set 'house' uses it "
        "(as set_data.distribuion)",
        f"{where}:9:3: labels.Botom line: no text of set 'house' or of counterpoint has this "
        "English wording, so the label is never shown (did you mean 'Bottom line'?)",
    ]
    page = html.path.read_text(encoding="utf-8")
    assert "<h2>Summary</h2>" in page and "OFFICIAL" in page


def test_an_option_given_twice_is_an_error(tmp_path: Path) -> None:
    """`--templates a --templates b` built with b alone; now it says so and stops."""
    result = CliRunner().invoke(
        main, ["templates", "show", "analyst", "-t", str(tmp_path), "--templates", "other"]
    )
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == (
        f"Error: --templates given twice ('{tmp_path}', then 'other'); give it once"
    )


def test_templates_show_lists_set_data_and_labels(tmp_path: Path) -> None:
    sets = tmp_path / "sets"
    _set(sets, "house", "name: house\nparent: analyst\n"
         "data: {classification: OFFICIAL}\nlabels: {Bottom line: Summary}\n")  # fmt: skip
    result = CliRunner().invoke(main, ["templates", "show", "house", "-t", str(sets)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "data (set_data): classification='OFFICIAL'" in lines
    assert "labels: 'Bottom line' -> 'Summary'" in lines
    assert f"warning: {sets / 'house' / 'manifest.yaml'}:3:8: data.classification: no template " \
        "of set 'house' uses it (as set_data.classification)" in lines  # fmt: skip


def _think_tank(root: Path) -> None:
    """A set that adds a colophon section (format 2), and a grandchild that extends it."""
    _set(root, "think-tank",
         "format: 2\nname: think-tank\nparent: analyst\naudience: think-tank\n"
         "new-sections:\n  colophon: {title: Colophon}\n"
         "sections: [title, summary, contents, views, contested, judgments, notes, colophon]\n"
         "data: {publisher: Northern Institute}\n")  # fmt: skip
    (root / "think-tank" / "sections").mkdir()
    (root / "think-tank" / "sections" / "colophon.html").write_text(
        '<section id="colophon">\n'
        '{% block colophon_heading %}<h2>{{ _("Colophon") }}</h2>{% endblock %}\n'
        '<div data-custom-style="Colophon"><p>{% block colophon_text %}Published by '
        "{{ set_data.publisher }}.{% endblock %}</p></div>\n</section>\n"
    )
    _set(root, "memo", "name: memo\nparent: think-tank\naudience: memo\n"
         "sections: [title, colophon, summary, views, contested, judgments, notes]\n")  # fmt: skip
    (root / "memo" / "sections").mkdir()
    (root / "memo" / "sections" / "colophon.html").write_text(
        '{% extends "!think-tank/sections/colophon.html" %}\n'
        "{% block colophon_text %}Memo. {{ super() }}{% endblock %}\n"
    )


def test_a_set_adds_a_section_shown_in_html_and_word(
    write_brief: Callable[..., Path], tmp_path: Path
) -> None:
    """A `colophon` section was refused; now a set declares it under new-sections, lists it
    in its sections like a built-in one, and it reaches the contents, the page and Word."""
    import zipfile

    sets = tmp_path / "sets"
    _think_tank(sets)
    html, docx = build(write_brief(), tmp_path / "out", formats=["html", "docx"],
                       audience="think-tank", templates=sets)  # fmt: skip
    assert html.warnings == [] and docx.warnings == []
    page = html.path.read_text(encoding="utf-8")
    assert '<li><a href="#colophon">Colophon</a></li>' in page
    assert page.index('<section id="summary"') < page.index('<section id="colophon">')
    assert "Published by Northern Institute." in page
    xml = zipfile.ZipFile(docx.path).read("word/document.xml").decode("utf-8")
    assert (
        '<w:p><w:pPr><w:pStyle w:val="Colophon" /></w:pPr><w:r><w:t xml:space="preserve">'
        "Published by Northern Institute.</w:t></w:r></w:p>"
    ) in xml


def test_a_grandchild_set_reorders_and_extends_a_parents_own_section(
    write_brief: Callable[..., Path], tmp_path: Path
) -> None:
    sets = tmp_path / "sets"
    _think_tank(sets)
    (html,) = build(write_brief(), tmp_path / "out", formats=["html"], audience="memo",
                    templates=sets)  # fmt: skip
    assert html.warnings == []  # set_data.publisher is used, in the file memo's extends
    page = html.path.read_text(encoding="utf-8")
    assert page.index('<section id="colophon">') < page.index('<section id="summary"')
    assert "Memo. Published by Northern Institute." in page
    result = CliRunner().invoke(main, ["templates", "show", "memo", "-t", str(sets)])
    assert "new section: colophon (sections/colophon.html, from think-tank, title " \
        "'Colophon')" in result.output.splitlines()  # fmt: skip


def test_an_unknown_section_or_one_without_a_template_is_a_located_error(
    write_brief: Callable[..., Path], tmp_path: Path
) -> None:
    sets = tmp_path / "sets"
    _set(sets, "house", "format: 2\nname: house\nparent: analyst\naudience: house\n"
         "new-sections: {colophon: }\nsections: [title, colofon]\n")  # fmt: skip
    with pytest.raises(CounterpointError) as info:
        build(write_brief(), tmp_path / "out", formats=["html"], audience="house",
              templates=sets)  # fmt: skip
    manifest = sets / "house" / "manifest.yaml"
    assert str(info.value).splitlines() == [
        f"{manifest}:5:16: new-sections.colophon: no template sections/colophon.html in "
        f"{sets / 'house'} or its parents",
        f"{manifest}:6:19: sections[1]: unknown section 'colofon' (did you mean 'colophon'?); "
        "known: " + ", ".join([*ALL_SECTIONS, "colophon"]),
    ]


def test_an_ejected_set_is_marked_and_builds_quietly(
    write_brief: Callable[..., Path], tmp_path: Path
) -> None:
    """An ejected copy warned "hides the built-in set" on every build and failed --strict;
    `parent: public`, the suggested fix, defeated ejecting."""
    from counterpoint.render.scaffold import eject
    from counterpoint.render.setcheck import check
    from counterpoint.render.templates import find

    mine = eject("public", tmp_path / "mine" / "public")
    manifest = (mine / "manifest.yaml").read_text(encoding="utf-8")
    assert manifest.startswith("format: 2\nname: public\nejected-from: public\n")
    assert "parent:" not in manifest
    assert check(find("public", [tmp_path / "mine"])) == []  # every built-in file, no miss
    brief = write_brief()
    (html, docx) = build(brief, tmp_path / "out", formats=["html", "docx"], audience="public",
                         templates=tmp_path / "mine")  # fmt: skip
    assert html.warnings == [] and docx.warnings == []
    (builtin,) = build(brief, tmp_path / "builtin", formats=["docx"], audience="public")
    assert docx.path.read_bytes() == builtin.path.read_bytes()  # Word's edition as well


def test_ejecting_inside_counterpoints_checkout_goes_to_your_own_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From the checkout's root, `eject public` failed with "already exists": templates/
    there holds the built-in sets. It now goes to your own folder of sets, searched before
    the built-in ones."""
    from .conftest import ROOT

    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    result = CliRunner().invoke(main, ["templates", "eject", "public"])
    assert result.exit_code == 0, result.output
    own = tmp_path / "data" / "counterpoint" / "templates" / "public"
    assert result.output == f"copied public to {own}\n"
    shown = CliRunner().invoke(main, ["templates", "show", "public"])
    assert shown.output.splitlines()[1] == f"chain: public ({own})"


def test_a_child_reshapes_a_view_a_judgment_the_byline_and_the_contents_by_block(
    write_brief: Callable[..., Path], tmp_path: Path
) -> None:
    """A pull quote took a copy of the whole 28-line views block, a byline the title's
    markup, a judgment the summary loop: each is now a block of its own."""
    sets = tmp_path / "sets"
    _set(sets, "house", "name: house\nparent: analyst\naudience: house\n")
    folder = sets / "house" / "sections"
    folder.mkdir()
    (folder / "views.html").write_text(
        '{% extends "!base/sections/views.html" %}\n'
        '{% block view_thesis %}{{ super() }}<aside class="pull">{{ view.label }}</aside>'
        "{% endblock %}\n"
        '{% block argument %}<li class="arg">{{ argument | md_inline }}</li>{% endblock %}\n'
    )
    (folder / "title.html").write_text(
        '{% extends "!base/sections/title.html" %}\n'
        '{% block byline %}<p class="byline">By the house</p>{% endblock %}\n'
    )
    (folder / "judgments.html").write_text(
        '{% extends "!base/sections/judgments.html" %}\n'
        '{% block judgment_text %}<p class="kj">{{ j.text | md_inline }}</p>{% endblock %}\n'
    )
    (folder / "contents.html").write_text(
        '{% extends "!base/sections/contents.html" %}\n'
        '{% block contents_entry %}<li class="entry">{{ title }}</li>{% endblock %}\n'
    )
    from .conftest import MINIMAL

    brief = write_brief(MINIMAL + "judgments:\n  - text: First.\n  - text: Second.\n")
    (html,) = build(brief, tmp_path / "out", formats=["html"], audience="house",
                    templates=sets)  # fmt: skip
    assert html.warnings == []
    page = html.path.read_text(encoding="utf-8")
    view = page[page.index('<article class="view" id="view-yes"') :].split("</article>")[0]
    assert '</p><aside class="pull">Settled</aside>' in view
    assert view.count('<li class="arg">') == 1 and "<h4>Arguments</h4>" in view
    assert '<p class="byline">By the house</p>' in page and "<time" not in page
    assert '<li class="entry">Bottom line</li>' in page
    assert '<p class="kj">First.</p>' in page and '<p class="kj">Second.</p>' in page
    assert 'data-judgment="2"' in page


def _paragraphs(docx: Path) -> list[tuple[str, str]]:
    """(style, text) of each body paragraph of a .docx."""
    import re
    import zipfile

    xml = zipfile.ZipFile(docx).read("word/document.xml").decode("utf-8")
    out = []
    for p in re.findall(r"<w:p>.*?</w:p>", xml, re.S):
        style = re.search(r'<w:pStyle w:val="([^"]+)"', p)
        text = "".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", p))
        out.append((style[1] if style else "", text))
    return out


PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63f8cfc0f01f0005000201a2d0f1c30000000049454e44ae426082"
)


def test_a_sets_cover_and_pull_quotes_reach_word_with_its_notes(
    write_brief: Callable[..., Path], tmp_path: Path
) -> None:
    """Word ignored the design: a set's cover banner, logo and pull quotes were silently
    missing. A built-in section a set overrides is its HTML in Word too, notes as Word
    footnotes, `data-custom-style` naming a style of the set's reference.docx."""
    import zipfile

    sets = tmp_path / "sets"
    _set(sets, "ministry", "name: ministry\nparent: analyst\naudience: ministry\n")
    (sets / "ministry" / "logo.png").write_bytes(PNG)
    folder = sets / "ministry" / "sections"
    folder.mkdir()
    (folder / "title.html").write_text(
        '{% extends "!base/sections/title.html" %}{% block title_block %}'
        '<p class="marking">OFFICIAL - FOR DISCUSSION</p>'
        '<img class="logo" src="{{ asset(\'logo.png\') }}" alt="Ministry crest">'
        "{{ super() }}{% endblock %}"
    )
    (folder / "views.html").write_text(
        '{% extends "!base/sections/views.html" %}{% block view_thesis %}{{ super() }}'
        '<aside data-custom-style="Pull Quote"><p>{{ view.label }}!</p></aside>{% endblock %}'
    )
    brief = write_brief()
    (plain,) = build(brief, tmp_path / "a", formats=["docx"])
    (docx,) = build(brief, tmp_path / "b", formats=["docx"], audience="ministry",
                    templates=sets)  # fmt: skip
    assert docx.warnings == []
    paragraphs = _paragraphs(docx.path)
    assert [s for s, _ in paragraphs[:4]] == ["Title", "Date", "FirstParagraph", "BodyText"]
    assert paragraphs[2][1] == "OFFICIAL - FOR DISCUSSION"  # then the logo, then the question
    quote = paragraphs.index(("PullQuote", "Settled!"))
    assert paragraphs[quote - 1][0] == "Thesis"  # the built-in thesis keeps its Word style
    media = [n for n in zipfile.ZipFile(docx.path).namelist() if n.startswith("word/media/")]
    assert any(zipfile.ZipFile(docx.path).read(n) == PNG for n in media)  # the logo

    def notes(path: Path) -> list[str]:
        import re

        xml = zipfile.ZipFile(path).read("word/footnotes.xml").decode("utf-8")
        bodies = re.findall(r'<w:footnote w:id="\d+">(.*?)</w:footnote>', xml, re.S)
        return ["".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", b)) for b in bodies]

    assert notes(docx.path) == notes(plain.path) != []  # the same footnotes, in order


def test_a_sets_byline_is_words_and_a_block_word_cannot_show_is_a_warning(
    write_brief: Callable[..., Path], tmp_path: Path
) -> None:
    import zipfile

    sets = tmp_path / "sets"
    _set(sets, "house", "name: house\nparent: analyst\naudience: house\n")
    folder = sets / "house" / "sections"
    folder.mkdir()
    (folder / "title.html").write_text(
        '{% extends "!base/sections/title.html" %}'
        '{% block byline %}<p class="byline">By the house</p>{% endblock %}'
        '{% block marking %}<p class="marking">DRAFT</p>{% endblock %}'
    )
    from .conftest import MINIMAL

    brief = write_brief(MINIMAL + "authors: [Ada Lovelace, Grace Hopper]\n")
    (plain,) = build(brief, tmp_path / "plain", formats=["docx"])
    (html, docx) = build(brief, tmp_path / "out", formats=["html", "docx"],
                         audience="house", templates=sets)  # fmt: skip
    assert html.warnings == []
    assert docx.warnings == [
        f"{folder / 'title.html'}: block 'marking' is not in the Word edition: Word shows the "
        "marking in its header (reference.docx)"
    ]
    paragraphs = _paragraphs(docx.path)
    assert ("Author", "By the house") in paragraphs
    assert [s for s, _ in paragraphs if s in ("Author", "Date")] == ["Author"]

    def core(path: Path) -> str:
        return zipfile.ZipFile(path).read("docProps/core.xml").decode("utf-8")

    assert "<dc:creator>Ada Lovelace; Grace Hopper</dc:creator>" in core(docx.path)
    assert core(docx.path) == core(plain.path)  # the document's properties as before


def test_a_cited_field_shown_twice_is_an_error_naming_md_text(
    write_brief: Callable[..., Path], tmp_path: Path
) -> None:
    """The summary shown again under the title called its notes twice: two notes alike,
    two ids alike (the PDF said only "Anchor defined twice")."""
    sets = tmp_path / "sets"
    _set(sets, "house", "name: house\nparent: analyst\naudience: house\n")
    (sets / "house" / "sections").mkdir()
    title = sets / "house" / "sections" / "title.html"
    title.write_text(
        '{% extends "!base/sections/title.html" %}\n'
        "{% block title_block %}{{ super() }}{{ brief.summary | md }}{% endblock %}\n"
    )
    brief = write_brief()
    with pytest.raises(BuildError) as info:
        build(brief, tmp_path / "out", formats=["html"], audience="house", templates=sets)
    assert str(info.value).endswith(
        f"sections/summary.html:3: a cited field at {brief}:6:25 is shown a second time; its "
        "notes are called once, in its own section: show it elsewhere with the md_text filter"
    )
    fixed = tmp_path / "fixed"
    _set(fixed, "house", "name: house\nparent: analyst\naudience: house\n")
    (fixed / "house" / "sections").mkdir()
    (fixed / "house" / "sections" / "title.html").write_text(
        title.read_text().replace("| md }}", "| md_text }}")
    )
    (html,) = build(brief, tmp_path / "out", formats=["html"], audience="house", templates=fixed)
    assert html.warnings == []


@pytest.mark.pdf
def test_a_sets_own_section_is_in_the_pdf_with_its_contents_entry(
    write_brief: Callable[..., Path], tmp_path: Path
) -> None:
    import pypdf

    sets = tmp_path / "sets"
    _think_tank(sets)
    (pdf,) = build(write_brief(), tmp_path / "out", formats=["pdf"], audience="think-tank",
                   templates=sets)  # fmt: skip
    assert pdf.warnings == []
    pages = [p.extract_text() for p in pypdf.PdfReader(pdf.path).pages]
    assert "Colophon" in pages[0]  # its contents entry
    assert "Published by Northern Institute." in pages[-1]  # listed last, shown last


def test_a_sets_heading_for_a_section_word_builds_itself_reaches_word(
    write_brief: Callable[..., Path], tmp_path: Path
) -> None:
    """Word builds the bibliography and the contents itself; a set's headings for them
    are its own there too, and only their other blocks are warned about."""
    sets = tmp_path / "sets"
    _set(sets, "house", "name: house\nparent: analyst\naudience: house\n")
    folder = sets / "house" / "sections"
    folder.mkdir()
    (folder / "bibliography.html").write_text(
        '{% extends "!base/sections/bibliography.html" %}'
        "{% block bibliography_heading %}<h2>Sources</h2>{% endblock %}"
    )
    (folder / "contents.html").write_text(
        '{% extends "!base/sections/contents.html" %}'
        "{% block contents_heading %}<h2>In this brief</h2>{% endblock %}"
        "{% block contents_entry %}<li>{{ title }}</li>{% endblock %}"
    )
    (docx,) = build(write_brief(), tmp_path / "out", formats=["docx"], audience="house",
                    templates=sets)  # fmt: skip
    assert docx.warnings == [
        f"{folder / 'contents.html'}: block 'contents_entry' is not in the Word edition: Word "
        "builds section 'contents' itself (docs/word.md)"
    ]
    paragraphs = _paragraphs(docx.path)
    assert ("Heading1", "Sources") in paragraphs and ("Heading1", "Bibliography") not in paragraphs
    assert ("TOCHeading", "In this brief") in paragraphs


def test_a_briefs_data_key_nothing_uses_is_a_located_warning(
    write_brief: Callable[..., Path], tmp_path: Path
) -> None:
    from .conftest import MINIMAL

    sets = tmp_path / "sets"
    _set(sets, "ministry", "name: ministry\nparent: analyst\naudience: ministry\n"
         "data: {classification: RESTRICTED}\n")  # fmt: skip
    (sets / "ministry" / "sections").mkdir()
    (sets / "ministry" / "sections" / "title.html").write_text(
        '{% extends "!base/sections/title.html" %}'
        "{% block title_block %}{{ set_data.classification }}{% endblock %}"
    )
    brief = write_brief(MINIMAL + "audiences:\n  ministry:\n    data: {clasification: OFFICIAL}\n")
    (html,) = build(brief, tmp_path / "out", formats=["html"], audience="ministry",
                    templates=sets)  # fmt: skip
    line = len(MINIMAL.splitlines()) + 3
    assert html.warnings == [
        f"{brief}:{line}:12: audiences.ministry.data.clasification: no template of set "
        "'ministry' uses it (as set_data.clasification) (did you mean 'classification'?)"
    ]
