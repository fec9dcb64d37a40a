"""Call detail records: calls generated month by month (vectorised), cut to each case's taps."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from mare.scenario.agencies import Agency
from mare.scenario.comms import Edges
from mare.scenario.noise import Noise
from mare.scenario.params import DAY, END, START
from mare.scenario.places import PLACE_IDS, PLACES
from mare.scenario.slices import Case
from mare.scenario.world import World

_HOURS = np.array([1, 0.5, 0.3, 0.3, 0.4, 0.6, 1, 2, 3, 4, 4, 4, 4, 4, 4, 4, 4, 4, 5, 5, 5, 4, 3, 2.0])
_HOURS = _HOURS / _HOURS.sum()
_SHIFT = 1 << 32


@dataclass(slots=True)
class CaseCalls:
    """What one case's CDR file holds: row count, pairs (for links), numbers (for truth)."""

    path: Path | None = None
    rows: int = 0
    pairs: dict[tuple[int, int], list[int]] = field(default_factory=dict)  # count, first, last, dur
    phones: set[int] = field(default_factory=set)


def _time_strings(t: np.ndarray, style: str) -> list[str]:
    iso = np.datetime_as_string(t.astype("datetime64[s]"), unit="s").astype("S19")
    b = iso.view(np.uint8).reshape(-1, 19)
    if style == "iso":
        return [s + "Z" for s in iso.astype(str).tolist()]
    if style == "iso_space":
        b = b.copy()
        b[:, 10] = ord(" ")
        return b.view("S19").ravel().astype(str).tolist()
    sep = {"dmy_slash": "/", "dmy_dot": "."}.get(style)
    if sep is not None:  # dd/mm/yyyy hh:mm:ss
        cols = [8, 9, -1, 5, 6, -1, 0, 1, 2, 3, -2, 11, 12, 13, 14, 15, 16, 17, 18]
    else:  # compact yyyymmddhhmmss
        cols = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18]
    out = np.empty((b.shape[0], len(cols)), dtype=np.uint8)
    for j, c in enumerate(cols):
        out[:, j] = ord(sep or "/") if c == -1 else ord(" ") if c == -2 else b[:, c]
    return out.view(f"S{len(cols)}").ravel().astype(str).tolist()


class CallGenerator:
    """Generates the calls on all edges touching a tapped person and writes each case's CDR."""

    def __init__(self, world: World, edges: Edges, rate: float, seed: int) -> None:
        self.world = world
        self.pids = sorted(world.persons)
        pindex = {p: i for i, p in enumerate(self.pids)}
        self.phone_ids = sorted(world.phones)
        self.phone_index = {p: i for i, p in enumerate(self.phone_ids)}
        ph = [world.phones[p] for p in self.phone_ids]
        order = sorted(range(len(ph)), key=lambda i: (pindex[ph[i].person], ph[i].start))
        self.ph_order = np.array(order, dtype=np.int64)
        self.ph_person = np.array([pindex[ph[i].person] for i in order], dtype=np.int64)
        self.ph_start = np.array([ph[i].start - START for i in order], dtype=np.int64)
        self.ph_end = np.array([ph[i].end - START for i in order], dtype=np.int64)
        self.ph_key = self.ph_person * _SHIFT + self.ph_start
        self.a = np.array([pindex[x] for x in edges.a], dtype=np.int64)
        self.b = np.array([pindex[x] for x in edges.b], dtype=np.int64)
        self.rate = np.array(edges.rate) * rate
        self.t0 = np.array(edges.t0, dtype=np.int64)
        self.t1 = np.array(edges.t1, dtype=np.int64)
        self.pa = np.array(edges.place_a, dtype=np.int64)
        self.pb = np.array(edges.place_b, dtype=np.int64)
        self.rng = np.random.Generator(np.random.PCG64(seed))

    def _phone_at(self, person: np.ndarray, t: np.ndarray) -> np.ndarray:
        i = np.searchsorted(self.ph_key, person * _SHIFT + (t - START), side="right") - 1
        i = np.clip(i, 0, len(self.ph_key) - 1)
        ok = (self.ph_person[i] == person) & ((t - START) < self.ph_end[i])
        return np.where(ok, self.ph_order[i], -1)

    def run(
        self,
        cases: list[Case],
        out: Callable[[Case], Path],
        noise: dict[str, Noise],
        progress: Callable[[int], None] | None = None,
    ) -> dict[int, CaseCalls]:
        """Generate month by month, append each case's rows to its file."""
        taps = [t for c in cases for t in c.taps]
        result: dict[int, CaseCalls] = {}
        if not taps:
            return result
        tap_case = np.array([t[0] for t in taps], dtype=np.int64)
        tap_phone = np.array([self.phone_index[t[1]] for t in taps], dtype=np.int64)
        tap_t0 = np.array([t[2] - START for t in taps], dtype=np.int64)
        tap_t1 = np.array([t[3] - START for t in taps], dtype=np.int64)
        tapped = np.zeros(len(self.pids), dtype=bool)
        owner = {p: self.world.phones[p].person for p in (t[1] for t in taps)}
        pos = {p: i for i, p in enumerate(self.pids)}
        tapped[[pos[o] for o in owner.values()]] = True
        rel = tapped[self.a] | tapped[self.b]
        ea, eb, er, e0, e1 = self.a[rel], self.b[rel], self.rate[rel], self.t0[rel], self.t1[rel]
        epa, epb = self.pa[rel], self.pb[rel]
        months = list(range(START, END, 30 * DAY))
        for k, cs in enumerate(months):
            ce = min(END, cs + 30 * DAY)
            lo, hi = np.maximum(e0, cs), np.minimum(e1, ce)
            span = np.clip(hi - lo, 0, None)
            n = self.rng.poisson(er * span / DAY)
            e = np.repeat(np.arange(n.size), n)
            if e.size == 0:
                continue
            t = lo[e] + (self.rng.random(e.size) * span[e]).astype(np.int64)
            t = t - t % 3600 + (self.rng.random(e.size) * 3600).astype(np.int64)
            hour = self.rng.choice(24, size=e.size, p=_HOURS)
            t = np.clip(t - t % DAY + hour * 3600 + t % 3600, lo[e], np.maximum(hi[e] - 1, lo[e]))
            flip = self.rng.random(e.size) < 0.5
            caller = np.where(flip, eb[e], ea[e])
            callee = np.where(flip, ea[e], eb[e])
            place = np.where(flip, epb[e], epa[e])
            dur = np.maximum(3, self.rng.lognormal(4.0, 0.9, e.size)).astype(np.int64)
            cp, qp = self._phone_at(caller, t), self._phone_at(callee, t)
            ok = (cp >= 0) & (qp >= 0)
            order = np.argsort(t[ok], kind="stable")
            t, cp, qp, dur, place = (x[ok][order] for x in (t, cp, qp, dur, place))
            cell = self.rng.integers(0, 12, t.size)
            self._cut(
                cases, result, out, noise, tap_case, tap_phone, tap_t0, tap_t1, t, cp, qp, dur, place, cell
            )
            if progress is not None:
                progress(k + 1)
        return result

    def _cut(
        self,
        cases: list[Case],
        result: dict[int, CaseCalls],
        out: Callable[[Case], Path],
        noise: dict[str, Noise],
        tap_case: np.ndarray,
        tap_phone: np.ndarray,
        tap_t0: np.ndarray,
        tap_t1: np.ndarray,
        t: np.ndarray,
        cp: np.ndarray,
        qp: np.ndarray,
        dur: np.ndarray,
        place: np.ndarray,
        cell: np.ndarray,
    ) -> None:
        rel_t = t - START
        hits_case, hits_call = [], []
        for side in (cp, qp):
            order = np.argsort(side * _SHIFT + rel_t, kind="stable")
            keys = (side * _SHIFT + rel_t)[order]
            lo = np.searchsorted(keys, tap_phone * _SHIFT + tap_t0, side="left")
            hi = np.searchsorted(keys, tap_phone * _SHIFT + tap_t1, side="left")
            cnt = hi - lo
            total = int(cnt.sum())
            if total == 0:
                continue
            starts = np.repeat(lo - (np.cumsum(cnt) - cnt), cnt) + np.arange(total)
            hits_call.append(order[starts])
            hits_case.append(np.repeat(tap_case, cnt))
        if not hits_call:
            return
        key = np.unique(np.concatenate(hits_case) * (t.size + 1) + np.concatenate(hits_call))
        case_of, call_of = key // (t.size + 1), key % (t.size + 1)
        bounds = np.flatnonzero(np.diff(case_of)) + 1
        for seg in np.split(np.arange(key.size), bounds):
            ci = int(case_of[seg[0]])
            calls = call_of[seg]
            self._write(
                cases[ci],
                result.setdefault(ci, CaseCalls()),
                out,
                noise,
                t[calls],
                cp[calls],
                qp[calls],
                dur[calls],
                place[calls],
                cell[calls],
            )

    def _write(
        self,
        case: Case,
        cc: CaseCalls,
        out: Callable[[Case], Path],
        noise: dict[str, Noise],
        t: np.ndarray,
        cp: np.ndarray,
        qp: np.ndarray,
        dur: np.ndarray,
        place: np.ndarray,
        cell: np.ndarray,
    ) -> None:
        ag = case.agency
        nz = noise[ag.id]
        numbers = {int(p): self._number(nz, ag, int(p)) for p in np.unique(np.concatenate([cp, qp]))}
        times = _time_strings(t, ag.cdr_time)
        if cc.path is None:
            cc.path = out(case)
            header = "caller,callee,start,duration" + (",cell,lat,lon" if ag.cdr_cells else "")
            cc.path.write_text(header + "\n", encoding="utf-8")
        if ag.cdr_cells:
            cells = [_cell(int(p), int(c)) for p, c in zip(place.tolist(), cell.tolist(), strict=True)]
            lines = [
                f"{numbers[a]},{numbers[b]},{s},{d},{c}"
                for a, b, s, d, c in zip(cp.tolist(), qp.tolist(), times, dur.tolist(), cells, strict=True)
            ]
        else:
            lines = [
                f"{numbers[a]},{numbers[b]},{s},{d}"
                for a, b, s, d in zip(cp.tolist(), qp.tolist(), times, dur.tolist(), strict=True)
            ]
        with cc.path.open("a", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
        cc.rows += len(lines)
        cc.phones.update(numbers)
        for a, b, s, d in zip(cp.tolist(), qp.tolist(), t.tolist(), dur.tolist(), strict=True):
            pair = (a, b) if a < b else (b, a)
            st = cc.pairs.get(pair)
            if st is None:
                cc.pairs[pair] = [1, s, s, d]
            else:
                st[0] += 1
                st[2] = s

    def _number(self, nz: Noise, ag: Agency, p: int) -> str:
        ph = self.world.phones[self.phone_ids[p]]
        home = ph.cc == {
            "DE": "49",
            "IT": "39",
            "GR": "30",
            "ES": "34",
            "FR": "33",
            "NL": "31",
            "HU": "36",
            "GB": "44",
            "AT": "43",
            "BG": "359",
            "SE": "46",
            "BE": "32",
            "PL": "48",
            "RS": "381",
        }.get(ag.country, "")
        return nz.format_phone(ph.cc, ph.nsn, ag.cdr or "e164", home)

    def number_of(self, agency: Agency, noise: Noise, p: int) -> str:
        """The number as written in that agency's CDR."""
        return self._number(noise, agency, p)


def _cell(place: int, bucket: int) -> str:
    pl = PLACES[PLACE_IDS[place]]
    lat = pl.lat + ((bucket % 4) - 1.5) * 0.012
    lon = pl.lon + ((bucket // 4) - 1) * 0.015
    return f"{pl.country}-{place:03d}-{bucket:02d},{lat:.5f},{lon:.5f}"
