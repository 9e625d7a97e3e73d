"""`counterpoint snapshot`: sources archived from a local server (127.0.0.1 only), or imported."""

from __future__ import annotations

import hashlib
import io
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from counterpoint.cli.main import main
from counterpoint.pipeline.builder import audit

PAGE = b"""<!doctype html><html><head><meta charset="utf-8"><script>document.write("x")</script>
</head><body><nav>Home | About</nav><main><h1>Border</h1>
<p>The border question is finally resolved.</p><p>Trade grew by a third.</p></main>
<footer>Contact us</footer></body></html>"""


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/old":
            self.send_response(301)
            self.send_header("Location", "/page")
            self.end_headers()
            return
        if self.path == "/page":
            body, ctype = PAGE, "text/html; charset=utf-8"
        elif self.path == "/big":
            body, ctype = b"x" * 5000, "text/plain"
        else:
            self.send_response(404)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


RECORDS = """\
# Sources for the test brief: every comment here must survive.
references:
  - id: ministry   # the ministry's statement
    type: webpage
    title: Statement
    URL: {base}/old
    # fetched by counterpoint snapshot
  - id: gone
    type: webpage
    title: Gone
    URL: {base}/missing
  - id: local
    type: webpage
    title: Local file
    URL: file:///etc/passwd
"""

BRIEF = """\
brief: 1
title: Snapshot
question: Settled?
bibliography: [sources.yaml]
summary: The ministry says "the border question is finally resolved" [@ministry, para. 1].
views:
  - id: a
    label: A
    thesis: A [@gone].
    arguments: ["A [@local]"]
  - id: b
    label: B
    thesis: B.
    arguments: ["B [@gone]"]
"""


def test_snapshot_fetches_stores_a_warc_and_writes_the_record(tmp_path: Path, server: str) -> None:
    (tmp_path / "sources.yaml").write_text(RECORDS.format(base=server), encoding="utf-8")
    brief = tmp_path / "brief.yaml"
    brief.write_text(BRIEF, encoding="utf-8")
    assert [q.verdict for q in audit(brief).quotations] == ["no-snapshot"]

    result = CliRunner().invoke(main, ["snapshot", str(brief)])
    assert result.exit_code == 1
    warc = tmp_path / "snapshots" / "ministry.warc.gz"
    digest = hashlib.sha256(warc.read_bytes()).hexdigest()
    records = tmp_path / "sources.yaml"
    assert result.stdout.splitlines() == [
        f"{records}:8:5: gone: not archived: {server}/missing: the server answered 404 Not Found",
        f"{records}:12:5: local: not archived: 'file:///etc/passwd' is not an http or https "
        "address; nothing fetched",
        f"wrote {warc} ({warc.stat().st_size:,} bytes); {records}: snapshot: "
        "snapshots/ministry.warc.gz",
    ]
    assert result.stderr == "2 source(s) not archived\n"
    assert records.read_text(encoding="utf-8") == RECORDS.format(base=server).replace(
        "  - id: ministry   # the ministry's statement\n",
        "  - id: ministry   # the ministry's statement\n"
        "    snapshot: snapshots/ministry.warc.gz\n"
        f"    snapshot-sha256: {digest}\n",
    )
    (quote,) = audit(brief).quotations
    assert (quote.verdict, quote.found_at) == ("verified", "para. 1")

    from warcio.archiveiterator import ArchiveIterator

    with warc.open("rb") as f:
        kinds = [
            (r.rec_type, r.rec_headers.get_header("WARC-Target-URI")) for r in ArchiveIterator(f)
        ]
    assert kinds == [
        ("warcinfo", None),
        ("request", f"{server}/old"),
        ("response", f"{server}/old"),
        ("request", f"{server}/page"),
        ("response", f"{server}/page"),
    ]


def test_size_limit_and_import_from_a_file(tmp_path: Path, server: str) -> None:
    from counterpoint.audit.quotes.snapshot import FetchError, fetch
    from counterpoint.brief.validate import validate

    with pytest.raises(FetchError, match="the response is over 1,000 bytes; not stored"):
        fetch(f"{server}/big", max_bytes=1000)

    (tmp_path / "sources.yaml").write_text(RECORDS.format(base=server), encoding="utf-8")
    brief = tmp_path / "brief.yaml"
    brief.write_text(BRIEF, encoding="utf-8")
    saved = tmp_path / "saved.html"  # as SingleFile saves a page
    saved.write_bytes(PAGE)
    result = CliRunner().invoke(
        main, ["snapshot", str(brief), "--source", "ministry", "--from", str(saved)]
    )
    assert result.exit_code == 0, result.output
    record = validate(brief).sources["ministry"]
    assert record.snapshot == "snapshots/ministry.html"
    assert record.snapshot_sha256 == hashlib.sha256(PAGE).hexdigest()
    assert [q.verdict for q in audit(brief).quotations] == ["verified"]
    result = CliRunner().invoke(main, ["snapshot", str(brief), "--from", str(saved)])
    assert result.exit_code == 2 and "--from needs --source ID" in result.stderr


def test_a_record_written_in_flow_style_gets_the_lines_to_add(tmp_path: Path) -> None:
    (tmp_path / "sources.yaml").write_text(
        "- {id: s, type: webpage, title: S, URL: 'https://example.org/s'}\n", encoding="utf-8"
    )
    brief = tmp_path / "brief.yaml"
    text = BRIEF.replace("@ministry", "@s").replace("@gone", "@s").replace("@local", "@s")
    brief.write_text(text)
    pdf = tmp_path / "s.pdf"
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    buf = io.BytesIO()
    writer.write(buf)
    pdf.write_bytes(buf.getvalue())
    result = CliRunner().invoke(main, ["snapshot", str(brief), "-s", "s", "--from", str(pdf)])
    assert result.exit_code == 0, result.output
    digest = hashlib.sha256(pdf.read_bytes()).hexdigest()
    target = tmp_path / "snapshots" / "s.pdf"
    assert result.stdout == (
        f"wrote {target} ({target.stat().st_size:,} bytes); add these lines to the record 's' "
        f"in {tmp_path / 'sources.yaml'}:\n  snapshot: snapshots/s.pdf\n"
        f"  snapshot-sha256: {digest}\n"
    )
    assert (tmp_path / "sources.yaml").read_text().startswith("- {id: s,")
