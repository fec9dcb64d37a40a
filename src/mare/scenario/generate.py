"""generate(): build the world, write every agency's contributions, AIS and the ground truth."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from mare.scenario.advert_posts import advert_contributions
from mare.scenario.adverts import build_adverts
from mare.scenario.agencies import Agency, agencies_for
from mare.scenario.ais import ais_contributions, build_ais
from mare.scenario.cdr import CallGenerator, CaseCalls
from mare.scenario.comms import build_edges
from mare.scenario.contribute import case_contribution, incident_contribution, notice_contribution
from mare.scenario.debriefings import debriefing_contributions
from mare.scenario.devices import extraction_contributions
from mare.scenario.documents import document_check_contributions, write_document_checks
from mare.scenario.journeys import simulate
from mare.scenario.money import build_money
from mare.scenario.money_records import money_contributions
from mare.scenario.networks import active_itineraries, build_networks
from mare.scenario.noise import Noise, NoiseLog
from mare.scenario.params import END, SCALES, Params
from mare.scenario.people import iso_date
from mare.scenario.records import Contribution
from mare.scenario.slices import Case, build_index, incident_groups, notices, plan_cases
from mare.scenario.truth import write_truth
from mare.scenario.world import World
from mare.scenario.writers import envelope, grade_records, write, write_cdr_envelope

Progress = Callable[[str, int, int], None]
GENERATOR_VERSION = "1"


@dataclass(slots=True)
class ScenarioSummary:
    """What a run produced."""

    scale: str
    seed: int
    out: Path
    records: int
    counts: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """Plain data."""
        d = asdict(self)
        d["out"] = str(self.out)
        return d


class _Stats:
    """Counts gathered while writing, saved in scenario.json for describe()."""

    def __init__(self) -> None:
        self.c: dict[str, dict[str, int]] = {}

    def add(self, table: str, key: str, n: int = 1) -> None:
        t = self.c.setdefault(table, {})
        t[key] = t.get(key, 0) + n

    def contribution(self, c: Contribution, env: dict[str, Any], n_records: int) -> None:
        ag = c.agency.id
        self.add("contributions_by_format", c.fmt)
        self.add("records_by_format", c.fmt, n_records)
        self.add("records_by_agency", ag, n_records)
        self.add("handling", env["handling"]["code"])
        ev = env["evaluation"]
        self.add("grading", f"{ev['scheme']}:{ev['source']}{ev['information']}")
        for area in env["crime_areas"]:
            self.add("crime_areas", area)
        for r in c.records:
            self.add("records_by_kind", r["kind"])
            if r["kind"] == "person":
                self.add("person_categories", r["category"])
                self.add("minor_flags", str(r.get("minor", "absent")).lower())
        self.add("records_by_kind", "link", len(c.links))


def generate(scale: str, seed: int, out: Path, progress: Progress | None = None) -> ScenarioSummary:
    """Generate a scenario of the given scale and seed into out (replaced if present)."""
    params = Params(SCALES[scale], seed)
    say: Progress = progress or (lambda stage, done, total: None)
    rng = np.random.Generator(np.random.PCG64(seed))
    out = Path(out)
    if out.exists():
        shutil.rmtree(out)
    (out / "contributions").mkdir(parents=True)
    world = World()
    itins = active_itineraries(params.scale.networks)
    say("world", 0, 5)
    build_networks(world, rng, params, itins, 8.0 if scale == "tiny" else 28.0)
    say("world", 1, 5)
    simulate(world, rng, params, itins)
    say("world", 2, 5)
    build_money(world, rng, params)
    build_adverts(world, rng)
    say("world", 3, 5)
    edges = build_edges(world, rng, params)
    say("world", 5, 5)
    agencies = agencies_for(params.scale.agencies)
    log = NoiseLog()
    noise = {
        ag.id: Noise(np.random.Generator(np.random.PCG64([seed, k])), params.noise, log)
        for k, ag in enumerate(agencies)
    }
    cases = plan_cases(world, rng, params, agencies)
    idx = build_index(world)
    counters: dict[str, int] = {}

    def next_n(ag: Agency) -> int:
        counters[ag.id] = counters.get(ag.id, 0) + 1
        return counters[ag.id]

    def cdr_path(case: Case) -> Path:
        folder = out / "contributions" / case.agency.id
        folder.mkdir(parents=True, exist_ok=True)
        return folder / f"{case.agency.id}-CDR-{case.ref}.csv"

    gen = CallGenerator(world, edges, params.scale.call_rate, seed + 1)
    calls = gen.run(cases, cdr_path, noise, lambda k: say("calls", k, 20))
    stats = _Stats()
    record_map: list[tuple[str, ...]] = []
    cdr_numbers: list[tuple[str, ...]] = []
    contribs: list[Contribution] = []
    for case in cases:
        contribs.append(
            case_contribution(
                world,
                rng,
                noise[case.agency.id],
                idx,
                case,
                next_n(case.agency),
                calls.get(case.index),
                gen.phone_ids,
            )
        )
    for ag, week, evs in incident_groups(world, rng, agencies, idx):
        contribs.append(incident_contribution(world, rng, noise[ag.id], ag, week, evs, next_n(ag)))
    interpol = [a for a in agencies if a.id == "INTERPOL"]
    if interpol:
        for batch in notices(world, rng):
            sent = int(rng.uniform(END - 400 * 86_400, END))
            contribs.append(
                notice_contribution(
                    world, rng, noise["INTERPOL"], interpol[0], batch, next_n(interpol[0]), sent
                )
            )
    all_ids = [a.id for a in agencies]
    for k, c in enumerate(contribs):
        if not c.records:
            continue
        grade_records(c, rng)
        env = envelope(c, rng, all_ids)
        main, _files, tmap = write(c, env, out / "contributions" / c.agency.id)
        rel = main.relative_to(out).as_posix()
        kinds = {r["id"]: str(r["kind"]) for r in c.records}
        for rid in sorted(tmap):
            local = rid[len(c.id) + 1 :] if c.fmt == "ftm" else rid
            record_map.append((c.agency.id, c.id, c.fmt, rel, rid, kinds.get(local, "link"), tmap[rid]))
        n_rec = len(tmap) if c.fmt == "ftm" else len(c.records) + len(c.links)
        stats.contribution(c, env, n_rec)
        if k % 200 == 0:
            say("contributions", k, len(contribs))
    cdr_rows = _cdr_sidecars(world, rng, cases, calls, gen, noise, out, all_ids, cdr_numbers, stats)
    say("ais", 0, 1)
    ais = build_ais(world, rng, params.scale.ais_vessels, out)
    for _agency, _path, env in ais_contributions(out, all_ids, seed):
        stats.add("contributions_by_format", "ais")
        stats.add("handling", env["handling"]["code"])
    checks = document_check_contributions(world, agencies, noise, seed, next_n, out / "truth")
    write_document_checks(checks, out, all_ids, seed, record_map, stats.contribution)
    ledgers = money_contributions(world, agencies, cases, noise, seed, next_n, out / "truth")
    write_document_checks(ledgers, out, all_ids, seed, record_map, stats.contribution)
    posts, subscribers = advert_contributions(world, agencies, noise, seed, next_n, out, record_map)
    write_document_checks(subscribers, out, all_ids, seed, record_map, stats.contribution)
    extractions = extraction_contributions(world, cases, edges, noise, seed, next_n)
    write_document_checks(extractions, out, all_ids, seed, record_map, stats.contribution)
    debriefings = debriefing_contributions(world, agencies, noise, seed, next_n)
    write_document_checks(debriefings, out, all_ids, seed, record_map, stats.contribution)
    stats.add("contributions_by_format", "adverts", posts)
    say("truth", 0, 1)
    noise_summary = write_truth(
        world,
        out / "truth",
        log,
        record_map,
        cdr_numbers,
        ais,
        {k: float(v) for k, v in asdict(params.noise).items()},
    )
    counts = {
        "persons": len(world.persons),
        "networks": len(world.networks),
        "migrants": len(world.journeys),
        "legs": len(world.trips),
        "payments": len(world.payments),
        "events": len(world.events),
        "adverts": len(world.adverts),
        "phones": len(world.phones),
        "call_edges": len(edges.a),
        "agencies": len(agencies),
        "contributions": sum(stats.c.get("contributions_by_format", {}).values()),
        "cdr_rows": cdr_rows,
        "ais_sentences": int(ais["sentences"]),
        "bad_rows": len(log.bad),
    }
    total = sum(stats.c.get("records_by_format", {}).values())
    counts["records"] = total
    meta = {
        "generator": f"mare.scenario/{GENERATOR_VERSION}",
        "scale": scale,
        "seed": seed,
        "parameters": params.as_dict(),
        "counts": counts,
        "stats": stats.c,
        "itineraries": [i.id for i in itins],
        "agencies": all_ids,
        "noise": noise_summary,
        "sent_until": iso_date(END + 30 * 86_400),
    }
    (out / "scenario.json").write_text(
        json.dumps(meta, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    say("done", 1, 1)
    return ScenarioSummary(scale, seed, out, total, counts)


def _cdr_sidecars(
    world: World,
    rng: np.random.Generator,
    cases: list[Case],
    calls: dict[int, CaseCalls],
    gen: CallGenerator,
    noise: dict[str, Noise],
    out: Path,
    all_ids: list[str],
    cdr_numbers: list[tuple[str, ...]],
    stats: _Stats,
) -> int:
    rows = 0
    for ci in sorted(calls):
        cc, case = calls[ci], cases[ci]
        if cc.path is None:
            continue
        ag = case.agency
        c = Contribution(
            agency=ag,
            id=cc.path.stem,
            case_ref=case.ref,
            sent_at=min(END + 30 * 86_400, case.t1 + 7 * 86_400),
        )
        c.crime_areas.add("migrant_smuggling")
        env = envelope(c, rng, all_ids)
        write_cdr_envelope(cc.path, env)
        rel = cc.path.relative_to(out).as_posix()
        for p in sorted(cc.phones):
            ph = world.phones[gen.phone_ids[p]]
            cdr_numbers.append((ag.id, c.id, rel, gen.number_of(ag, noise[ag.id], p), ph.id, ph.person))
        rows += cc.rows
        stats.add("contributions_by_format", "cdr")
        stats.add("records_by_format", "cdr", cc.rows)
        stats.add("records_by_agency", ag.id, cc.rows)
        stats.add("records_by_kind", "call", cc.rows)
        stats.add("handling", env["handling"]["code"])
    return rows
