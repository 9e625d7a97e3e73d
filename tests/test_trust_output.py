"""Trust in what a build keeps and writes: its record never goes through a link, outputs
never replace each other, damaged or forged caches are misses, a full cache disk is one
warning (issue 23, items 4-7)."""

from __future__ import annotations

import errno
import os
import pickle
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import jinja2
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from counterpoint import build, usercache
from counterpoint.cli.main import main
from counterpoint.errors import BuildError
from counterpoint.pipeline.builder import up_to_date

from .conftest import MINIMAL


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cache folder of this test's own (XDG_CACHE_HOME), empty at first."""
    folder = tmp_path / "xdg"
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder))
    return folder / "counterpoint"


def entries(cache: Path, kind: str = "") -> list[Path]:
    """Every cache entry (of one kind: citeproc, jinja, bibtex), the key left out."""
    return sorted(p for p in (cache / kind).rglob("*") if p.is_file() and p.name != "key")


def page(out: Path) -> str:
    return (out / "brief.html").read_text(encoding="utf-8")


def signed(out: Path, brief: Path, data: dict) -> bytes:
    """A build record with this content, written and signed as counterpoint writes one (with
    this user's key): a record only this user's own counterpoint could have written."""
    from counterpoint.pipeline import cache as build_cache

    return build_cache.record(out, brief, data["editions"], data["default"], data["findings"])


# -- item 4: the build record never follows a link ------------------------------------------
def test_a_linked_record_folder_is_refused_before_anything_is_written(
    write_brief, tmp_path: Path
) -> None:
    brief = write_brief()
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "brief.json").write_text("keep me")
    out = tmp_path / "out"
    out.mkdir()
    (out / ".counterpoint").symlink_to(foreign)
    with pytest.raises(BuildError) as info:
        build(brief, out, formats=["html"])
    assert str(info.value) == (
        f"{out / '.counterpoint'}: refusing to write through a symbolic link"
    )
    assert (foreign / "brief.json").read_text() == "keep me"
    assert sorted(p.name for p in foreign.iterdir()) == ["brief.json"]
    assert sorted(p.name for p in out.iterdir()) == [".counterpoint"]  # no page either


def test_a_linked_record_file_is_refused_before_anything_is_written(
    write_brief, tmp_path: Path
) -> None:
    brief = write_brief()
    victim = tmp_path / "package.json"
    victim.write_text("keep me")
    out = tmp_path / "out"
    (out / ".counterpoint").mkdir(parents=True)
    (out / ".counterpoint" / "brief.json").symlink_to(victim)
    with pytest.raises(BuildError) as info:
        build(brief, out, formats=["html"])
    assert str(info.value) == (
        f"{out / '.counterpoint' / 'brief.json'}: refusing to write through a symbolic link"
    )
    assert victim.read_text() == "keep me"
    assert sorted(p.name for p in out.iterdir()) == [".counterpoint"]


def test_a_record_is_not_read_through_a_link(write_brief, tmp_path: Path) -> None:
    """A record planted elsewhere (a link at the record's place) is not believed."""
    brief = write_brief()
    out = tmp_path / "out"
    build(brief, out, formats=["html"])
    record = out / ".counterpoint" / "brief.json"
    planted = tmp_path / "planted.json"
    shutil.move(record, planted)
    record.symlink_to(planted)
    assert up_to_date(brief, out_dir=out, formats=["html"]) is None
    planted.rename(record)
    assert up_to_date(brief, out_dir=out, formats=["html"]) is not None


# -- item 5: output names never collide -------------------------------------------------------
def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def _two(tmp_path: Path, first: str, second: str) -> tuple[Path, Path]:
    paths = []
    for rel in (first, second):
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(MINIMAL.replace("sources.yaml", str(tmp_path / "seeds" / "sources.yaml")))
        paths.append(path)
    from .conftest import SOURCES

    (tmp_path / "seeds").mkdir(exist_ok=True)
    (tmp_path / "seeds" / "sources.yaml").write_text(SOURCES)
    return paths[0], paths[1]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_same_name_in_two_folders_is_an_error_naming_both(tmp_path: Path, jobs: str) -> None:
    a, b = _two(tmp_path, "a/x.yaml", "b/x.yaml")
    out = tmp_path / "out"
    code, stdout, stderr = run("build", str(a), str(b), "-f", "html", "-o", str(out), "-j", jobs)
    assert code == 1
    assert stdout == ""
    assert stderr.splitlines() == [
        f"{a} would write {out / 'x.html'}, as would {b}; rename one of them (neither was built)",
        f"{b} would write {out / 'x.html'}, as would {a}; rename one of them (neither was built)",
        "2 of 2 brief(s) failed",
    ]
    assert not out.exists()


def test_an_audience_edition_beside_a_brief_of_that_name(tmp_path: Path) -> None:
    x, xe = _two(tmp_path, "x.yaml", "x-executive.yaml")
    out = tmp_path / "out"
    code, stdout, stderr = run("build", str(x), str(xe), "-f", "html", "-o", str(out), "-a", "all")
    assert code == 1
    assert stdout == ""
    assert stderr.splitlines() == [
        f"{x} (executive edition) would write {out / 'x-executive.html'}, as would {xe}; "
        "rename one of them (neither was built)",
        f"{xe} would write {out / 'x-executive.html'}, as would {x} (executive edition); "
        "rename one of them (neither was built)",
        "2 of 2 brief(s) failed",
    ]
    assert not out.exists()


def test_invisible_characters_do_not_hide_a_collision(tmp_path: Path) -> None:
    plain, hidden = _two(tmp_path, "zq.yaml", "z\u200bq.yaml")
    _two(tmp_path, "other.yaml", "unused/other.yaml")
    out = tmp_path / "out"
    code, stdout, stderr = run("build", str(tmp_path), "-f", "html", "-o", str(out))
    assert code == 1
    shown = ascii(str(hidden))  # the invisible character, made visible
    assert [line for line in stderr.splitlines() if not line.startswith("warning:")] == [
        f"{plain} would write {out / 'zq.html'}, as would {shown}; "
        "rename one of them (neither was built)",
        f"{shown} would write {out / 'zq.html'}, as would {plain}; "
        "rename one of them (neither was built)",
        "2 of 3 brief(s) failed",
    ]
    assert stdout.splitlines()[0].startswith(f"wrote {out / 'other.html'} ")  # the rest is built
    assert sorted(p.name for p in out.iterdir()) == [".counterpoint", "other.html"]


def test_one_brief_named_twice_is_built_once(tmp_path: Path) -> None:
    a, _ = _two(tmp_path, "a/x.yaml", "b/y.yaml")
    out = tmp_path / "out"
    code, stdout, _ = run(
        "build", str(a), str(tmp_path / "a/../a/x.yaml"), "-f", "html", "-o", str(out)
    )
    assert code == 0
    assert len(stdout.splitlines()) == 1


# -- item 6: damaged caches and records are misses ---------------------------------------------
@pytest.mark.parametrize(
    "damage",
    [b"{}", b"[]", b"[" * 100_000, b'{"ast": {"blocks": 7}, "warnings": []}', b"\xff\x00"],
    ids=["empty-object", "list", "deep", "wrong-shape", "binary"],
)
def test_a_damaged_citation_cache_entry_is_formatted_again(
    write_brief, tmp_path: Path, cache: Path, damage: bytes
) -> None:
    brief = write_brief()
    clean = tmp_path / "clean"
    build(brief, clean, formats=["html"])
    (entry,) = entries(cache, "citeproc")
    entry.write_bytes(damage)
    out = tmp_path / "out"
    (html,) = build(brief, out, formats=["html"])
    assert page(out) == page(clean)
    assert html.warnings == []  # a miss, not a problem to report
    assert usercache.read_json(entry) is not None  # rewritten, as a good entry


def test_a_forged_citation_cache_entry_is_not_believed(
    write_brief, tmp_path: Path, cache: Path
) -> None:
    """An entry of the right shape, written without the user's key (by another program, or
    another user who can write the folder), is a miss: its notes never reach a page."""
    brief = write_brief()
    build(brief, tmp_path / "clean", formats=["html"])
    (entry,) = entries(cache, "citeproc")
    good = usercache.read(entry)
    assert good is not None
    entry.write_bytes(good.replace(b"Petrova", b"Forged"))  # the JSON alone, unsigned
    out = tmp_path / "out"
    build(brief, out, formats=["html"])
    assert "Forged" not in page(out)
    assert page(out) == page(tmp_path / "clean")


@pytest.mark.own_session
def test_a_truncated_or_malicious_template_cache_is_never_unpickled(
    write_brief, tmp_path: Path, cache: Path
) -> None:
    brief = write_brief()
    build(brief, tmp_path / "clean", formats=["html"])
    compiled = entries(cache, "jinja")
    assert compiled
    marker = tmp_path / "ran"

    class Payload:
        def __reduce__(self):  # type: ignore[no-untyped-def]
            return (Path.touch, (marker,))

    # a file in Jinja's own format (its magic, then a pickle), as FileSystemBytecodeCache reads
    evil = jinja2.bccache.bc_magic + pickle.dumps(Payload())
    compiled[0].write_bytes(evil)
    for entry in compiled[1:]:
        entry.write_bytes(entry.read_bytes()[:40])  # truncated
    out = tmp_path / "out"
    build(brief, out, formats=["html"])
    assert not marker.exists()
    assert page(out) == page(tmp_path / "clean")
    assert all(usercache.read(e) is not None for e in compiled)  # rewritten


def test_a_key_others_can_read_is_not_used(write_brief, tmp_path: Path, cache: Path) -> None:
    brief = write_brief()
    build(brief, tmp_path / "one", formats=["html"])
    (cache / "key").chmod(0o644)
    # the next command (this process has read the key already)
    command = [sys.executable, "-m", "counterpoint", "build", str(brief), "-f", "html"]
    two = subprocess.run(
        [*command, "-o", str(tmp_path / "two")], capture_output=True, text=True, env=os.environ
    )
    assert two.returncode == 0, two.stderr
    assert [line for line in two.stderr.splitlines() if "cache" in line] == [
        f"warning: brief.html: the cache folder {cache} cannot be used (its key is not a "
        f"private file of yours; remove it to make a new one: {cache / 'key'}); building "
        "without it"
    ]


@pytest.mark.parametrize(
    "damage", [b"[]", b"{}", b"[" * 100_000, b"\xff", b'{"inputs": [], "outputs": 3}']
)
def test_a_damaged_build_record_is_a_miss_and_rewritten(
    write_brief, tmp_path: Path, damage: bytes
) -> None:
    brief = write_brief()
    out = tmp_path / "out"
    build(brief, out, formats=["html"])
    record = out / ".counterpoint" / "brief.json"
    good = record.read_bytes()
    record.write_bytes(damage)
    (html,) = build(brief, out, formats=["html"])
    assert not html.cached  # built again
    assert record.read_bytes() == good  # and the record rewritten
    (html,) = build(brief, out, formats=["html"])
    assert html.cached


def test_a_record_naming_files_outside_the_output_folder_is_a_miss(
    write_brief, tmp_path: Path
) -> None:
    import json

    brief = write_brief()
    out = tmp_path / "out"
    build(brief, out, formats=["html"])
    record = out / ".counterpoint" / "brief.json"
    data = json.loads(record.read_text())
    secret = tmp_path / "secret.html"
    secret.write_text("x")
    import hashlib

    entry = data["editions"]["analyst/html"]["outputs"][0]  # even signed by this user
    entry["path"] = str(secret)
    entry["sha256"] = hashlib.sha256(b"x").hexdigest()
    record.write_bytes(signed(out, brief, data))
    (html,) = build(brief, out, formats=["html"])
    assert not html.cached and html.path == out / "brief.html"


def _every_kept_file(cache: Path, out: Path) -> list[Path]:
    return entries(cache) + sorted((out / ".counterpoint").iterdir())


@pytest.fixture(scope="module")
def fuzz_project() -> Iterator[Path]:
    """One project for every example: a brief, a .bib file (so the .bib cache is used)."""
    folder = Path(tempfile.mkdtemp(prefix="counterpoint-fuzz-cache-"))
    (folder / "refs.bib").write_text(
        "@book{petrova-2025, title={Rivers}, author={Petrova, Irina}, year={2025}}\n"
        "@report{lin-2024, title={Migration}, author={{Institute}}, year={2024}}\n"
    )
    (folder / "brief.yaml").write_text(MINIMAL.replace("sources.yaml", "refs.bib"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(noise=st.lists(st.binary(max_size=300), min_size=1, max_size=40))
def test_fuzz_random_bytes_in_every_cache_and_record(
    fuzz_project: Path, noise: list[bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Random bytes written over every cache entry (citations, compiled templates, the
    .bib conversion) and the build record: the build gives the same page."""
    folder = fuzz_project
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder / "xdg"))
    cache = folder / "xdg" / "counterpoint"
    out = folder / "out"
    if not (folder / "clean.html").exists():
        build(folder / "brief.yaml", folder / "clean", formats=["html"])
        shutil.copy(folder / "clean" / "brief.html", folder / "clean.html")
        build(folder / "brief.yaml", out, formats=["html"])
    kept = _every_kept_file(cache, out)
    assert {p.parent.name for p in kept} == {"citeproc", "jinja", "bibtex", ".counterpoint"}
    for i, path in enumerate(kept):
        path.write_bytes(noise[i % len(noise)])
    outputs = build(folder / "brief.yaml", out, formats=["html"])
    assert [o.warnings for o in outputs] == [[]]
    assert (out / "brief.html").read_text() == (folder / "clean.html").read_text()


# -- item 7: a cache that cannot be written ------------------------------------------------------
def test_a_full_cache_disk_is_one_warning_and_the_build_goes_on(
    write_brief, tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    brief = write_brief()
    build(brief, tmp_path / "first", formats=["html"])  # the key is made
    for entry in entries(cache):
        entry.unlink()

    def full(*args: object, **kwargs: object) -> object:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(tempfile, "mkstemp", full)  # every cache write makes a temporary file
    monkeypatch.setattr(tempfile, "NamedTemporaryFile", full)
    out = tmp_path / "out"
    code, stdout, stderr = run("build", str(brief), "-f", "html", "-o", str(out), "--force")
    assert code == 0, stderr
    warnings = [line for line in stderr.splitlines() if "cache folder" in line]
    assert len(warnings) == 1
    assert warnings[0].startswith(
        f"warning: brief.html: the cache folder {cache} cannot be used (No space left on device: "
    )
    assert warnings[0].endswith("); building without it")
    assert stdout.startswith(f"wrote {out / 'brief.html'}")
    assert entries(cache) == []


# -- a record vouches only for what this user built ----------------------------------------------
def test_a_record_written_by_someone_else_is_not_believed(
    write_brief, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A project may arrive with its `out/` folder, records included, and outputs of the
    sender's choosing: their records are not signed with this user's key, so the briefs
    are built, not reported up to date."""
    brief = write_brief()
    out = tmp_path / "out"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "sender"))
    build(brief, out, formats=["html"])
    (out / "brief.html").write_text("<p>planted</p>")
    import hashlib
    import json

    record = out / ".counterpoint" / "brief.json"
    data = json.loads(record.read_text())  # the sender vouches for the planted page
    planted = hashlib.sha256(b"<p>planted</p>").hexdigest()
    data["editions"]["analyst/html"]["outputs"][0]["sha256"] = planted
    record.write_bytes(signed(out, brief, data))
    assert up_to_date(brief, out_dir=out, formats=["html"]) is not None  # for the sender

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "receiver"))
    assert up_to_date(brief, out_dir=out, formats=["html"]) is None
    (html,) = build(brief, out, formats=["html"])
    assert not html.cached and "planted" not in page(out)


def test_a_record_listing_the_whole_disk_is_not_walked(
    write_brief, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    from counterpoint.pipeline import cache as build_cache

    brief = write_brief()
    out = tmp_path / "out"
    build(brief, out, formats=["html"])
    record = out / ".counterpoint" / "brief.json"
    data = json.loads(record.read_text())
    data["editions"]["analyst/html"]["listings"] = {"/": ["d bin"]}
    record.write_bytes(signed(out, brief, data))
    walked: list[str] = []
    real_walk = os.walk

    def walk(top: str, *args: object, **kwargs: object) -> Iterator[object]:
        for entry in real_walk(top, *args, **kwargs):  # type: ignore[call-overload]
            walked.append(entry[0])
            yield entry

    monkeypatch.setattr(build_cache.os, "walk", walk)
    assert up_to_date(brief, out_dir=out, formats=["html"]) is None
    assert walked == ["/"]  # the first folder already holds more than the record lists


def test_an_output_of_an_earlier_command_is_not_replaced_by_another_brief(tmp_path: Path) -> None:
    x, xe = _two(tmp_path, "x.yaml", "x-executive.yaml")
    out = tmp_path / "out"
    assert run("build", str(xe), "-f", "html", "-o", str(out))[0] == 0
    page = (out / "x-executive.html").read_bytes()
    code, stdout, stderr = run("build", str(x), "-f", "html", "-o", str(out), "-a", "all")
    assert code == 1
    assert stdout == ""
    assert stderr.splitlines()[-2:] == [
        f"{x} (executive edition) would write {out / 'x-executive.html'}, which {xe} wrote; "
        "rename one of them (nothing was written)",
        "1 of 1 brief(s) failed",
    ]
    assert (out / "x-executive.html").read_bytes() == page
    assert sorted(p.name for p in out.iterdir()) == [".counterpoint", "x-executive.html"]

    xe.unlink()  # its brief is gone: the name is free
    code, stdout, _ = run("build", str(x), "-f", "html", "-o", str(out), "-a", "all")
    assert code == 0
    assert f"wrote {out / 'x-executive.html'}" in stdout


def test_an_invisible_character_does_not_take_an_earlier_output(tmp_path: Path) -> None:
    plain, hidden = _two(tmp_path, "zq.yaml", "z\u200bq.yaml")
    out = tmp_path / "out"
    assert run("build", str(plain), "-f", "html", "-o", str(out))[0] == 0
    code, _, stderr = run("build", str(hidden), "-f", "html", "-o", str(out))
    assert code == 1
    assert f"{str(hidden)!a} would write {out / 'zq.html'}, which {plain} wrote; " in stderr


def test_a_folder_at_the_record_is_found_before_any_output_is_replaced(
    write_brief, tmp_path: Path
) -> None:
    brief = write_brief()
    out = tmp_path / "out"
    (out / ".counterpoint" / "brief.json").mkdir(parents=True)
    (out / "brief.html").write_text("old")
    with pytest.raises(BuildError) as info:
        build(brief, out, formats=["html"])
    assert (
        str(info.value) == f"{out / '.counterpoint' / 'brief.json'}: cannot write: Is a directory"
    )
    assert (out / "brief.html").read_text() == "old"
    assert sorted(p.name for p in out.iterdir()) == [".counterpoint", "brief.html"]
