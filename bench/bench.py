"""Benchmarks for counterpoint, run on demand (not part of the test suite's pass/fail).

    .venv/bin/python bench/bench.py            # all measurements, about three minutes
    .venv/bin/python bench/bench.py --rounds 3 # quicker, noisier

Each comparison runs its two commands interleaved (A, B, A, B, ...) and reports medians,
so that drift in machine load hits both sides alike. The Pandoc compared against is the
pinned one counterpoint runs (pypandoc-binary), with the same CSL style.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from counterpoint.brief.model import Brief, SourceRecord, Text  # noqa: E402
from counterpoint.brief.validate import validate  # noqa: E402

BIN = Path(sys.executable).parent
COUNTERPOINT = str(BIN / "counterpoint")
WEASYPRINT = str(BIN / "weasyprint")


# -- the same text for Pandoc ------------------------------------------------------------
def _md(text: Text | None) -> str:
    return text.source if text else ""


def pandoc_markdown(brief: Brief) -> str:
    """The brief as one Pandoc Markdown document with the same text and citations."""
    out = [
        f"---\ntitle: {json.dumps(brief.title)}\n---\n",
        "## The question\n",
        _md(brief.question),
    ]
    out += ["## Bottom line\n", _md(brief.summary)]
    if brief.background:
        out += ["## Background\n", _md(brief.background)]
    out.append("## The views\n")
    for v in brief.views:
        out += [f"### {v.label}\n", _md(v.thesis), _md(v.summary), "#### Arguments\n"]
        out += [f"- {a.source}" for a in v.arguments]
        out += ["", "#### Counterpoints\n"] + [f"- {c.source}" for c in v.counterpoints]
    if brief.contested:
        out.append("## Contested facts\n")
        for c in brief.contested:
            out += [f"### {c.point}\n"] + [f"- {a.source}" for a in c.accounts]
            out += ["", _md(c.assessment)]
    if brief.timeline:
        out += ["## Timeline\n"] + [f"- {e.date}: {e.event.source}" for e in brief.timeline]
    if brief.judgments:
        out += ["", "## Key judgments\n"]
        out += [
            f"1. {j.text.source} ({j.likelihood}, {j.confidence} confidence)"
            for j in brief.judgments
        ]
    if brief.implications:
        out += ["", "## Implications\n", _md(brief.implications)]
    return "\n".join(out) + "\n"


def csl_json(sources: dict[str, SourceRecord]) -> list[dict[str, object]]:
    """The items exactly as counterpoint hands them to the processor."""
    return [s.csl for s in sources.values()]


# -- timing helpers -----------------------------------------------------------------------
def run(cmd: Sequence[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def interleaved(a: Sequence[str], b: Sequence[str], cwd: Path, rounds: int) -> tuple[float, float]:
    run(a, cwd), run(b, cwd)  # warm the file cache
    ta, tb = [], []
    for _ in range(rounds):
        ta.append(run(a, cwd))
        tb.append(run(b, cwd))
    return statistics.median(ta), statistics.median(tb)


def peak_rss_mib(cmd: Sequence[str], cwd: Path) -> float:
    """Peak resident memory of a command, from /usr/bin/time."""
    if not Path("/usr/bin/time").exists():
        return float("nan")
    res = subprocess.run(
        ["/usr/bin/time", "-f", "%M", *cmd], cwd=cwd, capture_output=True, text=True
    )
    return int(res.stderr.strip().splitlines()[-1]) / 1024


def scaled_brief(src: Path, factor: int, dest: Path) -> Path:
    """A brief with every view's arguments and the background repeated `factor` times."""
    text = src.read_text(encoding="utf-8")
    if not (dest.parent / "seeds").exists():
        shutil.copytree(ROOT / "seeds", dest.parent / "seeds")
    text = text.replace("bibliography: [../seeds]", "bibliography: [seeds]")
    if factor > 1:
        import yaml

        data = yaml.safe_load(text)
        for v in data["views"]:
            v["arguments"] = v["arguments"] * factor
            v["counterpoints"] = v.get("counterpoints", []) * factor
            v["summary"] = "\n\n".join([v.get("summary", "")] * factor)
        for key in ("background", "implications"):
            data[key] = "\n\n".join([data[key]] * factor)
        for key in ("contested", "timeline", "judgments"):
            data[key] = data.get(key, []) * factor
        data.pop("audit", None)  # repeated arguments would trip the parity audit; not the point

        class NoAliases(yaml.SafeDumper):  # briefs refuse YAML aliases; write repeats out
            def ignore_aliases(self, data: object) -> bool:
                return True

        text = yaml.dump(data, Dumper=NoAliases, allow_unicode=True, sort_keys=False)
    dest.write_text(text, encoding="utf-8")
    return dest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--brief", type=Path, default=ROOT / "briefs" / "russian-far-east.yaml")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument(
        "--only",
        default="",
        help="comma-separated: html, pdf, shelf, citeserver, noop, scale, preview (default all)",
    )
    args = parser.parse_args()
    from counterpoint.brief import csl
    from counterpoint.process import pandoc

    pandoc_bin = pandoc.binary()  # the pinned Pandoc counterpoint itself runs
    style = str(csl.default().path)

    work = Path(tempfile.mkdtemp(prefix="counterpoint-bench-"))
    brief = scaled_brief(args.brief, 1, work / "brief.yaml")
    model = validate(brief)
    (work / "brief.md").write_text(pandoc_markdown(model), encoding="utf-8")
    (work / "refs.json").write_text(json.dumps(csl_json(model.sources)), encoding="utf-8")
    env_note = f"{os.cpu_count()} cores, Python {platform.python_version()}"
    print(f"counterpoint benchmarks ({env_note}), {args.rounds} interleaved rounds, medians\n")
    rows = _Rows()
    only = {x.strip() for x in args.only.split(",") if x.strip()}

    def want(name: str) -> bool:
        return not only or name in only

    shelf = work / "shelf"
    shelf.mkdir()
    for i in range(12):
        text = brief.read_text(encoding="utf-8").replace("[seeds]", "[../seeds]")
        (shelf / f"brief-{i:02d}.yaml").write_text(text, encoding="utf-8")

    # 1. HTML vs Pandoc (the same text, items and style), the user cache warm, then empty
    if want("html"):
        pandoc_cmd = [pandoc_bin, "brief.md", "--citeproc", "--bibliography", "refs.json",
                      "--csl", style, "-s", "-o", "p.html"]  # fmt: skip
        ours_cmd = [COUNTERPOINT, "build", "brief.yaml", "--format", "html", "--out", "o"]
        run([*ours_cmd, "--force"], work)  # warms the user cache
        ours, theirs = interleaved([*ours_cmd, "--force"], pandoc_cmd, work, args.rounds)
        rows.append(
            (
                "HTML build vs pandoc --citeproc -s (user cache warm)",
                f"{ours:.3f} s",
                f"{theirs:.3f} s",
                f"{ours / theirs:.2f}x (target <= 1.0x)",
            )
        )
        empty = ["sh", "-c", 'XDG_CACHE_HOME="$(mktemp -d)" exec "$@"', "sh", *ours_cmd, "--force"]
        ours, theirs = interleaved(empty, pandoc_cmd, work, args.rounds)
        rows.append(
            (
                "HTML build vs pandoc --citeproc -s (user cache empty)",
                f"{ours:.3f} s",
                f"{theirs:.3f} s",
                f"{ours / theirs:.2f}x (target <= 1.3x)",
            )
        )

    # 2. PDF vs bare WeasyPrint on the same print HTML
    if want("pdf"):
        run([COUNTERPOINT, "build", "brief.yaml", "--format", "print-html", "--out", "o"], work)
        ours, theirs = interleaved(
            [COUNTERPOINT, "build", "brief.yaml", "--format", "pdf", "--out", "o", "--force"],
            [WEASYPRINT, "o/brief.print.html", "w.pdf"],
            work, args.rounds,
        )  # fmt: skip
        rows.append(
            (
                "PDF build (PDF/UA-1) vs bare weasyprint",
                f"{ours:.3f} s",
                f"{theirs:.3f} s",
                f"{ours / theirs:.2f}x (target <= 1.10x)",
            )
        )
        ours, theirs = interleaved(
            [COUNTERPOINT, "build", "brief.yaml", "--format", "pdf", "--out", "o", "--force"],
            [WEASYPRINT, "--pdf-variant", "pdf/ua-1", "o/brief.print.html", "w.pdf"],
            work, args.rounds,
        )  # fmt: skip
        rows.append(
            (
                "PDF build (PDF/UA-1) vs weasyprint --pdf-variant pdf/ua-1",
                f"{ours:.3f} s",
                f"{theirs:.3f} s",
                f"{ours / theirs:.2f}x (target <= 1.10x)",
            )
        )
        plain = [COUNTERPOINT, "build", "brief.yaml", "-f", "pdf", "--out", "o", "--force"]
        ours, theirs = interleaved(
            [*plain, "--pdf-variant", "plain"], [WEASYPRINT, "o/brief.print.html", "w.pdf"],
            work, args.rounds,
        )  # fmt: skip
        rows.append(
            (
                "PDF build (plain) vs bare weasyprint",
                f"{ours:.3f} s",
                f"{theirs:.3f} s",
                f"{ours / theirs:.2f}x (target <= 1.10x)",
            )
        )

    # 3. a shelf of twelve briefs: one invocation with --jobs 2 vs twelve invocations
    if want("shelf"):
        one_by_one = (
            f"{COUNTERPOINT} build shelf/brief-{i:02d}.yaml --out s1 --force -f html,pdf"
            for i in range(12)
        )
        separate = ["sh", "-c", " && ".join(one_by_one)]
        one = [
            COUNTERPOINT,
            "build",
            "shelf",
            "--out",
            "s2",
            "--force",
            "-f",
            "html,pdf",
            "--jobs",
            "2",
        ]
        shelf_rounds = max(1, args.rounds // 3)
        t_one, t_sep = interleaved(one, separate, work, shelf_rounds)
        rows.append(
            (
                "12 briefs: one run --jobs 2 vs 12 runs",
                f"{t_one:.2f} s",
                f"{t_sep:.2f} s",
                f"{t_one / t_sep:.2f}x (target <= 0.45x)",
            )
        )

    # 3b. a shelf's citations: one warm Pandoc for every brief (what counterpoint does) vs
    # one Pandoc run per brief (its fallback, forced here), HTML only, in one process, the
    # user cache empty; each brief's citations differ, so each is formatted
    if want("citeserver"):
        varied = work / "varied"
        varied.mkdir()
        base = brief.read_text(encoding="utf-8").replace("[seeds]", "[../seeds]")
        assert "paras. 3, 18-19" in base
        for i in range(12):
            text = base.replace("paras. 3, 18-19", f"paras. {3 + i}, 18-19", 1)
            (varied / f"brief-{i:02d}.yaml").write_text(text, encoding="utf-8")
        fresh_cache = ["sh", "-c", 'XDG_CACHE_HOME="$(mktemp -d)" exec "$@"', "sh"]
        build_args = ["build", "varied", "-f", "html", "--out", "v", "--force", "--jobs", "1"]
        per_brief = (
            "from counterpoint.cite.server import Citations\n"
            "Citations.server = lambda self: None  # as if `pandoc lua` could not run\n"
            "from counterpoint.cli.main import run\n"
            "run()\n"
        )
        warm, cold = interleaved(
            [*fresh_cache, COUNTERPOINT, *build_args],
            [*fresh_cache, sys.executable, "-c", per_brief, *build_args],
            work, max(1, args.rounds // 2),
        )  # fmt: skip
        rows.append(
            (
                "12 briefs' notes: one warm Pandoc vs a run each",
                f"{warm:.2f} s",
                f"{cold:.2f} s",
                f"{warm / cold:.2f}x (HTML, --jobs 1, cache empty)",
            )
        )

    # 4. a no-op rebuild of the shelf vs the full build
    if want("noop"):
        full = run(
            [
                COUNTERPOINT,
                "build",
                "shelf",
                "--out",
                "s3",
                "-f",
                "html,pdf",
                "--jobs",
                "2",
                "--force",
            ],
            work,
        )
        noop = statistics.median(
            run(
                [COUNTERPOINT, "build", "shelf", "--out", "s3", "-f", "html,pdf", "--jobs", "2"],
                work,
            )
            for _ in range(3)
        )
        rows.append(
            (
                "no-op rebuild of the 12 vs full build",
                f"{noop:.2f} s",
                f"{full:.2f} s",
                f"{noop / full:.2f}x (target <= 0.10x)",
            )
        )

    # 5. scale: 16x the content, and peak memory
    if want("scale"):
        scaled_brief(args.brief, 16, work / "big.yaml")
        t1 = statistics.median(
            run([COUNTERPOINT, "build", "brief.yaml", "-f", "pdf", "--out", "o", "--force"], work)
            for _ in range(3)
        )
        t16 = statistics.median(
            run([COUNTERPOINT, "build", "big.yaml", "-f", "pdf", "--out", "o", "--force"], work)
            for _ in range(2)
        )
        pages = re.search(
            r"(\d+) pages",
            subprocess.run(
                [COUNTERPOINT, "build", "big.yaml", "-f", "pdf", "--out", "o", "--force"],
                cwd=work,
                capture_output=True,
                text=True,
            ).stdout,
        )
        rows.append(
            (
                "16x content vs 1x (PDF)",
                f"{t16:.2f} s",
                f"{t1:.2f} s",
                f"{t16 / t1:.1f}x (target <= 17x); {pages.group(1) if pages else '?'} pages",
            )
        )
        rss = peak_rss_mib(
            [COUNTERPOINT, "build", "brief.yaml", "-f", "pdf", "--out", "o", "--force"], work
        )
        run([COUNTERPOINT, "build", "brief.yaml", "-f", "print-html", "--out", "o"], work)
        bare = peak_rss_mib([WEASYPRINT, "o/brief.print.html", "w.pdf"], work)
        rows.append(
            ("peak memory, flagship PDF", f"{rss:.0f} MiB", f"{bare:.0f} MiB", "target <= 150 MiB")
        )
        # a brief of more than 150 pages: it builds, and what it takes
        scaled_brief(args.brief, 18, work / "long.yaml")
        start = time.perf_counter()
        done = subprocess.run(
            ["/usr/bin/time", "-f", "%M", COUNTERPOINT, "build", "long.yaml", "-f", "pdf",
             "--out", "o", "--force"],
            cwd=work, capture_output=True, text=True, check=True,
        )  # fmt: skip
        long_s = time.perf_counter() - start
        long_rss = int(done.stderr.strip().splitlines()[-1]) / 1024
        found = re.search(r"(\d+) pages", done.stdout)
        long_pages = found.group(1) if found else "?"
        rows.append(
            (
                f"a {long_pages}-page brief (18x), PDF",
                f"{long_s:.1f} s",
                "",
                f"builds; peak memory {long_rss:.0f} MiB",
            )
        )

    # 6. live preview: save to page in Chromium, save to new PDF served vs a PDF build
    if want("preview"):
        for row in preview_rows(args.brief, work / "preview", args.rounds):
            rows.append(row)

    shutil.rmtree(work, ignore_errors=True)


def preview_rows(src: Path, folder: Path, rounds: int) -> list[tuple[str, str, str, str]]:
    """`counterpoint preview` of the flagship in real Chromium (Debian's, via Playwright).

    Each round saves one edit and times (a) the page showing it, (b) the new PDF being
    served (its ETag changes), then (c) a `counterpoint build --format pdf` of the same brief,
    interleaved. Edits alternate: a word of text (the citations' notes come from the cache)
    and a word plus a citation's locator (Pandoc's citeproc runs again).
    """
    import http.client
    import socket

    from playwright.sync_api import sync_playwright

    brief = scaled_brief(src, 1, folder / "brief.yaml")
    base = brief.read_text(encoding="utf-8")
    text_marker, cite_marker = "On the evidence of these", "paras. 3, 18-19"
    assert text_marker in base and cite_marker in base
    name = brief.stem
    fresh = 1000 + int(time.time()) % 100_000
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [COUNTERPOINT, "preview", "brief.yaml", "--no-open", "--port", str(port)],
        cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip

    def etag() -> str | None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("HEAD", f"/{name}.pdf")
        response = conn.getresponse()
        response.read()
        conn.close()
        return response.getheader("ETag") if response.status == 200 else None

    def new_pdf(old: str | None, timeout: float = 120) -> None:
        deadline = time.perf_counter() + timeout
        while etag() in (old, None):
            if time.perf_counter() > deadline:
                raise TimeoutError("no new PDF")
            time.sleep(0.02)

    page_text: list[float] = []
    page_cite: list[float] = []
    pdf_times: list[float] = []
    build_times: list[float] = []
    baseline = [COUNTERPOINT, "build", "brief.yaml", "--format", "pdf", "--out", "../base",
                "--force"]  # fmt: skip
    try:
        assert server.stdout is not None
        while "previewing" not in (line := server.stdout.readline()):
            if not line:
                raise RuntimeError("counterpoint preview did not start")
        new_pdf(None)
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                      "--disable-component-update", "--no-first-run", "--disable-sync"],
            )  # fmt: skip
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.goto(f"http://127.0.0.1:{port}/")
            page.wait_for_function("() => window.counterpointPreview !== undefined")
            run(baseline, folder)  # warm
            for i in range(2 * rounds + 1):
                word = f"benchmark{i}"
                text = base.replace(text_marker, f"On the evidence {word} of these")
                if i % 2:  # a locator never formatted before: not in the citeproc cache
                    text = text.replace(cite_marker, f"paras. 3, {fresh + i}")
                old = etag()
                start = time.perf_counter()
                brief.write_text(text, encoding="utf-8")
                page.wait_for_function(
                    f"() => document.body.textContent.includes('{word}')", polling="raf",
                    timeout=30_000,
                )  # fmt: skip
                shown = time.perf_counter() - start
                new_pdf(old)
                served = time.perf_counter() - start
                if i == 0:
                    continue  # a warm-up round
                (page_cite if i % 2 else page_text).append(shown)
                pdf_times.append(served)
                build_times.append(run(baseline, folder))
            browser.close()
    finally:
        brief.write_text(base, encoding="utf-8")
        server.send_signal(2)  # Ctrl-C
        server.wait(30)
    text_s, cite_s = statistics.median(page_text), statistics.median(page_cite)
    pdf_s, build_s = statistics.median(pdf_times), statistics.median(build_times)
    return [
        ("preview: save to page (text edit)", f"{text_s:.3f} s", "",
         "target <= 0.3 s, under 1 s"),
        ("preview: save to page (citation edit)", f"{cite_s:.3f} s", "",
         "target <= 0.3 s, under 1 s"),
        ("preview: save to new PDF vs build -f pdf", f"{pdf_s:.2f} s", f"{build_s:.2f} s",
         f"{pdf_s / build_s:.2f}x (target <= 1.2x)"),
    ]  # fmt: skip


class _Rows:
    """Prints each measurement as soon as it is made."""

    def __init__(self) -> None:
        print(f"{'measurement':<40}  {'counterpoint':>12}  {'baseline':>10}  ratio", flush=True)

    def append(self, row: tuple[str, str, str, str]) -> None:
        name, a, b, ratio = row
        print(f"{name:<40}  {a:>12}  {b:>10}  {ratio}", flush=True)


if __name__ == "__main__":
    main()
