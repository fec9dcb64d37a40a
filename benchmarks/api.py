"""The API under concurrent clients, beside a bare floor from the same run (issue 14).

Copies the hub in HOME to a temporary folder, gives it a hub analyst with an API token (and a
contributor of one of its agencies), starts `mare serve` on a free loopback port and, for each number
of clients, lets that many threads (one HTTP connection each) send REQUESTS requests in all, mixed:
search 35 %, entity 35 %, network 15 %, map 15 %, each on a subject drawn from the hub (names, the
largest entities, the first networks). With `--ingest` (the default) a contributor uploads new small
contributions all the while, so reads are measured while an ingest runs, as the issue asks.

The floor, in the same run and on the same copy once the server is stopped: a bare server (this
script with `--bare`) serving the same routes with the same view code on the same cursors, but with a
context that applies no policy, writes no audit entry and signs no one in. The ratio of the two p95s
is what the hub layer's policy, audit and sign-in add; the HTTP, JSON and view code are in both.

Prints p50/p95/p99 (ms) and errors per route and number of clients, then the floor beside it; then,
per number of clients, the CPU seconds the server process itself used (Linux: /proc), per request, the
requests per second and the load average after the phase (on a shared machine the CPU time says what
the server spent whatever ran beside it).

`--mix notifications=100` measures the seam alone: sign-in, policy and the audit entry around the lightest
read there is, beside the same route with none of them (the floor).

    uv run python benchmarks/api.py --home H [--clients 1 5 20 50] [--requests 200] [--no-ingest]
        [--mix search=35,entity=35,network=15,map=15]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from load import Client, _contribution, _free_port, _multipart, _percentile

ROUTES = (("search", 0.35), ("entity", 0.35), ("network", 0.15), ("map", 0.15))
#: Routes `--mix` may name beside those: the lightest signed-in, audited read (the seam's own cost).
LIGHT = ("notifications",)


def _prepare(home: Path, folder: Path) -> tuple[str, Client, dict[str, list[str]]]:
    """The copy, a hub analyst's token, a contributor, and the subjects per route."""
    from mare.access.policy import Viewer
    from mare.hub import accounts
    from mare.hub.context import HubContext
    from mare.hub.networks import entity_network, find_networks
    from mare.store.db import open_store

    shutil.copytree(home, folder, ignore=shutil.ignore_patterns("raw", "reports", "*.wal"))
    (folder / "raw").mkdir(exist_ok=True)
    with open_store(folder) as store:
        if accounts.get_user(store, "bench-analyst") is None:
            accounts.add_user(store, "bench-analyst", "HUB", ["analyst"], None)
        token = accounts.issue_token(store, "bench-analyst", label="benchmark")[1]
        row = store.con.execute(
            "SELECT agency FROM contributions GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()
        agency = str(row[0]) if row else "IT-SCO"
        if accounts.get_agency(store, agency) is None:
            accounts.add_agency(store, agency, agency, agency[:2], "member_state")
        if accounts.get_user(store, "bench-contributor") is None:
            accounts.add_user(store, "bench-contributor", agency, ["contributor"], None)
        contributor = Client("bench-contributor", accounts.issue_token(store, "bench-contributor")[1], agency)
        names = [
            str(v)
            for (v,) in store.con.execute(
                "SELECT original FROM record_values WHERE field = 'name' ORDER BY hash(record_uid) LIMIT 100"
            ).fetchall()
        ]
        entities = [
            str(e)
            for (e,) in store.con.execute(
                "SELECT entity_id FROM entities GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 100"
            ).fetchall()
        ]
        with HubContext(store, Viewer("bench-analyst", "HUB", frozenset({"analyst"})), "token") as ctx:
            networks = [nid for nid, _ in find_networks(entity_network(ctx), 3)[:5]]
    subjects = {"search": names or ["Mohammed"], "entity": entities or ["E1"], "network": networks or ["N1"]}
    return token, contributor, subjects


def _path(route: str, rng: random.Random, subjects: dict[str, list[str]]) -> str:
    quote = urllib.parse.quote
    if route == "notifications":
        return "/api/notifications"
    if route == "search":
        return f"/api/search?q={quote(rng.choice(subjects['search']))}&limit=20"
    if route == "entity":
        return f"/api/entities/{quote(rng.choice(subjects['entity']))}"
    if route == "network":
        return f"/api/networks/{rng.choice(subjects['network'])}"
    return "/api/map?layers=hotspots,routes,events&days=30"


def _get(url: str, token: str) -> int:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=600) as answer:
            json.loads(answer.read())
            return int(answer.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def _wait(url: str) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{url}/login", timeout=2).read()
            return
        except urllib.error.HTTPError:
            return  # the bare server has no login page: it answers, so it is up
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"the server at {url} did not start within 2 minutes")


def _measure(
    url: str,
    token: str,
    subjects: dict[str, list[str]],
    clients: int,
    requests: int,
    mix: tuple[tuple[str, float], ...] = ROUTES,
) -> dict[str, Any]:
    """Latencies per route of `requests` mixed requests from `clients` threads, and the errors."""
    times: dict[str, list[float]] = defaultdict(list)
    errors: list[str] = []
    lock = threading.Lock()
    left = [requests]

    def client(k: int) -> None:
        rng = random.Random(k)
        while True:
            with lock:
                if left[0] <= 0:
                    return
                left[0] -= 1
            route = rng.choices([r for r, _ in mix], [w for _, w in mix])[0]
            path = _path(route, rng, subjects)
            began = time.perf_counter()
            try:
                status = _get(url + path, token)
            except Exception as exc:  # counted; the run goes on
                status, detail = 0, f"{type(exc).__name__}: {exc}"
            else:
                detail = str(status)
            took = time.perf_counter() - began
            with lock:
                times[route].append(took)
                if status != 200 and not (status == 404 and route == "entity"):
                    errors.append(f"{path}: {detail}")

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"times": times, "errors": errors}


def _ingesting(url: str, contributor: Client, stop: threading.Event, sent: list[int]) -> None:
    """Upload new small contributions one after the other until told to stop."""
    rng = random.Random(7)
    n = 0
    while not stop.is_set():
        n += 1
        name, content = _contribution(contributor, n, rng)
        body, kind = _multipart(name, content)
        request = urllib.request.Request(
            f"{url}/api/contributions",
            data=body,
            method="POST",
            headers={"Authorization": f"Bearer {contributor.token}", "Content-Type": kind},
        )
        try:
            with urllib.request.urlopen(request, timeout=600) as answer:
                answer.read()
                sent.append(answer.status)
        except urllib.error.HTTPError as exc:
            sent.append(exc.code)


@contextmanager
def _server(args: list[str], log: Path) -> Iterator[tuple[str, int]]:
    port = _free_port()
    handle = log.open("wb")
    process = subprocess.Popen([*args, "--port", str(port)], stdout=handle, stderr=handle)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait(url)
        yield url, process.pid
    finally:
        process.terminate()
        process.wait(60)


def _cpu(pid: int) -> float:
    """CPU seconds (user + system) the process has used so far (Linux; 0 elsewhere): on a shared
    machine, what the server itself spent, whatever else ran beside it."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _load() -> str:
    """The load average now (1, 5, 15 minutes)."""
    try:
        return " ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "?"


def _bare(folder: Path, port: int) -> None:
    """Serve the same routes and views with no policy, no audit and no sign-in (the floor)."""
    import uvicorn

    import mare.server.views as views
    from mare.access.policy import Decision, Viewer
    from mare.hub.context import HubContext
    from mare.server.app import create_app, new_secret

    class BareContext(HubContext):
        """Every row visible, nothing audited: the hub functions' queries and nothing else."""

        def visibility_sql(
            self, alias: str, minor: bool = True, consent: bool = True, contribution: str = "contribution"
        ) -> tuple[str, list[Any]]:
            return "'full'", []

        def rule_sql(
            self, alias: str, minor: bool = True, consent: bool = True, contribution: str = "contribution"
        ) -> tuple[str, list[Any]]:
            return "'bare'", []

        def decide(self, resource: str, ref: str, meta: Any, note: bool = True) -> Decision:
            return Decision("full", "bare", "the floor applies no policy")

        def note_bulk(self, resource: str, shown: int, withheld: dict[str, int]) -> None:
            return None

        def log(self, action: str, outcome: str, **kwargs: Any) -> int:
            return 0

        def close(self) -> None:
            return None

    @contextmanager
    def bare_context(request: Any, what: str, *args: Any, **kwargs: Any) -> Iterator[HubContext]:
        with request.app.state.mare.store.reading() as store:
            yield BareContext(store, Viewer("bench-bare", "HUB", frozenset({"analyst"})), "token")

    views.hub_context = bare_context  # type: ignore[assignment]
    app = create_app(folder, secret=new_secret(), secure_cookies=False)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def _row(times: list[float]) -> tuple[float, float, float]:
    return (
        1000 * statistics.median(times),
        1000 * _percentile(times, 0.95),
        1000 * _percentile(times, 0.99),
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--home", type=Path)
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 5, 20, 50])
    parser.add_argument("--requests", type=int, default=200, help="requests per number of clients")
    parser.add_argument("--no-ingest", action="store_true", help="measure without an ingest running")
    parser.add_argument(
        "--mix",
        default=",".join(f"{r}={int(100 * w)}" for r, w in ROUTES),
        help="route=weight,… (routes: search, entity, network, map, notifications); "
        "e.g. notifications=100 for the seam alone: sign-in, policy and audit around the lightest read",
    )
    parser.add_argument("--bare", nargs=2, metavar=("FOLDER", "PORT"), help=argparse.SUPPRESS)
    args, rest = parser.parse_known_args()
    if args.bare:
        _bare(Path(args.bare[0]), int(args.bare[1]))
        return
    if rest or args.home is None:
        parser.error("give --home H (a hub: see README for `mare scenario generate` and `mare ingest`)")
    mix = _mix(parser, args.mix)
    with tempfile.TemporaryDirectory(prefix="mare-api-") as tmp:
        folder = Path(tmp) / "hub"
        token, contributor, subjects = _prepare(args.home, folder)
        mare = Path(sys.executable).parent / "mare"
        served: dict[int, dict[str, Any]] = {}
        uploads: list[int] = []
        with _server([str(mare), "serve", "--home", str(folder)], Path(tmp) / "serve.log") as (url, pid):
            _measure(url, token, subjects, 1, 8)  # warm-up: imports, the name tables, caches
            stop = threading.Event()
            ingest = threading.Thread(target=_ingesting, args=(url, contributor, stop, uploads))
            if not args.no_ingest:
                ingest.start()
            try:
                for clients in args.clients:
                    began, cpu = time.perf_counter(), _cpu(pid)
                    served[clients] = _measure(url, token, subjects, clients, args.requests, mix)
                    served[clients]["cpu"] = _cpu(pid) - cpu
                    served[clients]["wall"] = time.perf_counter() - began
                    served[clients]["load"] = _load()
            finally:
                stop.set()
                if ingest.is_alive():
                    ingest.join()
        floor: dict[int, dict[str, Any]] = {}
        script = [sys.executable, str(Path(__file__).resolve()), "--bare", str(folder)]
        port = _free_port()
        log = (Path(tmp) / "bare.log").open("wb")
        bare = subprocess.Popen([*script, str(port)], stdout=log, stderr=log)
        try:
            url = f"http://127.0.0.1:{port}"
            _wait(url)
            _measure(url, token, subjects, 1, 8)
            for clients in args.clients:
                began, cpu = time.perf_counter(), _cpu(bare.pid)
                floor[clients] = _measure(url, token, subjects, clients, args.requests, mix)
                floor[clients]["cpu"] = _cpu(bare.pid) - cpu
                floor[clients]["wall"] = time.perf_counter() - began
                floor[clients]["load"] = _load()
        finally:
            bare.terminate()
            bare.wait(60)
    during = "while a contributor uploads" if not args.no_ingest else "with no ingest running"
    print(
        f"{args.requests} mixed requests per row ({', '.join(f'{r} {int(100 * w)} %' for r, w in mix)}), "
        f"{during} ({len(uploads)} uploads, statuses {sorted(set(uploads))}); the floor: the same views "
        "with no policy, audit or sign-in, no ingest\n"
    )
    print(
        "| route | clients | p50 ms | p95 ms | p99 ms | errors "
        "| floor p50 | floor p95 | floor p99 | p95 ratio |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for clients in args.clients:
        for route, _ in mix:
            ours = served[clients]["times"].get(route, [])
            base = floor[clients]["times"].get(route, [])
            if not ours or not base:
                continue
            p50, p95, p99 = _row(ours)
            f50, f95, f99 = _row(base)
            errors = sum(1 for e in served[clients]["errors"] if _route_of(e) == route)
            print(
                f"| {route} | {clients} | {p50:.0f} | {p95:.0f} | {p99:.0f} | {errors} "
                f"| {f50:.0f} | {f95:.0f} | {f99:.0f} | {p95 / max(f95, 1e-9):.1f} |"
            )
    print(
        "\n| clients | server CPU s | wall s | server CPU ms per request | requests/s | load after "
        "| floor CPU ms per request | floor requests/s | floor load after |"
    )
    print("|---:|---:|---:|---:|---:|---|---:|---:|---|")
    for clients in args.clients:
        ours, base = served[clients], floor[clients]
        n = args.requests
        print(
            f"| {clients} | {ours['cpu']:.1f} | {ours['wall']:.1f} | {1000 * ours['cpu'] / n:.0f} "
            f"| {n / ours['wall']:.1f} | {ours['load']} "
            f"| {1000 * base['cpu'] / n:.0f} | {n / base['wall']:.1f} | {base['load']} |"
        )
    problems = [e for c in served.values() for e in c["errors"]] + [
        e for c in floor.values() for e in c["errors"]
    ]
    for problem in problems[:20]:
        print("error:", problem)


def _mix(parser: argparse.ArgumentParser, text: str) -> tuple[tuple[str, float], ...]:
    """`route=weight,…` as (route, share) pairs, or a usage error naming the part that cannot be read."""
    known = [r for r, _ in ROUTES] + list(LIGHT)
    pairs: list[tuple[str, float]] = []
    for part in text.split(","):
        route, _, weight = part.strip().partition("=")
        try:
            share = float(weight)
        except ValueError:
            share = -1.0
        if route not in known or share <= 0:
            parser.error(
                f"--mix: cannot read {part.strip()!r}: give route=weight with routes {', '.join(known)}"
            )
        pairs.append((route, share))
    total = sum(w for _, w in pairs)
    return tuple((r, w / total) for r, w in pairs)


def _route_of(error: str) -> str:
    path = error.split("?")[0].split(":")[0]
    return {
        "search": "search",
        "entities": "entity",
        "networks": "network",
        "map": "map",
        "notifications": "notifications",
    }.get(path.strip("/").split("/")[1] if path.count("/") >= 2 else "", "")


if __name__ == "__main__":
    main()
