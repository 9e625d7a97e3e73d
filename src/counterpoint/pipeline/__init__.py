"""The pipeline: `build()` and `check()` run the stages in order for each brief.

`builder` is the two-phase build (read and check everything, then write every output at
once), with `plan` planning each edition and `naming` naming its files; `session` owns what
builds share (the warm Pandoc, compiled templates, the PDF worker); `cache` remembers each
edition's inputs (`inputs` fingerprints them) so an unchanged one is not rebuilt; `shelf`
builds many briefs in parallel workers. This is the Python API the command line and the
preview call.
"""
