"""The command line: a thin shell over the pipeline's Python API (click).

`launch` starts Pandoc's citation server before the pipeline is imported; `main` holds the
commands; `editorschema` writes the JSON Schema editors use to check a brief as it is typed.
"""
