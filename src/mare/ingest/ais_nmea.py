"""AIS NMEA (AIVDM/AIVDO) to columns: tag blocks, checksums, multi-part messages, decoding.

Every sentence is accounted for: it becomes a position, a static report, another message type
(counted by type), or a problem with its line and reason. Position reports of types 1, 2, 3 and
18 that fit in one sentence (the bulk of any feed) are decoded column-wise with numpy (the bit
layout of ITU-R M.1371-5, checked field by field against pyais in the tests); every other message,
multi-part ones included, is decoded by pyais. Lines are not split one by one: one RE2 match over
every line (Arrow) says which are well formed, and those are cut by the positions of their commas
and backslashes (numpy); only the others, and every sentence off the fast path, become objects.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray
from pyais import decode as pyais_decode
from pyais.exceptions import AISBaseException

#: Bits of one-sentence position reports: (type 1-3 start, type 18 start, length, signed).
_FIELDS: dict[str, tuple[int, int, int, bool]] = {
    "mmsi": (8, 8, 30, False),
    "speed": (50, 46, 10, False),
    "lon": (61, 57, 28, True),
    "lat": (89, 85, 27, True),
    "course": (116, 112, 12, False),
    "heading": (128, 124, 9, False),
}
POSITION_TYPES = frozenset({1, 2, 3, 18, 19, 27})
STATIC_TYPES = frozenset({5, 19, 24})
MAX_PROBLEMS = 100_000
#: One well-formed line: optional tag block whose fields are plain and include c:, then the sentence.
_LINE = re.compile(
    rb"(?:\\(?:[a-bd-z]:[^,*\\]*,)*c:(\d+)(?:,[a-z]:[^,*\\]*)*\*[0-9A-Fa-f]{2}\\)?"
    rb"([!$][A-Z]{2}VD[MO],(\d),(\d),([0-9]?),([AB12]?),([0-9:;<=>?@A-W`a-w]*),[0-5]\*[0-9A-Fa-f]{2})\r?$"
)
#: The same shape for Arrow's RE2 (match only: a DFA pass, no captures).
_LINE_RE2 = (
    r"^(?:\\(?:[a-bd-z]:[^,*\\]*,)*c:\d{1,15}(?:,[a-z]:[^,*\\]*)*\*[0-9A-Fa-f]{2}\\)?"
    r"[!$][A-Z]{2}VD[MO],\d,\d,[0-9]?,[AB12]?,[0-9:;<=>?@A-W`a-w]*,[0-5]\*[0-9A-Fa-f]{2}\r?\n?$"
)
_TAG_TIME = re.compile(rb"(?:^|,)c:(\d+)(?=[,*]|$)")


@dataclass(slots=True)
class Decoded:
    """Columns decoded from one file: positions, static reports, counts and problems."""

    chunks: list[dict[str, NDArray[Any]]] = field(default_factory=list)  # validated positions, column-wise
    slow_rows: list[tuple[Any, ...]] = field(
        default_factory=list
    )  # positions pyais decoded, not yet validated
    static: list[dict[str, Any]] = field(default_factory=list)
    sentences: int = 0
    other_types: dict[int, int] = field(default_factory=dict)
    problems: list[tuple[int, str, str, str]] = field(default_factory=list)  # line, field, reason, severity
    rejected: int = 0
    untimed: int = 0
    first_untimed: int | None = None

    def positions(self) -> dict[str, NDArray[Any]]:
        """Every validated position, column-wise (t -1: no receiver time; heading -1, NaN speeds: none)."""
        names = ("line", "mmsi", "t", "lat", "lon", "sog", "cog", "heading", "type")
        if not self.chunks:
            return {n: np.zeros(0) for n in names}
        return {n: np.concatenate([c[n] for c in self.chunks]) for n in names}

    def problem(self, line: int, fld: str, reason: str, severity: str = "error") -> None:
        """Note one problem (an error rejects the line's sentence)."""
        if severity == "error":
            self.rejected += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append((line, fld, reason, severity))


@dataclass(slots=True)
class _Sentence:
    line: int
    text: bytes  # the sentence without its tag block
    t: int | None
    frag_cnt: int
    frag_num: int
    seq: bytes
    channel: bytes
    payload: bytes


def _tag_time(tag: bytes) -> int | None:
    """The receiver time (`c:`, UNIX seconds or milliseconds) in an NMEA 4.0 tag block."""
    found = _TAG_TIME.search(tag)
    if found is None:
        if b"c:" in tag.split(b"*", 1)[0]:
            raise ValueError(tag)  # a c: field that is not a number: the caller reports it
        return None
    value = int(found.group(1))
    return value // 1000 if value > 100_000_000_000 else value


def _split(numbered: Iterable[tuple[int, bytes]], out: Decoded) -> list[_Sentence]:
    """Tag blocks and fields of each (line number, line); malformed lines become problems."""
    sentences: list[_Sentence] = []
    match = _LINE.match
    add = sentences.append
    for line_no, raw in numbered:
        m = match(raw)
        if m is not None:  # the common shape: an optional tag block with c:, then a whole sentence
            stamp, text, cnt, num, seq, channel, payload = m.groups()
            out.sentences += 1
            t0 = int(stamp) if stamp is not None else None
            if t0 is not None and t0 > 100_000_000_000:
                t0 //= 1000
            add(_Sentence(line_no, text, t0, int(cnt), int(num), seq, channel, payload))
            continue
        text = raw.strip()
        if not text:
            continue
        out.sentences += 1
        t: int | None = None
        if text[:1] == b"\\":
            end = text.find(b"\\", 1)
            if end < 0:
                out.problem(line_no, "tag block", "tag block opened with \\ but never closed")
                continue
            try:
                t = _tag_time(text[1:end])
            except ValueError:
                out.problem(line_no, "tag block", f"receiver time {text[1:end]!r} is not a number")
                continue
            text = text[end + 1 :]
        parts = text.split(b",")
        if len(parts) != 7 or parts[0][-5:] not in (b"AIVDM", b"AIVDO") or parts[0][:1] not in (b"!", b"$"):
            out.problem(
                line_no, "sentence", f"not an AIS sentence (!AIVDM/!AIVDO with 7 fields): {text[:40]!r}"
            )
            continue
        if not (parts[1].isdigit() and parts[2].isdigit()) or b"*" not in parts[6]:
            out.problem(line_no, "sentence", "fragment count, number or checksum missing")
            continue
        sentences.append(
            _Sentence(line_no, text, t, int(parts[1]), int(parts[2]), parts[3], parts[4], parts[5])
        )
    return sentences


def _checksums_ok(sentences: list[_Sentence]) -> NDArray[np.bool_]:
    """XOR of the characters between the leading !/$ and the *, against the stated checksum (vectorised)."""
    if not sentences:
        return np.zeros(0, dtype=np.bool_)
    bodies = [s.text[1 : s.text.rfind(b"*")] for s in sentences]
    lengths = np.fromiter(map(len, bodies), np.int64, len(bodies))
    buf = np.frombuffer(b"".join(bodies), dtype=np.uint8)
    starts = np.zeros(len(bodies), dtype=np.int64)
    np.cumsum(lengths[:-1], out=starts[1:])
    computed = np.zeros(len(bodies), dtype=np.int64)
    nonempty = lengths > 0
    if buf.size:
        computed[nonempty] = np.bitwise_xor.reduceat(buf, starts[nonempty]).astype(np.int64)
    stated = np.array([_hex(s.text[s.text.rfind(b"*") + 1 :]) for s in sentences], dtype=np.int64)
    return computed == stated


def _hex(text: bytes) -> int:
    try:
        return int(text.strip()[:2], 16)
    except ValueError:
        return -1


def _packed(ascii_rows: NDArray[np.uint8]) -> NDArray[np.uint8]:
    """N equal-length payloads (ASCII armoured) as rows of the bytes of their bits, 8 zero bytes after."""
    n, chars = ascii_rows.shape
    codes = ascii_rows - np.uint8(48)
    codes -= np.uint8(8) * (codes > 40)
    groups = -(-chars // 4)
    padded = np.zeros((n, groups * 4), dtype=np.uint32)
    padded[:, :chars] = codes & np.uint8(63)
    g = padded.reshape(n, groups, 4)
    word = (g[:, :, 0] << 18) | (g[:, :, 1] << 12) | (g[:, :, 2] << 6) | g[:, :, 3]
    out = np.zeros((n, groups * 3 + 8), dtype=np.uint8)
    out[:, : groups * 3] = word.astype(">u4").view(np.uint8).reshape(n, groups, 4)[:, :, 1:].reshape(n, -1)
    return out


def _uint(packed: NDArray[np.uint8], start: int, length: int, signed: bool = False) -> NDArray[np.int64]:
    """The unsigned (or two's-complement) integer in bits [start, start+length) of each row (<= 32 bits)."""
    first = start // 8
    window = np.ascontiguousarray(packed[:, first : first + 8]).view(">u8")[:, 0]
    values = ((window >> np.uint64(64 - start % 8 - length)) & np.uint64((1 << length) - 1)).astype(np.int64)
    if signed:
        values = np.where(values >= 1 << (length - 1), values - (1 << length), values)
    return np.asarray(values, np.int64)


def _text(packed: NDArray[np.uint8], start: int, chars: int) -> list[str | None]:
    """AIS six-bit text (@ and trailing spaces removed; empty: None) of every row."""
    codes = np.stack([_uint(packed, start + 6 * k, 6) for k in range(chars)], axis=1)
    ascii_codes = np.where(codes < 32, codes + 64, codes).astype(np.uint8)
    raw = np.ascontiguousarray(ascii_codes).view(f"S{chars}").ravel()
    distinct, where = np.unique(raw, return_inverse=True)  # a vessel repeats its name: decode each once
    texts = [text.decode("ascii").replace("@", "").strip() or None for text in distinct.tolist()]
    return [texts[i] for i in where.ravel().tolist()]


def _rows(payloads: list[bytes], chars: int) -> NDArray[np.uint8]:
    return np.frombuffer(b"".join(payloads), dtype=np.uint8).reshape(len(payloads), chars)


def decode_fast(payloads: list[bytes], types: NDArray[np.int64]) -> dict[str, NDArray[Any]]:
    """Types 1, 2, 3 and 18 in one sentence, decoded column-wise (values as pyais gives them)."""
    return _decode_positions(_rows(payloads, 28), types)


def _decode_positions(ascii_rows: NDArray[np.uint8], types: NDArray[np.int64]) -> dict[str, NDArray[Any]]:
    bits = _packed(ascii_rows)
    b18 = types == 18
    out: dict[str, NDArray[Any]] = {}
    for name, (a, b, length, signed) in _FIELDS.items():
        out[name] = np.where(b18, _uint(bits, b, length, signed), _uint(bits, a, length, signed))
    out["lat"] = np.round(out["lat"] / 600_000.0, 6)
    out["lon"] = np.round(out["lon"] / 600_000.0, 6)
    out["speed"] = out["speed"] / 10.0
    out["course"] = out["course"] / 10.0
    return out


def decode_static5(payloads: list[bytes]) -> list[dict[str, Any]]:
    """Type 5 (static and voyage data, 424 bits in 71 characters) decoded column-wise."""
    return _static5(_rows(payloads, 71))


def _static5(ascii_rows: NDArray[np.uint8]) -> list[dict[str, Any]]:
    bits = _packed(ascii_rows)
    mmsi, imo = _uint(bits, 8, 30), _uint(bits, 40, 30)
    call, name, dest = _text(bits, 70, 7), _text(bits, 112, 20), _text(bits, 302, 20)
    ship_type = _uint(bits, 232, 8)
    length = _uint(bits, 240, 9) + _uint(bits, 249, 9)
    width = _uint(bits, 258, 6) + _uint(bits, 264, 6)
    draught = _uint(bits, 294, 8) / 10.0
    return [
        {
            "mmsi": m,
            "imo": str(i) if i else None,
            "name": n,
            "call_sign": c,
            "ship_type": st or None,
            "length_m": float(ln) or None,
            "width_m": float(w) or None,
            "draught_m": d or None,
            "destination": de,
        }
        for m, i, n, c, st, ln, w, d, de in zip(
            mmsi.tolist(),
            imo.tolist(),
            name,
            call,
            ship_type.tolist(),
            length.tolist(),
            width.tolist(),
            draught.tolist(),
            dest,
            strict=True,
        )
    ]


@dataclass(slots=True)
class _Fast:
    """One-sentence position reports found by the scan, column-wise (payloads as rows of ASCII)."""

    lines: NDArray[np.int64]
    times: NDArray[np.int64]
    payloads: NDArray[np.uint8]


def _hexval(c: NDArray[np.int64]) -> NDArray[np.int64]:
    return np.where(c <= 57, c - 48, np.where(c <= 70, c - 55, c - 87))


def _scan(data: bytes, first_line: int, out: Decoded) -> tuple[list[_Sentence], _Fast | None, _Fast | None]:
    """Every line at once: well-formed lines are cut by position (numpy), the rest go through `_split`.

    One-sentence position reports with a good checksum come back column-wise, and so do clean two-part
    type 5 messages (their 71 characters); every other sentence (other multi-part messages, other
    types, bad checksums, malformed lines) as a `_Sentence`, in line order.
    """
    buf = np.frombuffer(data, dtype=np.uint8)
    if not buf.size:
        return [], None, None
    breaks = np.flatnonzero(buf == 10)
    starts = np.concatenate(([0], breaks + 1))
    if buf[-1] == 10:
        starts = starts[:-1]
    ends = np.concatenate((breaks, [buf.size]))[: starts.size]
    offsets = np.concatenate((starts, [buf.size])).astype(np.int64)
    lines = pa.LargeBinaryArray.from_buffers(
        pa.large_binary(), starts.size, [None, pa.py_buffer(offsets.tobytes()), pa.py_buffer(data)]
    )
    well = np.asarray(pc.match_substring_regex(lines, pattern=_LINE_RE2).to_numpy(zero_copy_only=False))
    rest = _split(((first_line + int(i), data[starts[i] : ends[i]]) for i in np.flatnonzero(~well)), out)
    idx = np.flatnonzero(well)
    out.sentences += int(idx.size)
    if not idx.size:
        return rest, None, None
    s, e = starts[idx], ends[idx]
    e = e - (buf[e - 1] == 13)
    tagged = buf[s] == 92
    ss = s.copy()  # where the sentence starts (after the tag block)
    times = np.full(idx.size, -1, dtype=np.int64)
    if tagged.any():
        slashes = np.flatnonzero(buf == 92)
        ss[tagged] = slashes[np.searchsorted(slashes, s[tagged]) + 1] + 1
        c_at = np.flatnonzero((buf[:-1] == 99) & (buf[1:] == 58))
        c_at = c_at[(c_at > 0) & np.isin(buf[c_at - 1], (44, 92))]  # a field name c:, not inside a value
        digits = c_at[np.searchsorted(c_at, s[tagged])] + 2
        stops = np.flatnonzero((buf == 44) | (buf == 42))
        count = stops[np.searchsorted(stops, digits)] - digits
        value = np.zeros(digits.size, dtype=np.int64)
        for k in range(int(count.max())):
            more = count > k
            d = buf[np.minimum(digits + k, buf.size - 1)].astype(np.int64) - 48
            value = np.where(more, value * 10 + d, value)
        times[tagged] = np.where(value > 100_000_000_000, value // 1000, value)
    commas = np.flatnonzero(buf == 44)
    c = commas[np.searchsorted(commas, ss)[:, None] + np.arange(6)]
    xor = np.bitwise_xor.accumulate(buf)
    stated = _hexval(buf[e - 2].astype(np.int64)) * 16 + _hexval(buf[e - 1].astype(np.int64))
    good = (xor[e - 4] ^ xor[ss]).astype(np.int64) == stated
    count_1 = buf[c[:, 0] + 1] == 49
    length = c[:, 5] - c[:, 4] - 1
    kind_ok = np.isin(buf[np.minimum(c[:, 4] + 1, buf.size - 1)], (49, 50, 51, 66))
    fast = good & count_1 & (length == 28) & kind_ok
    five_at = _clean_fives(buf, idx, c, good, length, rest)
    taken = fast.copy()
    taken[five_at] = taken[five_at + 1] = True
    for k in np.flatnonzero(~taken).tolist():
        a, b, cc = int(ss[k]), int(e[k]), c[k].tolist()
        rest.append(
            _Sentence(
                first_line + int(idx[k]),
                data[a:b],
                None if times[k] < 0 else int(times[k]),
                int(buf[cc[0] + 1]) - 48,
                int(buf[cc[1] + 1]) - 48,
                data[cc[2] + 1 : cc[3]],
                data[cc[3] + 1 : cc[4]],
                data[cc[4] + 1 : cc[5]],
            )
        )
    rest.sort(key=lambda x: x.line)
    fives = None
    if five_at.size:
        first, split = c[five_at, 4] + 1, length[five_at][:, None]
        j = np.arange(71)
        rows = buf[np.where(j < split, first[:, None] + j, (c[five_at + 1, 4] + 1)[:, None] + j - split)]
        fives = _Fast(first_line + idx[five_at], times[five_at], rows)
    where = np.flatnonzero(fast)
    if not where.size:
        return rest, None, fives
    payloads = buf[c[where, 4][:, None] + 1 + np.arange(28)]
    return rest, _Fast(first_line + idx[where], times[where], payloads), fives


def _clean_fives(
    buf: NDArray[np.uint8],
    idx: NDArray[np.int64],
    c: NDArray[np.int64],
    good: NDArray[np.bool_],
    length: NDArray[np.int64],
    rest: list[_Sentence],
) -> NDArray[np.int64]:
    """Where two-part type 5 messages can be assembled column-wise: the first part of each.

    Only when every multi-part sentence of the block is one of two adjacent lines, part 1 then part 2
    of 2, same sequence id and channel, both checksums good: then nothing is ever pending between them
    and the result is the line-by-line assembly's. Otherwise none (the line-by-line path does it all)."""
    none = np.zeros(0, dtype=np.int64)
    count = buf[c[:, 0] + 1].astype(np.int64) - 48
    number = buf[c[:, 1] + 1].astype(np.int64) - 48
    multi = count != 1
    if not multi.any() or any(s.frag_cnt != 1 for s in rest):
        return none
    seq = np.where(c[:, 3] - c[:, 2] == 2, buf[c[:, 2] + 1], 0).astype(np.int64)
    key = (seq << 8) | np.where(c[:, 4] - c[:, 3] == 2, buf[c[:, 3] + 1], 0)
    nxt = np.minimum(np.arange(1, idx.size + 1), idx.size - 1)
    adjacent = np.zeros(idx.size, dtype=bool)
    adjacent[:-1] = idx[1:] == idx[:-1] + 1
    first = (count == 2) & (number == 1) & good & adjacent
    first &= (count[nxt] == 2) & (number[nxt] == 2) & good[nxt] & (key[nxt] == key)
    second = np.zeros_like(first)
    second[1:] = first[:-1]
    if not np.array_equal(multi, first | second):
        return none
    at = np.flatnonzero(first)
    return at[(length[at] + length[at + 1] == 71) & (buf[c[at, 4] + 1] == 53)]


def read_nmea(data: bytes, first_line: int = 1, out: Decoded | None = None) -> Decoded:
    """Decode the AIS sentences in `data` (whole lines) into columns, problems and counts."""
    out = out or Decoded()
    scanned: _Fast | None = None
    fives: _Fast | None = None
    if data.count(b"\r") != data.count(b"\r\n"):  # lines ended by a bare CR: the line-by-line path
        sentences = _split(enumerate(data.splitlines(), first_line), out)
    else:
        sentences, scanned, fives = _scan(data, first_line, out)
    ok = _checksums_ok(sentences)
    fast: list[_Sentence] = []
    five: list[tuple[_Sentence, bytes]] = []  # complete two-part type 5 messages
    pending: dict[tuple[bytes, bytes, int], list[_Sentence]] = {}
    for s, good in zip(sentences, ok.tolist(), strict=True):
        if not good:
            stated = s.text[s.text.rfind(b"*") + 1 :].decode("ascii", "replace")
            out.problem(
                s.line, "checksum", f"checksum *{stated} does not match the sentence (corrupted in transit)"
            )
            continue
        if s.frag_cnt == 1:
            if len(s.payload) == 28 and s.payload[:1] in (b"1", b"2", b"3", b"B"):
                fast.append(s)
            else:
                _slow(out, [s])
            continue
        key = (s.seq, s.channel, s.frag_cnt)
        parts = pending.get(key)
        if s.frag_num == 1:
            if parts:
                _incomplete(out, parts)
            pending[key] = [s]
        elif parts and parts[-1].frag_num == s.frag_num - 1:
            parts.append(s)
        else:
            out.problem(s.line, "fragment", f"part {s.frag_num} of {s.frag_cnt} without the parts before it")
            continue
        if len(pending[key]) == s.frag_cnt:
            done = pending.pop(key)
            payload = b"".join(p.payload for p in done)
            if len(payload) == 71 and payload[:1] == b"5":
                five.append((done[0], payload))
            else:
                _slow(out, done)
    for parts in pending.values():
        _incomplete(out, parts)
    if scanned is not None:
        kinds = np.zeros(256, dtype=np.int64)
        kinds[[49, 50, 51, 66]] = (1, 2, 3, 18)
        types = kinds[scanned.payloads[:, 0]]
        _positions(out, scanned.lines, scanned.times, _decode_positions(scanned.payloads, types), types)
    if fast:
        _add_fast(out, fast)
    if five:
        for (first, _), row in zip(five, decode_static5([p for _, p in five]), strict=True):
            row["line"], row["t"] = first.line, first.t
            out.static.append(row)
    if fives is not None:
        for line, t, row in zip(
            fives.lines.tolist(), fives.times.tolist(), _static5(fives.payloads), strict=True
        ):
            row["line"], row["t"] = line, None if t < 0 else t
            out.static.append(row)
    if out.slow_rows:
        columns = list(zip(*out.slow_rows, strict=True))
        names = ("lat", "lon", "mmsi", "speed", "course", "heading")
        _positions(
            out,
            np.array(columns[0], np.int64),
            np.array(columns[1], np.int64),
            dict(zip(names, columns[2:8], strict=True)),
            np.array(columns[8], np.int64),
        )
        out.slow_rows = []
    return out


def _incomplete(out: Decoded, parts: list[_Sentence]) -> None:
    got = len(parts)
    for s in parts:
        out.problem(s.line, "fragment", f"multi-part message truncated: {got} of {s.frag_cnt} parts arrived")


def _add_fast(out: Decoded, fast: list[_Sentence]) -> None:
    kinds = {49: 1, 50: 2, 51: 3, 66: 18}
    types = np.array([kinds[s.payload[0]] for s in fast], dtype=np.int64)
    cols = decode_fast([s.payload for s in fast], types)
    lines = np.array([s.line for s in fast], dtype=np.int64)
    times = np.array([-1 if s.t is None else s.t for s in fast], dtype=np.int64)
    _positions(out, lines, times, cols, types)


def _positions(
    out: Decoded,
    lines: NDArray[np.int64],
    times: NDArray[np.int64],
    cols: dict[str, Any],
    types: NDArray[np.int64],
) -> None:
    """Validate position reports column-wise, keep the good ones (time -1: none); bad ones become problems."""
    lat = np.asarray(cols["lat"], np.float64)
    lon = np.asarray(cols["lon"], np.float64)
    mmsi = np.asarray(cols["mmsi"], np.int64)
    speed = np.asarray(cols["speed"], np.float64)
    course = np.asarray(cols["course"], np.float64)
    heading = np.asarray(cols["heading"], np.int64)
    missing = (lat == 91.0) | (lon == 181.0)
    impossible = ~missing & ((np.abs(lat) > 90.0) | (np.abs(lon) > 180.0))
    nobody = ~missing & ~impossible & (mmsi <= 0)
    for i in np.flatnonzero(missing).tolist():
        out.problem(int(lines[i]), "position", "position not available (lat 91 / lon 181 sent)")
    for i in np.flatnonzero(impossible).tolist():
        out.problem(int(lines[i]), "position", f"impossible position lat {lat[i]}, lon {lon[i]}")
    for i in np.flatnonzero(nobody).tolist():
        out.problem(int(lines[i]), "mmsi", "MMSI 0 (no identity)")
    keep = ~(missing | impossible | nobody)
    no_speed = keep & (speed >= 102.3)
    for i in np.flatnonzero(no_speed).tolist():
        out.problem(int(lines[i]), "sog", "speed not available (102.3); stored without speed", "warning")
    untimed = keep & (times < 0)
    if untimed.any():
        out.untimed += int(untimed.sum())
        if out.first_untimed is None:
            out.first_untimed = int(lines[np.flatnonzero(untimed)[0]])
    out.chunks.append(
        {
            "line": lines[keep],
            "mmsi": mmsi[keep],
            "t": times[keep],
            "lat": lat[keep],
            "lon": lon[keep],
            "sog": np.where(speed >= 102.3, np.nan, speed)[keep],
            "cog": np.where(course >= 360.0, np.nan, course)[keep],
            "heading": np.where(heading >= 360, -1, heading)[keep],
            "type": types[keep],
        }
    )


def _slow(out: Decoded, parts: list[_Sentence]) -> None:
    """Decode one message with pyais (multi-part or not on the fast path)."""
    first = parts[0]
    try:
        msg: dict[str, Any] = pyais_decode(*[s.text for s in parts]).asdict()
    except (AISBaseException, ValueError, IndexError, KeyError) as exc:
        out.problem(first.line, "payload", f"cannot decode: {type(exc).__name__}: {exc}"[:200])
        return
    kind = int(msg.get("msg_type", 0))
    if kind in POSITION_TYPES and "lat" in msg:
        out.slow_rows.append(
            (
                first.line,
                -1 if first.t is None else first.t,
                float(msg.get("lat", 91.0)),
                float(msg.get("lon", 181.0)),
                int(msg.get("mmsi", 0)),
                float(msg.get("speed", 102.3)),
                float(msg.get("course", 360.0)),
                int(msg.get("heading", 511)),
                kind,
            )
        )
    if kind in STATIC_TYPES:
        out.static.append(_static(msg, first.line, first.t))
    if kind not in POSITION_TYPES and kind not in STATIC_TYPES:
        out.other_types[kind] = out.other_types.get(kind, 0) + 1


def _static(msg: dict[str, Any], line: int, t: int | None) -> dict[str, Any]:
    def text(name: str) -> str | None:
        value = str(msg.get(name) or "").replace("@", "").strip()
        return value or None

    bow, stern = msg.get("to_bow"), msg.get("to_stern")
    port, starboard = msg.get("to_port"), msg.get("to_starboard")
    imo = msg.get("imo")
    return {
        "line": line,
        "mmsi": int(msg.get("mmsi", 0)),
        "t": t,
        "imo": str(imo) if imo else None,
        "name": text("shipname"),
        "call_sign": text("callsign"),
        "ship_type": int(msg["ship_type"]) if msg.get("ship_type") else None,
        "length_m": float(bow + stern) if bow is not None and stern is not None and bow + stern else None,
        "width_m": float(port + starboard)
        if port is not None and starboard is not None and port + starboard
        else None,
        "draught_m": float(msg["draught"]) if msg.get("draught") else None,
        "destination": text("destination"),
    }
