"""The command line: a thin shell over the pipeline's Python API (click).

`launch` starts Pandoc's citation server before the pipeline is imported; `main` holds the
command group and run(), whose session adopts that server; `building` (build, preview),
`checking` (validate, audit, snapshot, schema) and `sets` (templates) hold the commands,
`common` what they share; `editorschema` writes the JSON Schema editors use to check a
brief as it is typed.
"""
