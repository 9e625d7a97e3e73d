"""Every limit counterpoint enforces, in one place (docs/security.md lists each, and a test
checks the page against this module).

A hostile brief, source record or template set meets one of these before it can exhaust
memory, time or disk; each, when hit, is one located error.
"""

from __future__ import annotations

# -- files and YAML
MAX_FILE_BYTES = 5 * 1024 * 1024
"""Files larger than this are refused before parsing (a brief is a few dozen KB)."""

MAX_NODES = 200_000
"""More YAML values than this in one file is refused before the tree is built."""

MAX_DEPTH = 100
"""Values nested deeper than this are refused (libyaml's composer recurses in C)."""

MAX_PROBLEMS = 100
"""At most this many structural problems are listed for one file."""

# -- the brief
MAX_VIEWS = 100
"""More views than this is refused (docs/security.md lists every limit)."""

# -- bibliographies
MAX_FOLDER_ENTRIES = 10_000
"""A bibliography folder is searched through at most this many files and folders."""

# -- citation styles
MAX_STYLE_BYTES = 2 * 1024 * 1024
"""Size of one .csl file (the largest official style is about 250 KB)."""

MAX_STYLE_DEPTH = 100
"""Elements nested deeper than this in a .csl file are refused (the official styles nest
19 deep at most; a style is written out again by Python code that recurses)."""

# -- Pandoc
PANDOC_TIMEOUT = 120.0
"""Seconds one Pandoc run may take; a run that takes longer is stopped (a hostile style)."""

PANDOC_MEMORY_LIMIT = 1024
"""MiB of heap each Pandoc process may use (GHC's `+RTS -M`), and a quarter of that for its
stack (`-K`): the one-shot runs that read a .bib file and the warm citation server alike
(`--pandoc-memory-limit`, COUNTERPOINT_PANDOC_MEMORY_LIMIT; 0 for none). A 5 MB .bib of
8,500 full entries takes 530 MiB; a style whose macro calls itself, or nested `@string`s,
would take all there is."""

PANDOC_ADDRESS_SPACE = 512
"""MiB of address space (RLIMIT_AS) a Pandoc process may map beyond its heap and stack: its
code (about 170 MiB), Lua and C allocations. Heap and stack are reserved together (`+RTS
-xr`), so the whole process stays within 1.25 x PANDOC_MEMORY_LIMIT + this."""

# -- template sets
MAX_SET_FILE_BYTES = 20 * 1024 * 1024
"""Largest file a template set may hold (a font, an image): the most a PDF loads
(MAX_FETCH_BYTES). A larger file is refused when the set is found, before the
build cache would read it to hash it."""

# -- a template set's reference.docx (publish/docx/package.py)
MAX_DOCX_MEMBERS = 1_000
"""Parts (zip members) a Word file may hold; Word's own files hold a few dozen."""

MAX_DOCX_UNPACKED = 64 * 1024 * 1024
"""Bytes a reference.docx may unpack to in all, counted as it is read as well as from
its zip directory (a 2.5 MB zip bomb unpacked to 5 GB)."""

MAX_DOCX_PART_BYTES = 8 * 1024 * 1024
"""Bytes one XML part Pandoc reads (styles, numbering, settings, a header) may unpack to;
Word's styles.xml is tens of KB. The body is read as a stream and only up to its first
section, within MAX_DOCX_UNPACKED."""

MAX_DOCX_RATIO = 100
"""How many times its packed size a member over 1 MiB may unpack to (XML packs 5-20 times,
a zip bomb about 1,000)."""

# -- templates and the build
TIME_LIMIT = 600.0
"""Seconds a build may take before it is stopped (`--time-limit`, 0 for none)."""

MAX_TEMPLATE_OUTPUT = 64 * 1024 * 1024
"""Characters one template render may produce: a brief at MAX_FILE_BYTES makes a page of
about 6 MB, so only a template that loops or repeats meets this."""

MAX_TEMPLATE_BYTES = 1024 * 1024
"""Size of one template or stylesheet file."""

MAX_STRING = 1_000_000
"""Longest string or list a template may make with `*`."""

MAX_INT_BITS = 4096
"""Largest integer (in bits) a template may make with `*` or `**`."""

MAX_ARG = 10_000
"""Largest number a template may pass to a filter or function (width, count, length)."""

# -- outputs
MAX_DATA_URL = 2 * 1024 * 1024
"""data: URLs larger than this are refused."""

MAX_FETCH_BYTES = 20 * 1024 * 1024
"""A file or remote resource larger than this is not loaded into a PDF."""

MAX_PDF_NOTES = 3_000
"""More notes than this are refused for a PDF: layout costs about 12 ms and 150 KB a note."""

MEMORY_LIMIT = 2048
"""MiB by which a PDF's layout may grow the address space of the process it starts from
(`--memory-limit`, COUNTERPOINT_MEMORY_LIMIT; 0 for none). Layout runs in a child process
limited with RLIMIT_AS. The flagship fits in 150 MiB, a 159-page brief in 600 MiB; address
space includes the fonts and libraries mapped in, so it runs ahead of resident memory."""
