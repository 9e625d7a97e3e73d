"""The Word package policy: what a .docx may hold, what is removed and what is refused.

A set's reference.docx is unpacked under limits (package.py) and cleaned before Pandoc sees
it (reference.py), and every .docx counterpoint writes is checked again after Pandoc
(written.py); both clean their parts by these tables (clean.py).

A .docx is a zip of XML parts tied together by relationships. Word follows some of them
when it opens the file: an attached template, a linked image or frame, an INCLUDETEXT or
INCLUDEPICTURE field, a subdocument. Pandoc copies a reference.docx's styles, settings,
headers, footers, their relationships and its media into every .docx it writes, so a
set's reference.docx reaches every reader of every Word edition the set makes.

What each class of content gets (docs/security.md, "The Word edition"):

- refused, one line naming the file and the part: a package over the limits (members,
  unpacked bytes, compression ratio), a damaged or encrypted one, a part name that leaves
  the package or is given twice, a DTD in a part, and active content: macros (VBA, a
  macro-enabled type, macro key bindings, form-field macros), ActiveX controls, OLE
  objects, and DDE, DDEAUTO and MACROBUTTON fields. A style file has no use for code, and
  a file that carries it is not cleaned into one that is trusted.
- removed, with a warning naming the file and the part: every external relationship but
  a hyperlink to http:, https: or mailto: (an attached template, a linked image, a frame,
  a subdocument, a mail-merge source...), every field that is not on a short list of
  fields that only show the document's own facts (INCLUDEPICTURE, INCLUDETEXT, IMPORT,
  LINK, DATABASE, a HYPERLINK to anything else...), imported parts (altChunk), mail-merge
  settings, schema libraries, the base address for relative links, and images that are
  not PNG, JPEG or GIF. A removed field keeps its last result as plain text, as Word's
  "unlink field" does.

Only the parts Pandoc takes from a reference.docx are kept (its body is read no further
than its first section's properties, as a stream); every member is read through a stream
with a byte cap, so a zip bomb costs what the cap allows and no more.
"""

from __future__ import annotations

import re

from counterpoint.publish.docx.package import APP, OFFICE, SCHEMA_LIBRARY, A, W

WEB_SCHEMES = ("http:", "https:", "mailto:")
"""The only addresses a .docx may link to (a reader has to click them; nothing loads them)."""

SAFE_FIELDS = frozenset(
    {"PAGE", "NUMPAGES", "SECTIONPAGES", "SECTION", "TITLE", "SUBJECT", "AUTHOR", "KEYWORDS",
     "COMMENTS", "DOCPROPERTY", "DOCVARIABLE", "INFO", "TEMPLATE", "FILENAME", "FILESIZE",
     "LASTSAVEDBY", "USERNAME", "USERINITIALS", "USERADDRESS", "CREATEDATE", "SAVEDATE",
     "PRINTDATE", "DATE", "TIME", "EDITTIME", "REVNUM", "NUMWORDS", "NUMCHARS", "STYLEREF",
     "REF", "PAGEREF", "NOTEREF", "SEQ", "TOC", "TOA", "TC", "TA", "XE", "INDEX", "LISTNUM",
     "AUTONUM", "AUTONUMLGL", "AUTONUMOUT", "BIDIOUTLINE", "SYMBOL", "EQ", "ADVANCE", "QUOTE",
     "IF", "COMPARE", "SET", "=", "CITATION", "BIBLIOGRAPHY", "HYPERLINK", "FORMTEXT",
     "FORMCHECKBOX", "FORMDROPDOWN"}
)  # fmt: skip
"""Fields that show the document's own text and facts (and the reader's name, the file's
name and dates). Every other field is removed: those that include, import or link other
files or addresses (INCLUDEPICTURE, INCLUDETEXT, IMPORT, LINK, RD, DATABASE), insert
building blocks of a template (AUTOTEXT, GLOSSARY), prompt the reader (ASK, FILLIN), send
codes to the printer (PRINT), merge mail, and any Word may add later."""

RUNNING_FIELDS = frozenset({"DDE", "DDEAUTO", "MACROBUTTON"})
"""Fields that start a program or a macro: refused, not cleaned."""

LOADING_FIELDS = frozenset({"INCLUDEPICTURE", "INCLUDETEXT", "IMPORT", "LINK", "RD", "DATABASE"})

# relationship types, by the last segment of their URI
MACRO_TYPES = frozenset({"vbaproject", "wordvbadata", "attachedtoolbars", "vbaprojectsignature"})
ACTIVEX_TYPES = frozenset({"control", "activexcontrolbinary"})
OLE_TYPES = frozenset({"oleobject", "package"})
LOADING_TYPES = frozenset(
    {"attachedtemplate", "afchunk", "subdocument", "frame", "mailmergesource",
     "mailmergeheadersource", "recipientdata", "transform"}
)  # fmt: skip
"""Internal relationships Word follows to load or import something: removed, with a warning."""

IMAGES = {"png": b"\x89PNG\r\n\x1a\n", "jpeg": b"\xff\xd8\xff", "gif": b"GIF8"}
"""The images a reference.docx may hold, by their first bytes."""


_POINTERS = (
    "attachedTemplate", "subDoc", "altChunk", "headerReference", "footerReference",
    "sourceFileName", "dataSource", "headerSource", "saveThroughXslt", "printerSettings",
    "embedRegular", "embedBold", "embedItalic", "embedBoldItalic",
)  # fmt: skip
SVG_BLIP = "{http://schemas.microsoft.com/office/drawing/2016/SVG/main}svgBlip"
REFERENCE_ELEMENTS = (
    frozenset(f"{{{W}}}{name}" for name in _POINTERS)
    | {f"{{{A}}}{name}" for name in ("hlinkClick", "hlinkHover", "videoFile", "audioFile")}
    | {SVG_BLIP}
)
"""Elements that exist only to point at a relationship: removed with a removed one."""

ALWAYS_REMOVED = {
    f"{{{W}}}attachedTemplate": "",
    f"{{{W}}}linkStyles": "",
    f"{{{W}}}altChunk": "",
    f"{{{W}}}subDoc": "",
    f"{{{W}}}frameset": "",
    f"{{{W}}}saveThroughXslt": "",
    f"{{{W}}}mailMerge": "mail-merge settings (a data source and its query)",
    f"{{{SCHEMA_LIBRARY}}}schemaLibrary": "a schema library (files Word may load)",
    f"{{{APP}}}HyperlinkBase": "the base address of relative links (HyperlinkBase)",
    f"{{{APP}}}HLinks": "",
}
"""Elements removed wherever they are; those with a text are said in a warning (the others
point at a relationship, whose removal is said)."""

REFUSED_ELEMENTS = {
    f"{{{W}}}control": "an ActiveX control",
    f"{{{OFFICE}}}OLEObject": "an OLE object",
    f"{{{W}}}objectEmbed": "an OLE object",
    f"{{{W}}}objectLink": "an OLE object",
    f"{{{W}}}entryMacro": "a macro run by a form field",
    f"{{{W}}}exitMacro": "a macro run by a form field",
}


def web_link(target: str) -> bool:
    """A link a .docx may hold: an http:, https: or mailto: address."""
    return target.strip().lower().startswith(WEB_SCHEMES)


def field_name(instruction: str) -> str:
    """A field's keyword ("INCLUDETEXT"), upper case; '' when it does not start with one
    (a keyword made by a nested field is not trusted)."""
    m = re.match(r"\s*([^\s\"\\\0]+)", instruction)
    return m[1].upper() if m else ""


def hyperlink_target(instruction: str) -> str:
    """The address of a HYPERLINK field: its first argument that is not a switch ('' when
    it only jumps to a place in the document, with \\l)."""
    tokens = re.findall(r'"[^"]*"|[^\s"]+', re.sub(r'^\s*[^\s"\\\0]+', "", instruction))
    skip = False
    for token in tokens:
        if skip:
            skip = False
            continue
        if token.startswith("\\"):
            skip = token[1:2].lower() in ("l", "o", "t") and len(token) == 2
            continue
        return token.strip('"').strip()
    return ""


def field_verdict(instruction: str) -> str:
    """'' when a field may stay, 'refuse' for one that runs a program, else the removal's
    reason."""
    name = field_name(instruction)
    if name in RUNNING_FIELDS:
        return "refuse"
    if name == "HYPERLINK":
        target = hyperlink_target(instruction)
        if not target or web_link(target):
            return ""
        return "links to something other than an http:, https: or mailto: address"
    if name in SAFE_FIELDS:
        return ""
    if name in LOADING_FIELDS:
        return "loads a file or address"
    return "is not one counterpoint allows"


def image_kind(data: bytes) -> str:
    """'png', 'jpeg' or 'gif' by the first bytes, else ''."""
    return next((k for k, magic in IMAGES.items() if data.startswith(magic)), "")
