"""Maritime intelligence for a person: the AIS they may see, behaviour events, and vessels of interest.

AIS positions belong to the contribution that brought them: its agency owns them and its handling
code applies. Tracks are read with the read policy compiled to SQL over the contributions
(`HubContext.visibility_sql`), so positions of a contribution the viewer may not see in full never
reach Python; events are computed from what is left, so an event's evidence is always data the
viewer may see, and each event names its source contributions. Vessel records, their links to
suspects, journey legs and events are read the same way (records and links visible in full only).

Score of a vessel (each reason listed with its points): a dark rendezvous (gap at sea after which
the vessel came back on its track) 3 each, up to 3; another gap at sea 1 each, up to 3 (GFW's
disabling test met: +1); an encounter 3; loitering 1; an identity anomaly 2 per kind; time off a
departure or landing area 1; a vessel record naming its MMSI or IMO 1, tied to suspects 3, carried
journey legs 1 each up to 3, involved in events 1 each up to 3. Listed from `interest_min_score`.
"""

from __future__ import annotations

import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from mare.analyse.maritime.events import Area, Event, ShoreKm, behaviour, default_shore_km
from mare.analyse.maritime.identity import StaticReport, flag_of, identity_anomalies
from mare.analyse.maritime.placed import Report, placed_encounters
from mare.analyse.maritime.thresholds import Thresholds
from mare.analyse.maritime.tracks import Tracks
from mare.hub.context import HubContext
from mare.hub.maritime_events import kept_events
from mare.hub.visible import read_visible
from mare.store.db import Store

HANDLING_ORDER = ("H0", "H1", "H2", "H3")
LINKS = ("operates_vessel", "leg_used", "involved_in")
SUSPECTS = ("suspect", "convicted")
#: Event records that place a vessel at sea at a time.
SEA_EVENTS = ("sighting", "interception", "rescue", "crossing", "seizure", "death")


def gazetteer_areas() -> list[Area]:
    """Departure and landing areas and ports of the curated gazetteer."""
    from mare.analyse.geo.gazetteer import curated_gazetteer

    return [
        Area(p.name, p.kind, p.lat, p.lon)
        for p in curated_gazetteer().places
        if p.kind in ("departure_area", "landing_area", "port")
    ]


@dataclass(slots=True)
class AisView:
    """The AIS a viewer may see: tracks, static reports, and each source contribution's owner and code."""

    tracks: Tracks
    static: list[StaticReport]
    owners: dict[str, tuple[str, str]]  # contribution -> (agency, handling code)
    withheld: int = 0  # contributions with AIS the viewer may not see


def _read(store: Store, where: str, params: list[Any]) -> AisView:
    con = store.con
    owners = {
        str(uid): (str(agency), str(code))
        for uid, agency, code in con.execute(
            f"SELECT c.uid, c.agency, c.handling_code FROM contributions c WHERE c.format = 'ais' "
            f"AND c.superseded_by IS NULL AND {where} ORDER BY c.uid",
            params,
        ).fetchall()
    }
    sources = sorted(owners)
    con.execute("CREATE OR REPLACE TEMP TABLE _ais_seen (uid VARCHAR, k INTEGER)")
    try:
        if sources:
            con.executemany("INSERT INTO _ais_seen VALUES (?, ?)", [[u, k] for k, u in enumerate(sources)])
        cols = con.execute(
            "SELECT p.mmsi::BIGINT AS mmsi, epoch(p.t)::BIGINT AS t, p.lat, p.lon, "
            "coalesce(p.sog, 'NaN'::DOUBLE)::DOUBLE AS sog, s.k "
            "FROM ais_positions p JOIN _ais_seen s ON s.uid = p.contribution WHERE p.t IS NOT NULL"
        ).fetchnumpy()
        static = [
            StaticReport(int(m), first, imo, name, call, typ, src)
            for m, first, imo, name, call, typ, src in con.execute(
                "SELECT a.mmsi, a.first_seen, a.imo, a.name, a.call_sign, a.ship_type, a.contribution "
                "FROM ais_static a JOIN _ais_seen s ON s.uid = a.contribution "
                "ORDER BY a.mmsi, a.first_seen, a.line"
            ).fetchall()
        ]
    finally:
        con.execute("DROP TABLE IF EXISTS _ais_seen")
    tracks = Tracks.build(
        np.asarray(cols["mmsi"], np.int64),
        np.asarray(cols["t"], np.int64),
        np.asarray(cols["lat"], np.float64),
        np.asarray(cols["lon"], np.float64),
        np.asarray(cols["sog"], np.float64),
        np.asarray(cols["k"], np.int32),
        sources or [""],
    )
    return AisView(tracks, static, owners)


def visible_ais(ctx: HubContext) -> AisView:
    """The AIS contributions the viewer may see in full (filtered in SQL), as tracks and static reports."""
    vis, params = ctx.visibility_sql("c", minor=False, consent=False, contribution="uid")
    view = _read(ctx.store, f"{vis} = 'full'", params)
    total = ctx.store.con.execute(
        "SELECT count(*) FROM contributions WHERE format = 'ais' AND superseded_by IS NULL"
    ).fetchone()
    view.withheld = (int(total[0]) if total else 0) - len(view.owners)
    ctx.note_bulk("ais", len(view.owners), {"not visible": view.withheld} if view.withheld else {})
    return view


@dataclass(slots=True)
class VesselRecord:
    """A vessel record the viewer may see in full, with what ties it to smuggling."""

    uid: str
    label: str
    agency: str
    mmsi: set[str] = field(default_factory=set)
    imo: set[str] = field(default_factory=set)
    suspects: set[str] = field(default_factory=set)
    companies: dict[str, str] = field(default_factory=dict)  # organisation of interest -> why
    legs: set[str] = field(default_factory=set)
    events: set[str] = field(default_factory=set)


def visible_vessel_records(ctx: HubContext) -> list[VesselRecord]:
    """Vessel records visible in full, with the suspects, legs and events tied to them by visible links
    (the vessel records withheld are counted, by rule, in the consultation entry)."""
    con = ctx.store.con
    seen = read_visible(ctx, ["vessel"], ["mmsi", "imo"]).records
    out: dict[str, VesselRecord] = {}
    for uid, rec in seen.items():
        vessel = out.setdefault(uid, VesselRecord(uid, rec.label or "", rec.agency))
        for fld, into in (("mmsi", vessel.mmsi), ("imo", vessel.imo)):
            for value in rec.values.get(fld, []):
                if digits := "".join(ch for ch in value if ch.isdigit()):
                    into.add(digits)
    if not out:
        return []
    lvis, lparams = ctx.visibility_sql("l", minor=False, consent=False)
    svis, sparams = ctx.visibility_sql("s")
    tvis, tparams = ctx.visibility_sql("t")
    visible = f"{lvis} = 'full' AND {svis} = 'full' AND {tvis} = 'full'"
    links = con.execute(
        f"SELECT l.kind, l.source_uid, l.target_uid, s.category, s.kind FROM links l "
        "JOIN records s ON s.uid = l.source_uid JOIN records t ON t.uid = l.target_uid "
        f"WHERE l.kind IN ('operates_vessel', 'leg_used', 'involved_in') AND {visible}",
        [*lparams, *sparams, *tparams],
    ).fetchall()
    companies = _organisations_of_interest(ctx, visible, [*lparams, *sparams, *tparams])
    for kind, src, dst, category, src_kind in links:
        if kind == "operates_vessel" and dst in out and src_kind == "organisation" and src in companies:
            out[dst].companies[src] = companies[src]
        elif kind == "operates_vessel" and dst in out and category in SUSPECTS:
            out[dst].suspects.add(src)
        elif kind == "leg_used" and dst in out:
            out[dst].legs.add(src)
        elif kind == "involved_in" and src in out:
            out[src].events.add(dst)
    return list(out.values())


def intelligence_reports(ctx: HubContext, view: AisView, records: list[VesselRecord]) -> list[Report]:
    """Event records visible in full that place a vessel without AIS at sea: a position, a time, and no
    vessel named whose MMSI broadcasts in the AIS the viewer sees (its own track places that one)."""
    seen = read_visible(ctx, ["event"], ["event_type", "occurred_at", "lat", "lon"]).records
    if not seen:
        return []
    broadcasting = {str(m) for m in view.tracks.vessels().tolist()}
    vessel_of: dict[str, str] = {}
    tracked: set[str] = set()
    for vessel in records:
        for ev in vessel.events:
            if vessel.mmsi & broadcasting:
                tracked.add(ev)
            else:
                vessel_of.setdefault(ev, vessel.uid)
    codes = dict(
        ctx.store.con.execute(
            "SELECT uid, handling_code FROM records WHERE uid IN (SELECT unnest(?))", [sorted(seen)]
        ).fetchall()
    )
    out = []
    for uid, rec in sorted(seen.items()):
        kind = (rec.values.get("event_type") or [""])[0]
        if uid in tracked or kind not in SEA_EVENTS:
            continue
        try:
            lat, lon = float(rec.values["lat"][0]), float(rec.values["lon"][0])
            when = datetime.fromisoformat(rec.values["occurred_at"][0].replace("Z", "+00:00"))
        except (KeyError, IndexError, ValueError):
            continue  # no position or time: it places nothing
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        out.append(
            Report(
                uid,
                kind,
                int(when.timestamp()),
                lat,
                lon,
                rec.agency,
                str(codes.get(uid, "H2")),
                vessel_of.get(uid),
            )
        )
    return out


def _organisations_of_interest(ctx: HubContext, visible: str, params: list[Any]) -> dict[str, str]:
    """Organisations (visible in full, by visible links) that are part of a case or count suspects
    among their members: uid -> why."""
    rows = ctx.store.con.execute(
        "SELECT l.source_uid, l.target_uid, s.kind, s.category, t.kind, t.label FROM links l "
        "JOIN records s ON s.uid = l.source_uid JOIN records t ON t.uid = l.target_uid "
        f"WHERE l.kind = 'member_of' AND {visible}",
        params,
    ).fetchall()
    cases: dict[str, set[str]] = defaultdict(set)
    members: dict[str, set[str]] = defaultdict(set)
    for src, dst, src_kind, category, dst_kind, label in rows:
        if src_kind == "organisation" and dst_kind == "case":
            cases[src].add(str(label or dst))
        elif src_kind == "person" and dst_kind == "organisation" and category in SUSPECTS:
            members[dst].add(src)
    why: dict[str, str] = {}
    for org in set(cases) | set(members):
        parts = []
        if cases.get(org):
            parts.append("in case " + ", ".join(sorted(cases[org])[:2]))
        if members.get(org):
            parts.append(f"{len(members[org])} suspect member(s)")
        why[org] = "; ".join(parts)
    return why


def _most_restrictive(codes: set[str]) -> str:
    return max(codes, key=lambda c: HANDLING_ORDER.index(c) if c in HANDLING_ORDER else 9) if codes else "H2"


def rank_vessels(
    view: AisView, records: list[VesselRecord], events: list[Event], th: Thresholds
) -> list[dict[str, Any]]:
    """Vessels of interest, best first: score, why (each reason with its points), evidence, owners."""
    by_mmsi: dict[int, list[Event]] = defaultdict(list)
    for e in events:
        by_mmsi[e.mmsi].append(e)
        if e.other is not None:
            by_mmsi[e.other].append(e)
    imo_of: dict[int, set[str]] = defaultdict(set)
    names: dict[int, Counter[str]] = defaultdict(Counter)
    for r in view.static:
        if r.imo:
            imo_of[r.mmsi].add(r.imo)
        if r.name:
            names[r.mmsi][r.name] += 1
    rec_by_id: dict[str, list[VesselRecord]] = defaultdict(list)
    for rec in records:
        for m in rec.mmsi:
            rec_by_id["mmsi:" + m].append(rec)
        for i in rec.imo:
            rec_by_id["imo:" + i].append(rec)
    rows: list[dict[str, Any]] = []
    for mmsi in sorted(set(by_mmsi) | {int(m) for m in view.tracks.vessels().tolist()}):
        evs = by_mmsi.get(mmsi, [])
        kinds = Counter(e.kind for e in evs)
        why: list[tuple[int, str]] = []
        if kinds["dark_rendezvous"]:
            why.append(
                (3 * min(kinds["dark_rendezvous"], 3), f"{kinds['dark_rendezvous']} dark rendezvous at sea")
            )
        if kinds["gap"]:
            gfw = sum(1 for e in evs if e.kind == "gap" and e.evidence.get("gfw_disabling"))
            why.append(
                (
                    min(kinds["gap"], 3) + (1 if gfw else 0),
                    f"{kinds['gap']} AIS gap(s) at sea"
                    + (f", {gfw} meeting GFW's disabling test" if gfw else ""),
                )
            )
        if kinds["encounter"]:
            why.append((3, f"{kinds['encounter']} encounter(s) with other vessels"))
        if kinds["placed_encounter"]:
            met = {str(e.evidence["report"]["record"]) for e in evs if e.kind == "placed_encounter"}
            why.append((3, f"met a vessel without AIS placed by {len(met)} intelligence report(s)"))
        if kinds["loitering"]:
            why.append((1, f"loitered {kinds['loitering']} time(s) at sea"))
        anomalies = sorted({str(e.evidence.get("anomaly")) for e in evs if e.kind == "identity"})
        if anomalies:
            why.append((2 * len(anomalies), "identity: " + ", ".join(a.replace("_", " ") for a in anomalies)))
        areas = sorted({str(e.evidence.get("area")) for e in evs if e.kind == "area"})
        if areas:
            why.append((1, "time off " + ", ".join(areas[:3])))
        recs = {
            r.uid: r
            for key in [f"mmsi:{mmsi}", *(f"imo:{i}" for i in imo_of.get(mmsi, ()))]
            for r in rec_by_id.get(key, [])
        }
        if recs:
            why.append((1, f"named in {len(recs)} vessel record(s)"))
            suspects = set().union(*(r.suspects for r in recs.values()))
            legs = set().union(*(r.legs for r in recs.values()))
            hub_events = set().union(*(r.events for r in recs.values()))
            if suspects:
                why.append((3, f"tied to {len(suspects)} suspect(s)"))
            companies = {k: v for r in recs.values() for k, v in r.companies.items()}
            if companies:
                first = sorted(companies)[0]
                why.append(
                    (
                        3,
                        f"operated by {len(companies)} organisation(s) of interest "
                        f"({first}: {companies[first]})",
                    )
                )
            if legs:
                why.append((min(len(legs), 3), f"carried {len(legs)} journey leg(s)"))
            if hub_events:
                why.append((min(len(hub_events), 3), f"involved in {len(hub_events)} event(s)"))
        score = sum(p for p, _ in why)
        if score < th.interest_min_score:
            continue
        sources = sorted({s for e in evs for s in e.sources})
        reports = [e.evidence["report"] for e in evs if e.kind == "placed_encounter"]
        owners = sorted(
            {view.owners[s][0] for s in sources if s in view.owners}
            | {r.agency for r in recs.values()}
            | {str(r["agency"]) for r in reports}
        )
        codes = {view.owners[s][1] for s in sources if s in view.owners} | {
            str(r["handling"]) for r in reports
        }
        rows.append(
            {
                "mmsi": mmsi,
                "name": names[mmsi].most_common(1)[0][0] if names.get(mmsi) else None,
                "imo": sorted(imo_of.get(mmsi, set())),
                "flag": flag_of(mmsi),
                "score": score,
                "why": [f"{text} (+{points})" for points, text in why],
                "events": [e.as_dict() for e in sorted(evs, key=lambda e: e.start) if e.kind != "voyage"][
                    :50
                ],
                "voyages": [e.as_dict() for e in evs if e.kind == "voyage"][:20],
                "records": sorted(recs),
                "owners": owners,
                "handling": _most_restrictive(codes),
                "sources": sources,
            }
        )
    rows.sort(key=lambda r: (-r["score"], r["mmsi"]))
    return rows


def view_events(view: AisView, th: Thresholds, shore_km: ShoreKm = default_shore_km) -> list[Event]:
    """Every behaviour event and identity anomaly in one view of AIS."""
    events = behaviour(view.tracks, th, gazetteer_areas(), shore_km)
    return events + identity_anomalies(view.static, view.tracks.vessels().tolist())


def maritime_picture(
    view: AisView,
    records: list[VesselRecord],
    th: Thresholds,
    shore_km: ShoreKm = default_shore_km,
    events: list[Event] | None = None,
) -> dict[str, Any]:
    """Events (computed here unless given) and the ranked vessels of interest from one view of AIS
    and vessel records."""
    if events is None:
        events = view_events(view, th, shore_km)
    vessels = rank_vessels(view, records, events, th)
    counts = Counter(e.kind for e in events)
    return {
        "positions": len(view.tracks),
        "vessels_tracked": len(view.tracks.vessels()),
        "contributions": len(view.owners),
        "withheld_contributions": view.withheld,
        "events": dict(sorted(counts.items())),
        "thresholds": th.as_dict(),
        "vessels": vessels,
        "all_events": events,
    }


def track_segments(
    tracks: Tracks, mmsi: int, break_s: int, max_points: int = 400
) -> list[list[tuple[float, float, int]]]:
    """One vessel's fixes as (lat, lon, epoch seconds) segments, broken where the transponder was
    silent for `break_s` or more (a gap is not drawn as a straight run), thinned to about
    `max_points` fixes in all by keeping every k-th fix and each segment's ends."""
    lo, hi = np.searchsorted(tracks.mmsi, [mmsi, mmsi + 1])
    if hi <= lo:
        return []
    t, lat, lon = tracks.t[lo:hi], tracks.lat[lo:hi], tracks.lon[lo:hi]
    ok = np.isfinite(lat) & np.isfinite(lon)
    t, lat, lon = t[ok], lat[ok], lon[ok]
    if not len(t):
        return []
    cuts = np.flatnonzero(np.diff(t) >= break_s) + 1
    step = max(1, int(np.ceil(len(t) / max_points)))
    segments: list[list[tuple[float, float, int]]] = []
    for a, b in zip(np.r_[0, cuts], np.r_[cuts, len(t)], strict=True):
        keep = sorted({*range(int(a), int(b), step), int(b) - 1})
        segments.append([(float(lat[i]), float(lon[i]), int(t[i])) for i in keep])
    return segments


def hub_vessels(
    ctx: HubContext,
    th: Thresholds | None = None,
    shore_km: ShoreKm = default_shore_km,
    tracks_for: int = 0,
) -> dict[str, Any]:
    """The viewer's vessels of interest: AIS and vessel records they may see, events, ranked list.
    With `tracks_for` N, the first N listed vessels also carry their track (`track`: segments)."""
    th = th or Thresholds()
    view, picture = _picture(ctx, th, shore_km)
    for row in picture["vessels"][:tracks_for]:
        row["track"] = track_segments(view.tracks, int(row["mmsi"]), int(th.gap_hours * 3600))
    ctx.log("combination", "done", resource="vessels", details={"listed": len(picture["vessels"])})
    return picture


def _picture(ctx: HubContext, th: Thresholds, shore_km: ShoreKm) -> tuple[AisView, dict[str, Any]]:
    view = visible_ais(ctx)
    if shore_km is default_shore_km:  # the stored builds hold events with the real coastline only
        events = kept_events(ctx.store, sorted(view.owners), th, lambda: view_events(view, th, shore_km))
    else:
        events = view_events(view, th, shore_km)
    records = visible_vessel_records(ctx)
    dark = [e for e in events if e.kind in ("gap", "dark_rendezvous")]
    events = events + placed_encounters(view.tracks, dark, intelligence_reports(ctx, view, records), th)
    return view, maritime_picture(view, records, th, shore_km, events)


class VesselNotFound(LookupError):
    """No AIS the viewer may see for this MMSI."""


def hub_vessel(
    ctx: HubContext, mmsi: int, th: Thresholds | None = None, shore_km: ShoreKm = default_shore_km
) -> dict[str, Any]:
    """One vessel as the viewer may see it: its listing (score and why) when it is of interest, its
    static reports, every behaviour event it is in, and its track. Raises VesselNotFound when no
    AIS the viewer may see carries the MMSI (the same answer whether it exists elsewhere or not)."""
    th = th or Thresholds()
    view, picture = _picture(ctx, th, shore_km)
    track = track_segments(view.tracks, mmsi, int(th.gap_hours * 3600), max_points=2000)
    static = [r for r in view.static if r.mmsi == mmsi]
    if not track and not static:
        ctx.log("consultation", "not found", resource="vessel", ref=str(mmsi))
        raise VesselNotFound(f"no AIS you may see for MMSI {mmsi}: list vessels with `mare vessels --hub`")
    listed = next((row for row in picture["vessels"] if int(row["mmsi"]) == mmsi), None)
    events = [e for e in picture["all_events"] if mmsi in (e.mmsi, e.other)]
    lo, hi = np.searchsorted(view.tracks.mmsi, [mmsi, mmsi + 1])
    sources = sorted({view.tracks.sources[int(k)] for k in np.unique(view.tracks.source[lo:hi])})
    ctx.log("consultation", "done", resource="vessel", ref=str(mmsi), details={"events": len(events)})
    return {
        "mmsi": mmsi,
        "flag": flag_of(mmsi),
        "listed": listed is not None,
        "score": listed["score"] if listed else 0,
        "why": listed["why"] if listed else [],
        "records": listed["records"] if listed else [],
        "static": [
            {
                "first_seen": r.first_seen,
                "name": r.name,
                "imo": r.imo,
                "call_sign": r.call_sign,
                "ship_type": r.ship_type,
                "contribution": r.source,
            }
            for r in static
        ],
        "events": [e.as_dict() for e in sorted(events, key=lambda e: e.start)],
        "positions": int(hi - lo),
        "sources": [
            {"contribution": s, "agency": view.owners[s][0], "handling": view.owners[s][1]}
            for s in sources
            if s in view.owners
        ],
        "handling": _most_restrictive({view.owners[s][1] for s in sources if s in view.owners}),
        "track": track,
        "thresholds": th.as_dict(),
    }


def file_vessels(
    paths: list[Path], th: Thresholds | None = None, shore_km: ShoreKm = default_shore_km
) -> dict[str, Any]:
    """The same analysis on AIS files with no hub (a researcher's own files, in a throw-away store)."""
    from mare.ingest.pipeline import IngestOptions, ingest_file
    from mare.store.db import open_store

    th = th or Thresholds()
    with tempfile.TemporaryDirectory(prefix="mare-vessels-") as tmp, open_store(Path(tmp)) as store:
        reports = [ingest_file(store, p, IngestOptions(agency="LOCAL", handling="H0")) for p in paths]
        view = _read(store, "TRUE", [])
        picture = maritime_picture(view, [], th, shore_km)
    picture["files"] = [
        {
            "file": r.source,
            "status": r.status,
            "message": r.message,
            "rejected": r.rejected,
            "problems": [p.as_dict() for p in r.problems[:200]],
        }
        for r in reports
    ]
    return picture
