"""Stage 3, audit: balance, sourcing and quotations, read from the model (never the HTML).

`checks` runs the audit of an edition and returns `findings.AuditReport`: `sourcing`,
`parity` and `language` are its checks, `run` the state they share; `words` counts words
the way the parity table shows them; `quotes` checks every quotation against an
archived copy of its source.

Imports only `cite`, `brief`, `process` and the shared leaves.
"""
