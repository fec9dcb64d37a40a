"""describe(): the scenario's distributions beside the figures of DOMAIN.md and the 2016 report."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from mare.scenario.routes import DETECTIONS_2015


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _shares(counts: dict[str, int]) -> dict[str, float]:
    total = sum(counts.values()) or 1
    return {k: round(v / total, 4) for k, v in sorted(counts.items(), key=lambda kv: -kv[1])}


def _count(values: list[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for v in values:
        out[v] = out.get(v, 0) + 1
    return out


def describe(path: Path) -> dict[str, Any]:
    """Distributions of a generated scenario (reads scenario.json and truth/)."""
    path = Path(path)
    meta = json.loads((path / "scenario.json").read_text(encoding="utf-8"))
    truth = path / "truth"
    persons = _rows(truth / "persons.csv")
    members = [p for p in persons if p["kind"] == "member"]
    migrants = [p for p in persons if p["kind"] == "migrant"]
    journeys = _rows(truth / "journeys.csv")
    payments = _rows(truth / "payments.csv")
    fees = sorted(int(j["fee_eur"]) for j in journeys if int(j["fee_eur"]) > 0)
    fee_pay = [p for p in payments if p["purpose"] in ("smuggling fee", "fee for the next leg")]
    destinations = {"DE", "SE", "AT", "NL", "GB", "FR", "BE"}
    nets = json.loads((truth / "networks.json").read_text(encoding="utf-8"))
    sizes = sorted(n["size"] for n in nets["networks"])
    poly = [p for p in members if p["crime_areas"]]
    areas = _count([a for p in poly for a in p["crime_areas"].split(" | ")])
    hot = json.loads((truth / "hotspots.json").read_text(encoding="utf-8"))
    stats = meta["stats"]
    routes = _count([j["route"] for j in journeys])
    return {
        "scale": meta["scale"],
        "seed": meta["seed"],
        "counts": meta["counts"],
        "records_by_format": stats.get("records_by_format", {}),
        "records_by_kind": stats.get("records_by_kind", {}),
        "records_by_agency": stats.get("records_by_agency", {}),
        "roles": _shares(_count([p["role"] for p in members])),
        "network_sizes": {
            "n": len(sizes),
            "min": sizes[0] if sizes else 0,
            "median": sizes[len(sizes) // 2] if sizes else 0,
            "max": sizes[-1] if sizes else 0,
        },
        "absorbed_networks": sum(1 for n in nets["networks"] if n["absorbed_by"]),
        "route_shares": _shares(routes),
        "route_shares_2015": _shares(DETECTIONS_2015),
        "fee_eur": {
            "min": fees[0] if fees else 0,
            "median": fees[len(fees) // 2] if fees else 0,
            "max": fees[-1] if fees else 0,
        },
        "payment_methods": _shares(_count([p["method"] for p in fee_pay])),
        "payment_timing": _shares(_count([j["timing"] for j in journeys if j["timing"]])),
        "fees_from_destination": round(
            sum(1 for p in fee_pay if p["from_country"] in destinations) / max(1, len(fee_pay)), 4
        ),
        "polycriminal_share": round(len(poly) / max(1, len(members)), 4),
        "polycriminal_areas": _shares(areas),
        "migrant_nationalities": _shares(_count([p["nationality"] for p in migrants])),
        "minors_share": round(sum(1 for p in migrants if p["minor"] == "1") / max(1, len(migrants)), 4),
        "noise": {k: v["realised"] for k, v in meta.get("noise", {}).items()},
        "handling": _shares(stats.get("handling", {})),
        "grading": _shares(stats.get("grading", {})),
        "person_categories": _shares(stats.get("person_categories", {})),
        "hotspots": {"total": len(hot), "in_eu": sum(1 for h in hot if h["in_eu"])},
    }


_REF: dict[str, str] = {
    "fee_eur": "EUR 3,000-6,000 per journey (2016 report)",
    "payment_methods": "mostly cash and hawala (2016 report)",
    "fees_from_destination": "money mainly sent from destination countries (2016 report)",
    "polycriminal_areas": "drugs 22 %, THB 20 %, property 20 %, forgery 18 % (2015)",
    "route_shares": "2015 detections: EMED 84 %, CMED 15 %, WMED 0.7 % (DOMAIN.md)",
    "network_sizes": "522 networks analysed; loose, along routes (2016 report)",
    "hotspots": "~250 hotspots: 170 in the EU, 80 outside (2016 report)",
    "handling": "H0-H3 set by the provider (scenario shares: docs/scenario.md)",
    "roles": "leaders, organisers per locality, low-level facilitators (2016 report)",
    "minors_share": "minors among migrants (scenario assumption)",
}


def describe_table(d: dict[str, Any]) -> list[tuple[str, str, str]]:
    """Rows (measure, scenario value, reference figure) for printing."""
    rows: list[tuple[str, str, str]] = []
    for key in (
        "counts",
        "records_by_format",
        "route_shares",
        "fee_eur",
        "payment_methods",
        "payment_timing",
        "fees_from_destination",
        "polycriminal_share",
        "polycriminal_areas",
        "roles",
        "network_sizes",
        "absorbed_networks",
        "migrant_nationalities",
        "minors_share",
        "handling",
        "grading",
        "person_categories",
        "noise",
        "hotspots",
    ):
        value = d.get(key)
        if isinstance(value, dict):
            text = ", ".join(f"{k}={v}" for k, v in list(value.items())[:10])
        else:
            text = str(value)
        rows.append((key, text, _REF.get(key, "")))
    return rows
