"""Stage 1, brief: every input a brief names, read and checked, as a typed model.

`load` reads YAML and JSON with line marks; `schema` is the declarative field engine, with
`datefield` and `mdfield` its date and Markdown fields; `brieffields` declares a brief's
keys, and `validate` reads a brief through them into `model.Brief` (`dates` its dates,
`sections` the registry of a paper's sections), collecting every problem with its
file:line:col; `sources` reads the bibliography files (`records` is a source record's
schema, `bibtex` a `.bib` file through Pandoc, `vocab` the CSL vocabularies); `csl` finds a
CSL style and `cslfile` vets its file; `markdown` is the Markdown of the brief's fields
(`citesyntax` its citation syntax, `typography` its line breaks, note calls and quotation
marks); `i18n` the language data (catalogs, CLDR) every later stage speaks, and `messages`
the texts the code gives the catalogs; `codes` and `findings` the finding codes and reports
that validation and the audit share, `lexicons` the word lists of the audit's lint.

Imports only the shared leaves (errors, files, usercache, version) and `process`.
"""
