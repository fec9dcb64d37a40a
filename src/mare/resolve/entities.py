"""Resolved entities in the store: clusters over automatic links and judgements."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pyarrow as pa

from mare.resolve.clusters import cluster
from mare.store.db import Store
from mare.store.settle import settled

_EDGES = (
    "WITH verdicts AS (SELECT left_uid, right_uid, arg_max(verdict, judged_at) AS verdict "
    "FROM judgements GROUP BY 1, 2) "
    "SELECT c.left_uid, c.right_uid, c.match_probability, coalesce(v.verdict, '') FROM candidate_pairs c "
    "LEFT JOIN verdicts v USING (left_uid, right_uid) WHERE c.decision = 'link' {scope} "
    "UNION ALL SELECT left_uid, right_uid, 1.0, verdict FROM verdicts v "
    "WHERE verdict IN ('same', 'not_same') {vscope}"
)


def entity_id(cluster_key: str) -> str:
    """A stable entity id derived from the cluster's smallest record uid."""
    return "E" + hashlib.sha256(cluster_key.encode()).hexdigest()[:16]


def _edges(store: Store, scoped: bool) -> list[tuple[str, str, float, str]]:
    scope = (
        "AND (c.left_uid IN (SELECT uid FROM _scope) OR c.right_uid IN (SELECT uid FROM _scope))"
        if scoped
        else ""
    )
    vscope = (
        "AND (v.left_uid IN (SELECT uid FROM _scope) OR v.right_uid IN (SELECT uid FROM _scope))"
        if scoped
        else ""
    )
    return [
        (a, b, float(p), v)
        for a, b, p, v in store.con.execute(_EDGES.format(scope=scope, vscope=vscope)).fetchall()
    ]


def _closure(store: Store, seeds: set[str]) -> tuple[set[str], list[tuple[str, str, float, str]]]:
    """All records connected to the seeds by links or judgements, and those edges."""
    nodes, frontier = set(seeds), set(seeds)
    edges: dict[tuple[str, str], tuple[str, str, float, str]] = {}
    while frontier:
        store.con.execute("CREATE OR REPLACE TEMP TABLE _scope (uid VARCHAR)")
        settled(store.con).register("_front", pa.table({"uid": sorted(frontier)}))
        store.con.execute("INSERT INTO _scope SELECT uid FROM _front")
        store.con.unregister("_front")
        found = _edges(store, scoped=True)
        frontier = set()
        for edge in found:
            edges[(edge[0], edge[1])] = edge
            frontier |= {edge[0], edge[1]} - nodes
        nodes |= frontier
    store.con.execute("DROP TABLE IF EXISTS _scope")
    return nodes, list(edges.values())


def _dates(store: Store, nodes: set[str] | None) -> dict[str, list[str]]:
    """Full birth dates (and day/month alternatives) of these records (all when None)."""
    sql = "SELECT record_uid, birth_date, birth_alt FROM person_features WHERE birth_precision = 'day'"
    if nodes is None:
        rows = store.con.execute(sql).fetchall()
    else:
        settled(store.con).register("_date_nodes", pa.table({"uid": sorted(nodes)}))
        rows = store.con.execute(sql + " AND record_uid IN (SELECT uid FROM _date_nodes)").fetchall()
        store.con.unregister("_date_nodes")
    return {uid: [d for d in (date, alt) if d] for uid, date, alt in rows}


def rebuild_entities(store: Store, seeds: list[str] | None = None) -> int:
    """Recluster the whole store (seeds None) or the records connected to the seeds; returns records."""
    if seeds is None:
        nodes = {r[0] for r in store.con.execute("SELECT record_uid FROM person_features").fetchall()}
        edges = _edges(store, scoped=False)
    else:
        nodes, edges = _closure(store, set(seeds))
    links = [(a, b, p) for a, b, p, v in edges if v != "not_same"]
    same = [(a, b) for a, b, _, v in edges if v == "same"]
    not_same = [(a, b) for a, b, _, v in edges if v == "not_same"]
    mapping = cluster(nodes, links, same, not_same, _dates(store, nodes if seeds is not None else None))
    now = datetime.now(UTC).replace(tzinfo=None)
    table = pa.table(
        {
            "record_uid": list(mapping),
            "entity_id": [entity_id(c) for c in mapping.values()],
            "updated_at": pa.array([now] * len(mapping), pa.timestamp("us")),
        }
    )
    if seeds is None:
        store.con.execute("DELETE FROM entities")
    else:
        settled(store.con).register("_nodes", pa.table({"uid": sorted(nodes)}))
        store.con.execute("DELETE FROM entities WHERE record_uid IN (SELECT uid FROM _nodes)")
        store.con.unregister("_nodes")
    settled(store.con).register("_entities", table)
    store.con.execute("INSERT INTO entities SELECT record_uid, entity_id, updated_at FROM _entities")
    store.con.unregister("_entities")
    return len(mapping)
