"""The fetch policy: which files and URLs a page or a PDF may load (docs/security.md).

One policy serves the page check (sanitize.py) and WeasyPrint's fetcher (pdflayout.py): regular
files inside the brief's project only, no hidden files, no network unless allowed.
"""

from __future__ import annotations

import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from counterpoint.process.limits import MAX_DATA_URL, MAX_FETCH_BYTES


@dataclass
class FetchPolicy:
    """What a page may load: project files, small data: URLs, and remote URLs if allowed.

    Project files are those under `roots` (the brief's folder, the template set folders
    and ./assets), after following symbolic links; they must be regular files of at most
    MAX_FETCH_BYTES. The PDF loads everything through this policy (images, stylesheets,
    @import, fonts, attachments, SVG references), and sanitize.sanitize_html applies it to
    the HTML page. `refused` collects the PDF's refusals, one warning each.
    """

    roots: list[Path]
    allow_remote: bool = False
    refused: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.roots = [Path(r).resolve() for r in self.roots]

    def check(self, url: str) -> str | None:
        """None if the URL may be fetched, else the reason it may not."""
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme == "data":
            if len(url) > MAX_DATA_URL:
                return f"data: URL of {len(url):,} bytes is over the {MAX_DATA_URL:,}-byte limit"
            return None
        if scheme in ("http", "https"):
            return None if self.allow_remote else "remote fetches are off (use --allow-remote)"
        if scheme == "file":
            return self._check_file(parts.netloc, unquote(parts.path))
        return f"{scheme or 'relative'}: URLs are not allowed"

    def _check_file(self, host: str, name: str) -> str | None:
        if host not in ("", "localhost"):
            return "file: URLs naming another host are not allowed"
        try:
            path = Path(name).resolve()
        except (OSError, ValueError):
            return "not a usable file path"
        except RuntimeError:  # pathlib's error for a link loop (Python 3.11, 3.12)
            return "a symbolic link that leads back to itself"
        root = next((r for r in self.roots if path == r or r in path.parents), None)
        if root is None:
            return "outside the brief's project (its folder, the template set and ./assets)"
        if any(part.startswith(".") for part in path.relative_to(root).parts):
            # .env, .git/config, .ssh: a template could otherwise attach them to the PDF
            return "a hidden file or folder (its name starts with '.')"
        try:
            info = path.stat()
        except OSError:
            return None  # missing: WeasyPrint reports it
        if not stat.S_ISREG(info.st_mode):
            return "not a regular file"
        if info.st_size > MAX_FETCH_BYTES:
            return f"file of {info.st_size:,} bytes is over the {MAX_FETCH_BYTES:,}-byte limit"
        return None


class RefusedFetch(ValueError):
    """A URL the policy refused; already in `FetchPolicy.refused`, so WeasyPrint's log line
    about it ("Failed to load ... RefusedFetch: ...") is dropped."""


def _fetcher(policy: FetchPolicy) -> Any:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class SafeFetcher(URLFetcher):
        """Every load WeasyPrint makes, redirects included, passes through `policy`."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            reason = policy.check(url)
            if reason is not None:
                policy.refused.append(f"refused to load {_short(url)}: {reason}")
                raise RefusedFetch(reason)
            response = super().fetch(url, headers)
            try:
                body = response.read(MAX_FETCH_BYTES + 1)
            finally:
                response.close()
            if len(body) > MAX_FETCH_BYTES:
                limit = f"larger than the {MAX_FETCH_BYTES:,}-byte limit"
                policy.refused.append(f"refused to load {_short(url)}: {limit}")
                raise RefusedFetch(limit)
            return URLFetcherResponse(response.url, body, response.headers, response.status)

    return SafeFetcher(timeout=10, allowed_protocols=["file", "data", "http", "https"])


def _short(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."
