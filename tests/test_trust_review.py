"""An adversarial review of issue 23: neighbours of its hostile inputs (Word templates,
styles, bibliographies, records, output trees, caches, preview requests), each found to get
past the first round's checks and kept out since."""

from __future__ import annotations

import io
import zipfile

from counterpoint.docxpolicy import check_written, clean_reference

from . import hostile_docx as hostile

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
