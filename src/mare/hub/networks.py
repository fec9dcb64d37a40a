"""The networks in the hub's own data, as a viewer may see them: found, named, and analysed one by one.

`entity_network` builds the person network from what the viewer may see (`hub_network`: calls,
communications, co-participation, shared assets, payments, associations; filtered in the database)
and merges the records the cross-check resolved to one person (`entities`) into one node, so a
smuggler known to three agencies is one node with the ties of all three. `find_networks` splits it
into its networks of at least `min_size` people (the communities of the graph of separate
observations tying people: cooperating networks are tied together, so components would merge them),
largest first, numbered `N1, N2, …` for the tie options given, each named by its key players.
`network` and `neighbourhood` give one of them, or one person's surroundings up to a depth, for
the full analysis (`analyse`: measures, cells, roles, disruption).
"""

from __future__ import annotations

import copy
import hashlib
import threading
from collections import Counter, OrderedDict, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any

import networkx as nx
import numpy as np

from mare.analyse.network.graph import Network, collapse
from mare.analyse.network.profiles import network_profile
from mare.analyse.network.typology import Typology, typology
from mare.hub.context import HubContext
from mare.hub.kept import (
    Kept,
    Served,
    base_of,
    building,
    epoch_now,
    last_build,
    policy_base,
    rebuild_behind,
    stamp_sql,
    with_stamp,
)
from mare.hub.kept import one_build as _one_build
from mare.hub.network import hub_network

MAX_DEPTH = 4
#: Louvain's resolution is the number of observations divided by this (at least 1); measured on the
#: scenario (benchmarks/hub_networks.py, docs/validation.md): 3.2 on small, 36 on medium.
OBSERVATIONS_PER_RESOLUTION = 5000.0
#: People with less than this share of their observations inside their community are go-betweens.
GO_BETWEEN_SHARE = 0.3


class NetworkError(ValueError):
    """A network or person that cannot be found or analysed, with what to do instead."""


@dataclass(frozen=True, slots=True)
class NetworkSummary:
    """One network found in the hub's data: size, when active, and who stands out."""

    id: str
    people: int
    ties: int
    density: float
    key_players: list[dict[str, Any]]
    nationalities: dict[str, int]
    tie_kinds: dict[str, int]
    first_seen: str | None
    last_seen: str | None

    @property
    def name(self) -> str:
        """The network named by its two key players."""
        names = [p["label"] or p["id"] for p in self.key_players[:2]]
        return " & ".join(names) if names else self.id

    def as_dict(self) -> dict[str, Any]:
        """JSON-able form."""
        return {
            "id": self.id,
            "name": self.name,
            "people": self.people,
            "ties": self.ties,
            "density": self.density,
            "key_players": self.key_players,
            "nationalities": self.nationalities,
            "tie_kinds": self.tie_kinds,
            "first_seen": self.first_seen,
            "last_seen": self.last_seen,
        }


#: Person networks already built, by what decides them (see `_cache_key`): the web app asks for the
#: same network for the network page, its graph and its chart, and every analyst of one agency sees
#: the same one; rebuilding it each time cost seconds per request.
NETWORK_CACHE_SIZE = 8
_NETWORKS: OrderedDict[tuple[Any, ...], tuple[Network, tuple[str, int, dict[str, int]]]] = OrderedDict()
_FOUND: Kept[list[tuple[str, Network]]] = Kept(NETWORK_CACHE_SIZE)
_REPORTS: Kept[dict[str, Any]] = Kept(4 * NETWORK_CACHE_SIZE)
_FINGERPRINTS: Kept[str] = Kept(4 * NETWORK_CACHE_SIZE)
_NETWORKS_LOCK = threading.Lock()
#: What the person network is built from, one stamp per table (`hub_network`: the rows and every column
#: it or the read policy reads): a change to any of them changes the key, so the network is built again.
#: Contributions count only where the network reads them (their call batches, the crime areas and
#: handling of those that brought records), so an ingest that stores nothing the network reads (AIS
#: positions, say; or the audit, sessions, geocoding, hits) leaves the kept networks in place.
_STAMPS = {
    "contributions": "SELECT count(*) || ':' || coalesce(sum(hash(uid, agency, handling_code, restrictions, "
    "crime_areas, call_count, superseded_by)), 0) FROM contributions "
    "WHERE call_count > 0 OR uid IN (SELECT contribution FROM records)",
    "records": "SELECT count(*) || ':' || coalesce(sum(hash(uid, kind, label, category, agency, "
    "handling_code, restrictions, minor, contribution)), 0) FROM records",
    "record_values": "SELECT count(*) || ':' || coalesce(sum(hash(record_uid, field, position, original, "
    "normalised)), 0) FROM record_values",
    "links": "SELECT count(*) || ':' || coalesce(sum(hash(uid, kind, source_uid, target_uid, agency, "
    "handling_code, restrictions, properties)), 0) FROM links",
    "calls": "SELECT count(*) || ':' || coalesce(sum(hash(contribution, caller, callee, started_at)), 0) "
    "FROM calls",
    "entities": "SELECT count(*) || ':' || coalesce(sum(hash(record_uid, entity_id)), 0) FROM entities",
    "consent_requests": "SELECT count(*) || ':' || coalesce(sum(hash(id, record_uid, requester_agency, "
    "status)), 0) FROM consent_requests",
}
_STAMP_SQL = stamp_sql(_STAMPS)
#: The person network's name among the builds served across additions (`kept.last_build`).
_NAME = "person network"


def _cache_key(
    ctx: HubContext, tie_kinds: Iterable[str] | None, weights: Mapping[str, float] | None
) -> tuple[Any, ...] | None:
    """What decides the network a viewer gets (`kept.policy_key`: the policy on records and links, the
    consent granted, today, the stamps of `_STAMPS`) and the options. None off DuckDB (not cached)."""
    return _serving(ctx, tie_kinds, weights).key


@dataclass(frozen=True, slots=True)
class _Serving:
    """The key a request is served from, how current it is, and the epoch read before its stamps."""

    key: tuple[Any, ...] | None
    served: Served
    epoch: int | None


def _serving(
    ctx: HubContext, tie_kinds: Iterable[str] | None, weights: Mapping[str, float] | None
) -> _Serving:
    """The key to serve: the last build for this viewer's policy while it may be served across
    additions (`kept.last_build`: the stamps not even read), else the key of the data as it is now."""
    base = policy_base(
        ctx,
        ("r", "l"),
        tuple(sorted(tie_kinds)) if tie_kinds is not None else None,
        tuple(sorted(weights.items())) if weights is not None else None,
    )
    last = last_build(_NAME, base)
    if last is not None and last.key is not None:
        with _NETWORKS_LOCK:
            kept = last.key in _NETWORKS
        if kept:
            if last.due:
                rebuild_behind(_NAME, last, ctx, partial(_rebuild, last.key, tie_kinds, weights))
            return _Serving(last.key, last, None)
    epoch = epoch_now()
    key = with_stamp(ctx, base, _STAMP_SQL) if base is not None else None
    return _Serving(key, Served(key, None), epoch)


def _rebuild(
    last: tuple[Any, ...],
    tie_kinds: Iterable[str] | None,
    weights: Mapping[str, float] | None,
    behind: HubContext,
) -> None:
    """Build the network for the data as it is now behind the requests (`kept.rebuild_behind`, which
    gives `behind`), the networks found in it with each option kept for the `last` build, and the analysis
    of each network analysed for it that changed, before it becomes the last build: no request then waits
    for any of them (about a minute of CPU on the medium hub, and seconds per analysis)."""
    epoch = epoch_now()
    key = with_stamp(behind, base_of(last), _STAMP_SQL)
    with building(_NAME, key, epoch) as done, _one_build(key):
        net, keep = _kept_or_built(behind, tie_kinds, weights, key, copied=False)
        if not keep:
            return
        at = len(last)
        for found in _FOUND.kept_keys():
            if found[:at] == last and len(found) == at + 2:
                min_size, seed = found[at:]
                _FOUND.take_or_build((*key, min_size, seed), partial(find_networks, net, min_size, seed=seed))
        if tie_kinds is None and weights is None:  # the options `analysed_network` reads with
            _analyse_behind(last, key)
        done()


def _analyse_behind(last: tuple[Any, ...], key: tuple[Any, ...]) -> None:
    """For each network analysed for the `last` build's policy: its analysis in the networks found for
    `key`, made now if the network changed (an unchanged one keeps its analysis: `analysed_network`)."""
    from mare.analyse.network.report import analyse

    base = base_of(last)
    at = len(base)
    asked = {k[at : at + 2] for k in _REPORTS.kept_keys() if k[:at] == base and len(k) == at + 3}
    for min_size, wanted in sorted(asked):
        parts = _FOUND.get((*key, min_size, 1))
        part = dict(parts).get(wanted) if parts is not None else None
        if part is None:
            continue
        content, _ = _FINGERPRINTS.take_or_build((*key, min_size, wanted), partial(_fingerprint, part))
        _REPORTS.take_or_build((*base, min_size, wanted, content), partial(_analysed_copy, analyse, part))


def _analysed_copy(analyse: Callable[[Network], dict[str, Any]], part: Network) -> dict[str, Any]:
    """`analyse` on a copy of a kept network (the analysis may change what it is given)."""
    return analyse(_copy(part))


def _as_served(net: Network, served: Served) -> Network:
    """The network (a copy) saying how current it is (`meta["served"]`, and the key it came from)."""
    net.meta["served"] = served.as_dict()
    net.meta["served_key"] = served.key
    return net


def entity_network(
    ctx: HubContext,
    tie_kinds: Iterable[str] | None = None,
    weights: Mapping[str, float] | None = None,
) -> Network:
    """The person network the viewer may see, one node per resolved person (entity id `E…`). Built
    once per viewer's policy and state of the data (kept for the next request: `_cache_key`); each
    call notes its counts shown and withheld in the viewer's consultation entry all the same."""
    serving = _serving(ctx, tie_kinds, weights)
    net, served = _kept_entity_network(ctx, tie_kinds, weights, serving)
    return _as_served(net, served)


def hub_found_networks(
    ctx: HubContext,
    min_size: int = 3,
    tie_kinds: Iterable[str] | None = None,
    weights: Mapping[str, float] | None = None,
    seed: int = 1,
) -> list[tuple[str, Network]]:
    """`find_networks` on the viewer's `entity_network`, kept like it for the same policy and data."""
    serving = _serving(ctx, tie_kinds, weights)
    parts, served, shared = _found_parts(ctx, min_size, tie_kinds, weights, seed, serving)
    return [(nid, _as_served(_copy(part) if shared else part, served)) for nid, part in parts]


def _found_parts(
    ctx: HubContext,
    min_size: int,
    tie_kinds: Iterable[str] | None,
    weights: Mapping[str, float] | None,
    seed: int,
    serving: _Serving,
) -> tuple[list[tuple[str, Network]], Served, bool]:
    """The networks found, how current they are, and whether they are the kept ones (shared: a caller
    copies the one it hands on, `_copy`; copying all 400 of the medium hub's on every request for one
    network was half that request's time)."""
    net, served = _kept_entity_network(ctx, tie_kinds, weights, serving, copied=False)  # only read
    key = served.key
    if key is None:
        return find_networks(net, min_size, seed=seed), served, False
    kept, _ = _FOUND.take_or_build((*key, min_size, seed), lambda: find_networks(net, min_size, seed=seed))
    return kept, served, True


def _kept_entity_network(
    ctx: HubContext,
    tie_kinds: Iterable[str] | None,
    weights: Mapping[str, float] | None,
    serving: _Serving,
    copied: bool = True,
) -> tuple[Network, Served]:
    """The network for the serving key and how current it is. A last build served across additions is
    taken as kept; if it was dropped meanwhile, the data as it is now is read (stamps and all).
    `copied=False`: the kept network itself, for a caller that only reads it."""
    if serving.served.across_additions:
        with _NETWORKS_LOCK:
            found = _NETWORKS.get(serving.key) if serving.key is not None else None
        if found is not None:
            kept, (resource, shown, withheld) = found
            ctx.note_bulk(resource, shown, withheld)
            return (_copy(kept) if copied else kept), serving.served
        epoch = epoch_now()
        base = base_of(serving.key) if serving.key is not None else None
        key = with_stamp(ctx, base, _STAMP_SQL) if base is not None else None
        serving = _Serving(key, Served(key, None), epoch)
    key = serving.key
    with building(_NAME, key, serving.epoch) as done, _one_build(key):
        net, keep = _kept_or_built(ctx, tie_kinds, weights, key, copied)
        if keep:
            done()
    # not kept (the data changed while it was built): nothing derived from it is kept either
    return net, Served(key if keep else None, datetime.now(UTC))


def _kept_or_built(
    ctx: HubContext,
    tie_kinds: Iterable[str] | None,
    weights: Mapping[str, float] | None,
    key: tuple[Any, ...] | None,
    copied: bool = True,
) -> tuple[Network, bool]:
    """(the network for `key`, whether it is kept under it). A build is kept only if the data stamps
    read after it equal the key's, read before it: an upload committed meanwhile is in the build but
    not in the key, and erasing it later would bring the stamps back to the key's."""
    if key is not None:
        with _NETWORKS_LOCK:
            found = _NETWORKS.get(key)
            if found is not None:
                _NETWORKS.move_to_end(key)
        if found is not None:
            kept, (resource, shown, withheld) = found
            ctx.note_bulk(resource, shown, withheld)
            return (_copy(kept) if copied else kept), True
    notes: list[tuple[str, int, dict[str, int]]] = []

    def note(resource: str, shown: int, withheld: dict[str, int]) -> None:
        notes.append((resource, shown, dict(withheld)))
        ctx.note_bulk(resource, shown, withheld)

    net = _entity_network(ctx, tie_kinds, weights, note)
    if key is None or len(notes) != 1 or with_stamp(ctx, base_of(key), _STAMP_SQL) != key:
        return net, False
    with _NETWORKS_LOCK:
        _NETWORKS[key] = (_copy(net), notes[0])
        while len(_NETWORKS) > NETWORK_CACHE_SIZE:
            _NETWORKS.popitem(last=False)
    return net, True


def _copy(net: Network) -> Network:
    """A copy a caller may change without touching the kept one: arrays, node attributes and the meta
    dict copied (the values in them shared, as no caller changes those in place)."""
    return Network(
        list(net.ids),
        net.src.copy(),
        net.dst.copy(),
        net.weight.copy(),
        net.directed,
        net.weighted,
        {node: dict(attrs) for node, attrs in net.attrs.items()},
        net.name,
        dict(net.meta),
    )


def _entity_network(
    ctx: HubContext,
    tie_kinds: Iterable[str] | None,
    weights: Mapping[str, float] | None,
    note: Callable[[str, int, dict[str, int]], None],
) -> Network:
    raw = hub_network(ctx, tie_kinds, weights, note=note)
    if not raw.n:
        return raw
    # One list parameter, not a temporary table filled row by row (executemany: 0.6 ms a row, 8 s for
    # the medium scenario's 13,000 people).
    entity_of = dict(
        ctx.store.con.execute(
            "SELECT record_uid, entity_id FROM entities WHERE record_uid IN (SELECT unnest(?))",
            [list(raw.ids)],
        ).fetchall()
    )
    net = collapse(raw, entity_of, name="hub")
    records_of: dict[str, list[str]] = defaultdict(list)
    for uid in raw.ids:
        records_of[entity_of.get(uid, uid)].append(uid)
    for node, attrs in net.attrs.items():
        attrs["records"] = sorted(records_of.get(node, []))
    return net


def _evidence_graph(net: Network) -> nx.Graph:
    """People tied by how many separate observations tie them (a call month, an event, a payment, a
    shared phone each count one), whatever each observation's strength: a pair called 200 times in
    one month is one observation, not 200, so heavy callers do not pull other networks in."""
    graph = nx.Graph()
    graph.add_nodes_from(net.ids)
    ties = net.meta.get("ties")
    pairs = (
        ((t.source, t.target) for t in ties)
        if ties is not None
        else ((net.ids[a], net.ids[b]) for a, b in zip(net.src.tolist(), net.dst.tolist(), strict=True))
    )
    for a, b in pairs:
        if a == b:
            continue
        if graph.has_edge(a, b):
            graph[a][b]["weight"] += 1.0
        else:
            graph.add_edge(a, b, weight=1.0)
    return graph


def _louvain(graph: nx.Graph, resolution: float | None, seed: int) -> list[set[str]]:
    if resolution is None:
        resolution = max(1.0, graph.size(weight="weight") / OBSERVATIONS_PER_RESOLUTION)
    return [
        set(c)
        for c in nx.community.louvain_communities(graph, weight="weight", resolution=resolution, seed=seed)
    ]


def _communities(graph: nx.Graph, resolution: float | None, seed: int) -> list[set[str]]:
    """Louvain twice: people with fewer than `GO_BETWEEN_SHARE` of their observations inside their
    first community (and three or more contacts), go-betweens serving several networks such as
    hawala bankers or transporters, are set aside while the communities are found again, then join
    the community they are most tied to."""
    first = _louvain(graph, resolution, seed)
    community_of = {node: i for i, community in enumerate(first) for node in community}
    aside = []
    for node in graph.nodes:
        total = graph.degree(node, weight="weight")
        if total and graph.degree(node) >= 3:
            inside = sum(
                d["weight"]
                for _, other, d in graph.edges(node, data=True)
                if community_of[other] == community_of[node]
            )
            if inside / total < GO_BETWEEN_SHARE:
                aside.append(node)
    if not aside:
        return first
    rest = graph.copy()
    rest.remove_nodes_from(aside)
    second = _louvain(rest, resolution, seed)
    index = {node: i for i, community in enumerate(second) for node in community}
    for node in aside:
        ties: dict[int, float] = defaultdict(float)
        for _, other, d in graph.edges(node, data=True):
            if other in index:
                ties[index[other]] += d["weight"]
        if ties:
            second[max(sorted(ties), key=lambda i: ties[i])].add(node)
        else:
            second.append({node})
    return second


def find_networks(
    net: Network, min_size: int = 3, seed: int = 1, resolution: float | None = None
) -> list[tuple[str, Network]]:
    """Networks of at least `min_size` people, largest first, as (`N1`…, network): the communities
    (Louvain, seeded) of the graph of separate observations tying people (`_evidence_graph`).
    Cooperating networks are tied to one another, so components alone would merge them; the
    communities are the networks (found twice, go-betweens set aside the second time:
    `_communities`). Modularity cannot see communities below a size that grows with the graph (its
    resolution limit), so the resolution grows with the number of observations: one per
    `OBSERVATIONS_PER_RESOLUTION` (at least 1), unless given."""
    if min_size < 2:
        raise NetworkError("a network needs at least 2 people: use --min-size 2 or more")
    if net.n == 0:
        return []
    graph = _evidence_graph(net)
    communities = _communities(graph, resolution, seed)
    index = net.index()
    labels = np.full(net.n, -1, dtype=np.int64)
    for label, community in enumerate(c for c in communities if len(c) >= min_size):
        labels[[index[node] for node in community]] = label
    parts = net.parts(labels)
    parts.sort(key=lambda p: (-p.n, min(p.ids)))
    for i, part in enumerate(parts, 1):
        part.name = f"N{i}"
    return [(part.name, part) for part in parts]


#: The hub's ties by their source person, per tie list (the networks `find_networks` cuts from one
#: hub network share its list in `meta['ties']`): a summary reads the ties of its own people instead
#: of every hub tie, which made listing N networks N passes over all ties (12 minutes on the medium
#: scenario). A few lists kept, each with the list itself (so its id is not reused meanwhile).
_TIES_BY_SOURCE: OrderedDict[int, tuple[list[Any], int, dict[str, list[Any]]]] = OrderedDict()
_TIES_LOCK = threading.Lock()


def _ties_by_source(ties: list[Any]) -> dict[str, list[Any]]:
    with _TIES_LOCK:
        found = _TIES_BY_SOURCE.get(id(ties))
        if found is not None and found[0] is ties and found[1] == len(ties):
            return found[2]
    by_source: dict[str, list[Any]] = defaultdict(list)
    for tie in ties:
        by_source[tie.source].append(tie)
    with _TIES_LOCK:
        _TIES_BY_SOURCE[id(ties)] = (ties, len(ties), by_source)
        while len(_TIES_BY_SOURCE) > 4:
            _TIES_BY_SOURCE.popitem(last=False)
    return by_source


def summarise(network_id: str, net: Network, top: int = 3) -> NetworkSummary:
    """Size, activity span and key players (by degree, then tie strength) of one network."""
    degree, strength = net.degree(), net.weighted_degree()
    order = sorted(range(net.n), key=lambda i: (-int(degree[i]), -float(strength[i]), net.ids[i]))
    players = [
        {
            "id": net.ids[i],
            "label": net.attrs.get(net.ids[i], {}).get("label"),
            "degree": int(degree[i]),
            "role": net.attrs.get(net.ids[i], {}).get("role"),
        }
        for i in order[:top]
    ]
    index = net.index()
    everything = net.meta.get("ties") or []
    if isinstance(everything, list):
        by_source = _ties_by_source(everything)
        ties = [t for node in net.ids for t in by_source.get(node, ()) if t.target in index]
    else:
        ties = [t for t in everything if t.source in index and t.target in index]
    times = sorted(t.at for t in ties if t.at)
    nationalities = Counter(
        str(a.get("nationality")) for a in net.attrs.values() if a.get("nationality") is not None
    )
    possible = net.n * (net.n - 1) / 2
    return NetworkSummary(
        id=network_id,
        people=net.n,
        ties=net.m,
        density=round(net.m / possible, 4) if possible else 0.0,
        key_players=players,
        nationalities=dict(nationalities.most_common(5)),
        tie_kinds=dict(Counter(t.kind for t in ties)),
        first_seen=times[0][:10] if times else None,
        last_seen=times[-1][:10] if times else None,
    )


def networks(
    ctx: HubContext,
    min_size: int = 3,
    tie_kinds: Iterable[str] | None = None,
    weights: Mapping[str, float] | None = None,
) -> list[NetworkSummary]:
    """Every network of at least `min_size` people the viewer may see, largest first."""
    return [summarise(nid, part) for nid, part in hub_found_networks(ctx, min_size, tie_kinds, weights)]


def network(
    ctx: HubContext,
    network_id: str,
    min_size: int = 3,
    tie_kinds: Iterable[str] | None = None,
    weights: Mapping[str, float] | None = None,
) -> Network:
    """One network by its number (`N3`) under the same options that listed it."""
    return _one(ctx, network_id, min_size, tie_kinds, weights, _serving(ctx, tie_kinds, weights))[1]


def _one(
    ctx: HubContext,
    network_id: str,
    min_size: int,
    tie_kinds: Iterable[str] | None,
    weights: Mapping[str, float] | None,
    serving: _Serving,
) -> tuple[str, Network]:
    parts, served, shared = _found_parts(ctx, min_size, tie_kinds, weights, 1, serving)
    found = dict(parts)
    wanted = network_id.strip().upper()
    if wanted not in found:
        there = f"there are {len(found)} (N1…N{len(found)})" if found else "there is none in what you may see"
        raise NetworkError(
            f"no network {network_id!r} of at least {min_size} people: {there}; "
            "list them with `mare network --hub`"
        )
    part = found[wanted]
    return wanted, _as_served(_copy(part) if shared else part, served)


def analysed_network(ctx: HubContext, network_id: str, min_size: int = 3) -> tuple[Network, dict[str, Any]]:
    """One network (`network`) and its full analysis (`analyse`: measures, roles, cells), the analysis
    kept like the networks, for the same viewer's policy and state of the data (seconds on the medium
    scenario's largest network, asked for by the network page, its graph and its chart)."""
    from mare.analyse.network.report import analyse

    wanted, net = _one(ctx, network_id, min_size, None, None, _serving(ctx, None, None))
    key = net.meta.get("served_key")
    if key is None:
        return net, analyse(net)
    # keyed by the viewer's policy and the network's own content, not by the stamps of the whole
    # hub's data: a network an upload left as it was keeps its analysis when the hub's network is built
    # again (the analysis reads nothing but the network)
    content, _ = _FINGERPRINTS.take_or_build((*key, min_size, wanted), lambda: _fingerprint(net))
    analysed = partial(_analysed_copy, analyse, net)
    kept, _ = _REPORTS.take_or_build((*base_of(key), min_size, wanted, content), analysed)
    return net, copy.deepcopy(kept)


#: Meta the analysis never reads (`analyse.network`: only `ties`, `first_seen`, `last_seen`): the hub-wide
#: counts every network carries, how current it is; `ties` is taken apart (those touching its people).
_NOT_ANALYSED = ("served", "served_key", "ties", "withheld", "ties_by_kind", "tie_kinds")


def _fingerprint(net: Network) -> str:
    """A digest of everything of the network `analyse` may read: its people, ties and weights, the
    people's attributes, its name, the hub's ties touching its people (`meta['ties']`: who names, pays
    and calls whom) and the rest of its meta (how current it is left out)."""
    digest = hashlib.sha256()
    digest.update(repr((net.ids, net.directed, net.weighted, net.name)).encode())
    for array in (net.src, net.dst, net.weight):
        digest.update(np.ascontiguousarray(array).tobytes())
    digest.update(repr(sorted((node, sorted(a.items(), key=repr)) for node, a in net.attrs.items())).encode())
    members = set(net.ids)
    ties = [t for t in net.meta.get("ties") or () if t.source in members or t.target in members]
    digest.update(repr(sorted(map(repr, ties))).encode())
    meta = {k: v for k, v in net.meta.items() if k not in _NOT_ANALYSED}
    digest.update(repr(sorted(meta.items(), key=repr)).encode())
    return digest.hexdigest()


def neighbourhood(
    ctx: HubContext,
    person: str,
    depth: int = 1,
    tie_kinds: Iterable[str] | None = None,
    weights: Mapping[str, float] | None = None,
) -> Network:
    """One person (entity id or record uid) and everyone within `depth` ties, as the viewer may see them."""
    if not 1 <= depth <= MAX_DEPTH:
        raise NetworkError(f"--depth must be between 1 and {MAX_DEPTH}, not {depth}")
    net = entity_network(ctx, tie_kinds, weights)
    start = person.strip()
    if start not in net.index():
        start = next((node for node, a in net.attrs.items() if person.strip() in a.get("records", ())), "")
    if not start:
        raise NetworkError(
            f"{person!r} is not in any network you may see: give an entity id (E…) or a person's "
            "record uid from `mare records --kind person`"
        )
    graph = net.to_networkx()
    reach = {net.index()[start]: 0}
    frontier = [net.index()[start]]
    for level in range(1, depth + 1):
        nxt = []
        for node in frontier:
            for other in graph.neighbors(node):
                if other not in reach:
                    reach[other] = level
                    nxt.append(other)
        frontier = nxt
    keep = np.zeros(net.n, dtype=bool)
    keep[list(reach)] = True
    sub = net.induced(keep)
    sub.name = f"{start} (depth {depth})"
    sub.meta["centre"] = start
    return sub


def compare_networks(
    ctx: HubContext,
    min_size: int = 3,
    tie_kinds: Iterable[str] | None = None,
    types: int | None = None,
    seed: int = 1,
) -> tuple[list[dict[str, Any]], Typology]:
    """The comparative analysis of every network the viewer may see: one profile per network (size,
    density, centralisation, cells, mixes of nationalities, countries and roles, activity span) and
    the typology of their shapes."""
    found = hub_found_networks(ctx, min_size, tie_kinds, seed=seed)
    profiles = []
    for nid, part in found:
        profile = network_profile(part, "auto", seed)
        profile["name"] = nid
        profile["named_by"] = summarise(nid, part).name
        profiles.append(profile)
    return profiles, typology(profiles, types, seed)
