"""Stage 5, publish: one writer per format, from a rendered edition to bytes on disk.

`writers` holds the writers (HTML, print HTML, PDF, Word) and `write()`; `sanitize` is the
page policy every HTML passes (`cleaner` cleans the parsed page); `pdf` writes the PDF,
`pdflayout` lays it out with WeasyPrint in a limited child (process/jobs.py), `pdfcheck`
checks the notes after layout, `pdfworker` imports WeasyPrint ahead and `weasyfix` mends
WeasyPrint; `fonts` and `fetch` say which fonts and files a page may use; `docx` writes
the Word edition through Pandoc; `output` describes what was written.

Imports only earlier stages, `process` and the shared leaves.
"""
