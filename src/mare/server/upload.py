"""Uploading a contribution: a single file (with envelope fields for files without one) or a zip of a
bundle folder, streamed to a temporary folder with a size limit, then received by the hub layer
(`mare.hub.intake.receive`: authorised, stored whole or not at all, audited), cross-checked and
geocoded on the writer thread.

Names are checked before anything is written: a file name or zip member with a folder part that
climbs out (`..`), an absolute path, a drive, a backslash, a control character or a leading dot is
refused, as are links inside a zip and archives that unpack to more than the limit.
"""

from __future__ import annotations

import re
import shutil
import stat
import tempfile
import zipfile
from pathlib import Path, PurePosixPath
from typing import Any

from fastapi import Request
from starlette.datastructures import UploadFile

from mare.hub.intake import crosscheck_stored, geocode_stored, receive
from mare.ingest.pipeline import IngestOptions
from mare.ingest.sources import find_sources
from mare.server.access import BadInput, hub_context, write

MAX_UPLOAD = 256 << 20
MAX_MEMBERS = 10_000
CHUNK = 1 << 20
_BAD_CHARS = re.compile(r"[\x00-\x1f\\:]")
HANDLING_CODES = ("H0", "H1", "H2", "H3")


class TooLarge(BadInput):
    """An upload over the size limit (413)."""


def safe_name(name: str, what: str = "file name") -> str:
    """A relative path made of plain parts, or BadInput saying what is wrong with it."""
    if not name or len(name) > 255 or _BAD_CHARS.search(name):
        raise BadInput(
            f"{what} {name!r} is empty, too long or has a control character, ':' or '\\': rename it"
        )
    path = PurePosixPath(name)
    if path.is_absolute() or any(part in ("..", "") or part.startswith(".") for part in path.parts):
        raise BadInput(f"{what} {name!r} climbs out of its folder or is hidden: send plain names")
    return str(path)


async def _save(upload: UploadFile, folder: Path, limit: int) -> Path:
    name = safe_name(upload.filename or "", "file name")
    if "/" in name:
        raise BadInput(f"file name {name!r} has a folder part: send the file itself, or a zip of the folder")
    target = folder / name
    written = 0
    with target.open("wb") as handle:
        while chunk := await upload.read(CHUNK):
            written += len(chunk)
            if written > limit:
                raise TooLarge(f"{name} is larger than {limit:,} bytes: split the contribution")
            handle.write(chunk)
    return target


def _unzip(archive: Path, folder: Path, limit: int) -> None:
    try:
        with zipfile.ZipFile(archive) as zipped:
            members = zipped.infolist()
            if len(members) > MAX_MEMBERS:
                raise BadInput(f"{archive.name} holds {len(members):,} files, more than {MAX_MEMBERS:,}")
            if sum(m.file_size for m in members) > limit:
                raise TooLarge(f"{archive.name} unpacks to more than {limit:,} bytes")
            for member in members:
                safe_name(member.filename.rstrip("/"), f"zip member of {archive.name}")
                if stat.S_ISLNK(member.external_attr >> 16):
                    raise BadInput(f"zip member {member.filename!r} is a link: send the file itself")
            for member in members:
                target = folder / member.filename
                if member.is_dir():
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                with zipped.open(member) as source, target.open("wb") as out:
                    shutil.copyfileobj(source, out, CHUNK)
    except zipfile.BadZipFile as exc:
        raise BadInput(f"{archive.name} is not a readable zip: {exc}") from None


async def upload_action(request: Request) -> dict[str, Any]:
    """Receive one contribution (a file, or a zip of a bundle folder); the reports say what was stored
    and every row's problem."""
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise BadInput("send the contribution as multipart/form-data with a field `file`")
    limit = request.app.state.mare.max_upload
    form = await request.form(max_files=1, max_fields=20)
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise BadInput("no file: send it in the multipart field `file`")
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    unknown = sorted(set(fields) - {"agency", "handling", "strict", "csrf", "purpose", "why", "next"})
    if unknown:
        raise BadInput(f"unknown field {unknown[0]!r}: use file, agency, handling, strict")
    handling = fields.get("handling") or "H2"
    if handling not in HANDLING_CODES:
        raise BadInput(f"handling {handling!r}: use one of {', '.join(HANDLING_CODES)}")
    agency = fields.get("agency") or None
    if agency is not None and not re.fullmatch(r"[A-Z0-9-]{2,40}", agency):
        raise BadInput(f"agency {agency!r} is not an agency id such as DE-BKA")
    options = IngestOptions(
        agency=agency, handling=handling, strict=fields.get("strict") in ("1", "true", "on")
    )
    with tempfile.TemporaryDirectory(prefix="mare-upload-") as tmp:
        folder = Path(tmp)
        incoming = folder / "incoming"
        incoming.mkdir()
        saved = await _save(upload, incoming, limit)
        if saved.suffix.lower() == ".zip":
            unpacked = folder / "unpacked"
            unpacked.mkdir()
            _unzip(saved, unpacked, limit)
            saved.unlink()
            sources, skipped = find_sources([unpacked])
        else:
            sources, skipped = find_sources([saved])
        if not sources:
            why = "; ".join(f"{s.path.name}: {s.reason}" for s in skipped[:3]) or "nothing found"
            raise BadInput(
                f"nothing to ingest ({why}): send JSON, a CSV bundle folder (zipped), call records or FtM"
            )
        with hub_context(request, "POST contributions", fields) as ctx:

            def ingest(c: Any) -> list[Any]:
                reports = [receive(c, source, options) for source in sources]
                stored = [r.contribution for r in reports if r.status == "stored" and r.contribution]
                crosscheck_stored(c, stored, "auto")
                geocode_stored(c, stored)
                return reports

            # new contributions only add (one replacing another withholds: `receive` marks it)
            reports = await write(request, ctx, ingest, serial=False, adds_only=True)
    items = []
    for report in reports:
        data = report.as_dict()
        data["source"] = Path(report.source).name
        items.append(data)
    stored = any(r.status == "stored" for r in reports)
    return {"stored": stored, "reports": items, "skipped": [s.path.name for s in skipped]}
