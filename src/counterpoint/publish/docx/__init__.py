"""The Word edition: a Pandoc document built from the model and the set's design.

`writer` writes the .docx through Pandoc (`setfiles` finds the set's reference.docx,
`owntemplates` takes a user's section templates in, `finish` completes the package);
`sections` builds each section as Pandoc blocks; `html` converts the set's rendered
fragments; `policy` says what a Word file may hold (no external links, macros or fields
outside an allow-list), `package` opens one under the zip limits, `clean` cleans its parts
by the policy, `reference` vets a set's reference.docx and `written` every .docx written.
"""
