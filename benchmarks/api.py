"""The API's main read routes over `mare serve`, beside the same hub-layer calls made in-process (issue 14).

Copies the hub in HOME (its DuckDB file and keys) to a temporary folder, gives it a hub analyst with an
API token, starts `mare serve` on a free loopback port and, for each route (search, entity, network,
map), sends REQUESTS requests from CLIENTS concurrent clients (threads, one HTTP connection each):
requests per second, p50 and p95 latency, errors. The anchor, in the same run and on the same copy: the
same hub-layer work called in-process with a fresh `HubContext` per call (sign-in not included; one
client, as it shares one connection), so the ratio is what HTTP, sign-in by token, JSON and the server
add. Not the issue's full target yet: no
concurrent ingest, the small demo hub rather than the medium scenario.

    uv run python benchmarks/api.py --home H [--clients 1 5] [--requests 40]
"""

from __future__ import annotations

import argparse
import json
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _prepare(home: Path, folder: Path) -> tuple[str, dict[str, str]]:
    """The copy, a hub analyst's token, and a subject per route (query, entity, network)."""
    from mare.access.policy import Viewer
    from mare.hub import accounts
    from mare.hub.context import HubContext
    from mare.hub.networks import entity_network, find_networks
    from mare.store.db import open_store

    folder.mkdir()
    shutil.copy(home / "mare.duckdb", folder / "mare.duckdb")
    if (home / "keys").is_dir():
        shutil.copytree(home / "keys", folder / "keys")
    with open_store(folder) as store:
        if accounts.get_user(store, "bench-analyst") is None:
            accounts.add_user(store, "bench-analyst", "HUB", ["analyst"], None)
        token = accounts.issue_token(store, "bench-analyst", label="benchmark")[1]
        row = store.con.execute(
            "SELECT e.entity_id, count(*) FROM entities e GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1"
        ).fetchone()
        name = store.con.execute(
            "SELECT original FROM record_values WHERE field = 'name' ORDER BY record_uid LIMIT 1"
        ).fetchone()
        with HubContext(store, Viewer("bench-analyst", "HUB", frozenset({"analyst"})), "token") as ctx:
            found = find_networks(entity_network(ctx), 3)
    subjects = {
        "query": str(name[0]) if name else "Mohammed",
        "entity": str(row[0]) if row else "E1",
        "network": found[0][0] if found else "N1",
    }
    return token, subjects


def _direct(folder: Path, subjects: dict[str, str]) -> dict[str, Callable[[], Any]]:
    """The anchor: each route's hub-layer call in-process, a fresh context per call."""
    from mare.access.policy import Viewer
    from mare.analyse.network.report import analyse
    from mare.hub.context import HubContext
    from mare.hub.entity import entity
    from mare.hub.networks import network
    from mare.hub.places import event_points, hub_hotspots, legs
    from mare.hub.search import search
    from mare.store.db import open_store

    store = open_store(folder)
    viewer = Viewer("bench-analyst", "HUB", frozenset({"analyst"}))

    def run(work: Callable[[HubContext], Any]) -> Callable[[], Any]:
        def call() -> Any:
            with HubContext(store, viewer, "token") as ctx:
                return work(ctx)

        return call

    return {
        "search": run(lambda c: search(c, subjects["query"], limit=20)),
        "entity": run(lambda c: entity(c, subjects["entity"])),
        "network": run(lambda c: analyse(network(c, subjects["network"], 3))),  # as the view does
        "map": run(lambda c: (event_points(c), legs(c), hub_hotspots(c))),
    }


def _measure(call: Callable[[], Any], requests: int, clients: int) -> dict[str, float]:
    """Latencies of `requests` calls from `clients` threads: rps, p50, p95 (ms), errors."""
    times: list[float] = []
    errors = 0

    def one(_: int) -> None:
        nonlocal errors
        began = time.perf_counter()
        try:
            call()
        except Exception:  # counted; the run goes on
            errors += 1
        times.append(time.perf_counter() - began)

    call()  # warm-up
    began = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(one, range(requests)))
    wall = time.perf_counter() - began
    return {
        "rps": requests / wall,
        "p50": 1000 * statistics.median(times),
        "p95": 1000 * _percentile(times, 0.95),
        "errors": errors,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 5])
    parser.add_argument("--requests", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "hub"
        token, subjects = _prepare(args.home, folder)
        port = _free_port()
        mare = Path(sys.executable).parent / "mare"
        log = (Path(tmp) / "serve.log").open("wb")
        server = subprocess.Popen(
            [str(mare), "serve", "--home", str(folder), "--port", str(port)], stdout=log, stderr=log
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    urllib.request.urlopen(f"{url}/login", timeout=2).read()
                    break
                except OSError:
                    time.sleep(0.3)
            quote = urllib.parse.quote
            paths = {
                "search": f"/api/search?q={quote(subjects['query'])}&limit=20",
                "entity": f"/api/entities/{quote(subjects['entity'])}",
                "network": f"/api/networks/{subjects['network']}",
                "map": "/api/map?layers=hotspots,routes,events",
            }

            def http(path: str) -> Callable[[], Any]:
                def call() -> Any:
                    request = urllib.request.Request(url + path, headers={"Authorization": f"Bearer {token}"})
                    with urllib.request.urlopen(request, timeout=120) as answer:
                        return json.loads(answer.read())

                return call

            print(f"subjects: {subjects}; {args.requests} requests per route and client count\n")
            print("| route | clients | HTTP req/s | HTTP p50 ms | HTTP p95 ms | errors | in-process req/s "
                  "| in-process p50 ms | in-process p95 ms | p50 ratio |")  # fmt: skip
            print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
            results: dict[tuple[str, int], tuple[dict[str, float], dict[str, float]]] = {}
            for route, path in paths.items():
                for clients in args.clients:
                    results[(route, clients)] = (_measure(http(path), args.requests, clients), {})
            server.terminate()
            server.wait(30)
            direct = _direct(folder, subjects)
            for route in paths:  # one client: the in-process anchor shares one connection
                results[(route, 1)][1].update(_measure(direct[route], args.requests, 1))
            for (route, clients), (h, d) in results.items():
                anchor = (
                    f"{d['rps']:.1f} | {d['p50']:.0f} | {d['p95']:.0f} | {h['p50'] / max(d['p50'], 1e-9):.2f}"
                    if d
                    else "— | — | — | —"
                )
                print(
                    f"| {route} | {clients} | {h['rps']:.1f} | {h['p50']:.0f} | {h['p95']:.0f} "
                    f"| {h['errors']:.0f} | {anchor} |"
                )
        finally:
            if server.poll() is None:
                server.terminate()
                server.wait(30)


if __name__ == "__main__":
    main()
