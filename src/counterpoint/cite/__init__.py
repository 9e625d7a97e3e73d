"""Stage 2, cite: citations to notes and bibliography, through Pandoc's citeproc.

`resolve` numbers each edition's citations in reading order; `citeproc` asks Pandoc for the
notes (one request an edition, cached): `request` writes the request, `reading` reads the
result through `pandocjson`'s typed readers; `server` keeps one `pandoc lua` process warm
for those requests. `pandocast` and `fields` build Pandoc's document model for the Word
edition. There is no second formatter: what CSL lacks ("cited in", grades) is added
around Pandoc's output.

Imports only `brief`, `process` and the shared leaves.
"""
