"""A plain CSV of social-media posts (`platform,url,posted_at,author,text`) as a contribution.

The header names the five columns (any order, case and spaces ignored; other columns are warned
about and ignored). Each row is a post. Rejected alone, by row: no text; a row with broken quoting.
A `posted_at` that is not a date and time keeps the post without its time, with a warning; an empty
platform is read as `other`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from mare.ingest.csv_text import csv_rows, header_problems
from mare.ingest.decode import decode_bytes, read_limited
from mare.ingest.parsed import Envelope, ParsedContribution
from mare.ingest.posts import Post, PostReader, posts_contribution
from mare.ingest.problems import ContributionError, Problem

COLUMNS = ("platform", "url", "posted_at", "author", "text")
HEADER_FIX = "the first line must name the columns: platform,url,posted_at,author,text"


def _header(cells: list[str]) -> list[str]:
    return [c.strip().lower().replace(" ", "_").lstrip("\ufeff") for c in cells]


def looks_like_posts_csv(path: Path) -> bool:
    """True for a CSV whose header names three or more of the posts columns."""
    try:
        with path.open("rb") as fh:
            first = fh.readline(4096).decode("utf-8", "ignore")
    except OSError:
        return False
    header = set(_header(first.strip().split(",")))
    return len(header & set(COLUMNS)) >= 3


def _when(raw: str) -> str | None:
    text = raw.strip().replace("Z", "+00:00")
    for candidate in (text, text.replace(" ", "T", 1)):
        try:
            return dt.datetime.fromisoformat(candidate).isoformat()
        except ValueError:
            continue
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        return None


def read_posts_csv(path: Path, encoding: str | None = None) -> tuple[list[Post], list[Problem]]:
    """The posts of a CSV, and the problems met (raises ContributionError for the file)."""
    name = path.name
    text, problems = decode_bytes(read_limited(path, name), name, encoding)
    rows = csv_rows(text.splitlines(), name, problems)
    first = next(rows, None)
    if first is None:
        raise ContributionError([Problem(name, None, None, "the file is empty", HEADER_FIX)])
    header = _header(first.cells)
    bad = header_problems(header, name)
    missing = [c for c in ("text",) if c not in header]
    if bad or missing:
        raise ContributionError(
            bad or [Problem(name, 1, "text", f"no 'text' column (found: {', '.join(header)})", HEADER_FIX)]
        )
    for extra in [c for c in header if c not in COLUMNS]:
        problems.append(
            Problem(
                name,
                1,
                extra,
                f"column {extra!r} is not one of the posts columns; ignored",
                HEADER_FIX,
                "warning",
            )
        )
    at = {c: header.index(c) for c in COLUMNS if c in header}
    posts: list[Post] = []
    for row in rows:
        cells = row.cells
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            problems.append(
                Problem(
                    name,
                    row.line,
                    None,
                    f"{len(cells)} cells where the header has {len(header)}; the row was rejected",
                    "quote a text holding commas or line breaks in double quotes",
                )
            )
            continue
        value = {c: cells[i].strip() for c, i in at.items()}
        if not value.get("text"):
            problems.append(
                Problem(name, row.line, "text", "no text; the post was not stored", "give the post's text")
            )
            continue
        posted = None
        if value.get("posted_at"):
            posted = _when(value["posted_at"])
            if posted is None:
                problems.append(
                    Problem(
                        name,
                        row.line,
                        "posted_at",
                        f"{value['posted_at']!r} is not a date and time; the post was kept without its time",
                        "write it as YYYY-MM-DDTHH:MM:SS (ISO 8601), e.g. 2024-05-01T14:30:00",
                        "warning",
                    )
                )
        platform = (value.get("platform") or "other").lower()
        posts.append(
            Post(
                key=f"post-{row.line}",
                row=row.line,
                platform=platform,
                text=cells[at["text"]],
                posted_at=posted,
                url=value.get("url") or None,
                author=value.get("author") or None,
                provenance=[f"{platform} post, {name} row {row.line}"],
            )
        )
    return posts, problems


def read_posts_contribution(
    path: Path, envelope: Envelope, encoding: str | None = None, read_post: PostReader | None = None
) -> ParsedContribution:
    """A posts CSV as a contribution (posts as advert records)."""
    posts, problems = read_posts_csv(path, encoding)
    return posts_contribution(path.name, path, "posts", envelope, posts, problems, read_post)
