"""The Word edition: a Pandoc document built from the model and the set's design.

`writer` writes the .docx through Pandoc; `sections` builds each section as Pandoc blocks;
`html` converts the set's rendered fragments; `policy` vets a reference.docx and every
.docx written (zip limits, no external links, macros or fields outside an allow-list).
"""
