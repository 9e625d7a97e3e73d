"""An HTML page's main text as blocks: boilerplate, the banner and boxes of related links
left out, then p, li and blockquote as numbered paragraphs."""

from __future__ import annotations

import re
from typing import Any

from counterpoint.audit.quotes.blocks import Block, Extracted

_SKIP_TAGS = (
    "script, style, noscript, template, nav, footer, aside, form, iframe, svg, button, rt, rp, "
    "select, dialog, [role=navigation], [role=banner], [role=contentinfo], "
    "[role=complementary], [role=search], [aria-hidden=true], [hidden], "
    "sup.reference, a.footnote-ref, sup > a[href^='#'], [role=doc-noteref]"
)
"""Left out of an HTML page's text: boilerplate, and note calls (a writer quotes the words,
not the superscript "12" after them)."""
_BOILERPLATE = re.compile(
    r"(?:^|[\s_-])(?:nav|navbar|navigation|menu|footer|site-header|masthead|banner|breadcrumbs?|"
    r"related|share|sharing|social|cookies?|consent|advert|advertisement|ads?|promo|sidebar|"
    r"newsletter|subscribe|comments?|skip-link|gdpr|popup|modal|paywall|top-?bar|toc|tags|"
    r"recommended|trending|most-read|most-popular|read-more|more-stories|outbrain|taboola)"
    r"(?:$|[\s_-])",
    re.I,
)
_RELATED = re.compile(
    r"(?:related|read more|more on|more from|see also|recommended|most read|most popular|"
    r"you may also|you might also|trending|weitere|mehr zum|lesen sie auch|à lire aussi|"
    r"lire aussi|sur le même sujet|te puede interesar|más noticias|читайте также|"
    r"по теме|相关|関連|اقرأ أيضا)",
    re.I,
)
"""A heading that names a box of links to other pages."""
_PARA_TAGS = {"p", "li", "blockquote"}
_HEADING_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_BREAK_TAGS = {
    "div", "section", "article", "main", "header", "td", "th", "tr", "table", "dd", "dt",
    "dl", "figure", "figcaption", "pre", "ul", "ol", "address", "details", "summary", "caption",
}  # fmt: skip


def from_html(html: str) -> Extracted:
    """The main text: boilerplate removed, then p, li and blockquote as numbered paragraphs
    (the innermost when they nest), headings and other loose text as unnumbered blocks."""
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(html)
    for node in tree.css(_SKIP_TAGS):
        node.decompose()
    for node in tree.css("header"):  # the page's banner, not an article's own header
        inside = node.parent
        while inside is not None and inside.tag not in ("article", "main"):
            inside = inside.parent
        if inside is None:
            node.decompose()
    paragraphs = len(tree.css("p"))
    for node in tree.css("[class], [id]"):
        if node.tag in ("html", "body", "main", "article"):
            continue
        if paragraphs and len(node.css("p")) * 2 > paragraphs:
            continue  # most of the text: a wrapper named "has-comments", not a box
        names = f"{node.attributes.get('class') or ''} {node.attributes.get('id') or ''}"
        if _BOILERPLATE.search(names):
            node.decompose()
    for heading in tree.css("h2, h3, h4"):  # a box headed "Related articles", "Read more"
        box = heading.parent
        if (
            _RELATED.match(" ".join(heading.text().split()))
            and box is not None
            and box.tag in ("section", "div", "nav", "ul")
            and not (paragraphs and len(box.css("p")) * 2 > paragraphs)
            and box.css_first("h2, h3, h4") == heading
        ):
            box.decompose()
    mains = tree.css("main") or tree.css("[role=main]")
    root = mains[0] if mains else _main_article(tree) or tree.body
    out = Extracted("html", paras=True)
    if root is None:
        return out
    walker = _Walker(out)
    walker.walk(root)
    walker.flush()
    out.sample = " ".join(b.text for b in out.blocks[:20])[:3000]
    return out


def _main_article(tree: Any) -> Any:
    """The one article, or the article holding most of the page's paragraph text (the
    story, not the teasers of related stories beside it) when there is one such."""

    def size(node: Any) -> int:
        return sum(len(p.text()) for p in node.css("p"))

    articles = tree.css("article")
    if len(articles) == 1:
        return articles[0]
    body = tree.body
    sizes = [size(a) for a in articles]
    if not articles or body is None or max(sizes) * 2 <= size(body):
        return None
    return articles[sizes.index(max(sizes))]


class _Walker:
    def __init__(self, out: Extracted):
        self.out = out
        self.buffer: list[str] = []
        self.kind = ""  # "para", "heading" or "" (loose text)
        self.para = 0
        self.block = 0  # paragraphs counted with those of an article's header (a byline)
        self.header = False  # inside the article's <header>

    def flush(self) -> None:
        text = " ".join("".join(self.buffer).split())
        self.buffer = []
        if not text:
            return
        numbered = self.kind == "para" and not self.header
        if self.kind == "para":
            self.block += 1
            self.para += numbered
        self.out.blocks.append(
            Block(
                text,
                para=self.para if numbered else 0,
                block=self.block if self.kind == "para" else 0,
                heading=self.kind == "heading",
            )
        )

    def walk(self, node: object) -> None:
        for child in node.iter(include_text=True):  # type: ignore[attr-defined]
            tag = child.tag
            if tag == "-text":
                self.buffer.append(child.text_content or "")
            elif tag in ("br", "hr"):
                self.buffer.append(" ")
            elif tag == "q":  # a browser shows its quotation marks
                self.buffer.append("“")
                self.walk(child)
                self.buffer.append("”")
            elif tag in _PARA_TAGS or tag in _HEADING_TAGS or tag in _BREAK_TAGS:
                outer, header = self.kind, self.header
                self.flush()
                self.kind = (
                    "para" if tag in _PARA_TAGS else "heading" if tag in _HEADING_TAGS else outer
                )
                self.header = header or tag == "header"
                self.walk(child)
                self.flush()
                self.kind, self.header = outer, header
            elif not tag.startswith("-"):
                self.walk(child)
