"""A bounded load test on loopback (issue 20): clients mixing reads and ingests against `mare serve`.

Copies the hub in HOME to a temporary folder, gives each client its own user and API token (a third of
them contributors of the hub's agencies, sending contributions; the rest analysts reading), starts
`mare serve` on a free loopback port, and for MINUTES lets CLIENTS threads send requests as fast as
the server answers: searches, entities, the map, networks, hits, notifications, contributions; and
uploads of new small contributions, each re-sent once later (a re-send must be harmless: answered
"already received", stored once). Afterwards, with the server stopped, it checks that nothing was lost:
every contribution the server acknowledged as stored is in the store with the records it reported,
no acknowledged contribution is stored twice, and the audit chain verifies from its first entry.

It prints the requests per kind with p50/p95 latency and the errors (any answer that is not 2xx, a
read's 404 for a subject that does not exist being counted apart, and any exception), then the
checks. Exit status 1 when there is an error or a check fails.

    uv run python benchmarks/load.py --home H [--clients 20] [--minutes 10]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FIRST = ("Karim", "Amina", "Yusuf", "Leila", "Omar", "Samira", "Tariq", "Nadia", "Bilal", "Hana")
LAST = ("Haddad", "Mansour", "Rahimi", "Kowalski", "Okafor", "Demir", "Farouk", "Zaman", "Ibrahim")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else 0.0


@dataclass
class Client:
    """One client: its token, whether it contributes (and as which agency)."""

    name: str
    token: str
    agency: str | None  # a contributor's agency; None for a reader


@dataclass
class Tally:
    """What all clients saw, under one lock."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    not_found: Counter[str] = field(default_factory=Counter)
    stored: dict[str, int] = field(default_factory=dict)  # contribution uid -> records reported
    resent: Counter[str] = field(default_factory=Counter)  # statuses of the re-sends


def _prepare(home: Path, folder: Path, clients: int) -> tuple[list[Client], dict[str, list[str]]]:
    """The copy, one user and token per client, and subjects to read (names, entities, networks)."""
    from mare.hub import accounts
    from mare.store.db import open_store

    shutil.copytree(home, folder, ignore=shutil.ignore_patterns("raw", "reports", "*.wal"))
    (folder / "raw").mkdir(exist_ok=True)
    made: list[Client] = []
    with open_store(folder) as store:
        agencies = [
            str(a)
            for (a,) in store.con.execute(
                "SELECT agency FROM contributions GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 4"
            ).fetchall()
        ]
        if not agencies:
            sys.exit(f"{home} holds no contribution: ingest a scenario first (see README)")
        for agency in agencies:  # contributors sign in as agencies the hub knows
            if accounts.get_agency(store, agency) is None:
                accounts.add_agency(store, agency, agency, agency[:2], "member_state")
        for k in range(clients):
            contributor = k % 3 == 0
            agency = agencies[k % len(agencies)] if contributor else "HUB"
            name = f"load-{k}"
            if accounts.get_user(store, name) is None:
                roles = ["contributor", "analyst"] if contributor else ["analyst"]
                accounts.add_user(store, name, agency, roles, None)
            token = accounts.issue_token(store, name, label="load test")[1]
            made.append(Client(name, token, agency if contributor else None))
        names = [
            str(v)
            for (v,) in store.con.execute(
                "SELECT original FROM record_values WHERE field = 'name' ORDER BY record_uid LIMIT 200"
            ).fetchall()
        ]
        entities = [
            str(e)
            for (e,) in store.con.execute(
                "SELECT entity_id FROM entities GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 200"
            ).fetchall()
        ]
    return made, {"names": names or ["Mohammed"], "entities": entities or ["E1"]}


def _contribution(client: Client, n: int, rng: random.Random) -> tuple[str, bytes]:
    """A new small contribution of the client's agency: two to four persons, a phone, links."""
    sender = f"LOAD-{client.name}-{n}-{uuid.uuid4().hex[:8]}"
    records: list[dict[str, Any]] = []
    for i in range(rng.randint(2, 4)):
        records.append(
            {
                "id": f"p{i}",
                "kind": "person",
                "name": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                "birth_date": f"19{rng.randint(60, 99)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
                "category": "suspect",
            }
        )
    records.append(
        {"id": "ph", "kind": "phone", "number": f"+216 {rng.randint(20, 99)} {rng.randint(100000, 999999)}"}
    )
    links = [{"kind": "uses_phone", "source": "p0", "target": "ph"}]
    links += [{"kind": "associate_of", "source": "p0", "target": f"p{i}"} for i in range(1, len(records) - 1)]
    body = {
        "format": "mare.contribution/1",
        "id": sender,
        "agency": client.agency,
        "sent_at": "2026-11-30T10:00:00Z",
        "handling": {"code": rng.choice(["H0", "H2", "H3"])},
        "crime_areas": ["migrant_smuggling"],
        "records": records,
        "links": links,
    }
    return f"{sender}.json", json.dumps(body).encode()


def _multipart(filename: str, content: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: application/json\r\n\r\n"
    ).encode()
    return head + content + f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def _call(url: str, token: str, body: tuple[bytes, str] | None = None) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    data = None
    if body is not None:
        data, headers["Content-Type"] = body
    request = urllib.request.Request(url, data=data, headers=headers, method="POST" if body else "GET")
    try:
        with urllib.request.urlopen(request, timeout=300) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()[:300].decode("utf-8", "replace")


def _work(
    client: Client, url: str, subjects: dict[str, list[str]], deadline: float, tally: Tally, seed: int
) -> None:
    rng = random.Random(seed)
    pending: list[tuple[str, bytes]] = []  # sent once, to be re-sent
    n = 0
    quote = urllib.parse.quote
    while time.monotonic() < deadline:
        if client.agency and rng.random() < 0.5:
            if pending and rng.random() < 0.3:
                kind, (filename, content) = "resend", pending.pop(rng.randrange(len(pending)))
            else:
                n += 1
                kind, (filename, content) = "upload", _contribution(client, n, rng)
            began = time.perf_counter()
            try:
                status, answer = _call(
                    f"{url}/api/contributions", client.token, _multipart(filename, content)
                )
            except Exception as exc:  # counted; the run goes on
                with tally.lock:
                    tally.errors.append(f"{kind}: {type(exc).__name__}: {exc}")
                continue
            took = time.perf_counter() - began
            with tally.lock:
                tally.times[kind].append(took)
                if status != 200:
                    tally.errors.append(f"{kind} {filename}: {status} {answer}")
                    continue
                for report in answer["reports"]:
                    if kind == "upload" and report["status"] == "stored":
                        tally.stored[report["contribution"]] = int(report["records"])
                    elif kind == "resend":
                        tally.resent[report["status"]] += 1
            if kind == "upload":
                pending.append((filename, content))
            continue
        choice = rng.random()
        if choice < 0.35:
            kind, path = "search", f"/api/search?q={quote(rng.choice(subjects['names']))}&limit=20"
        elif choice < 0.6:
            kind, path = "entity", f"/api/entities/{quote(rng.choice(subjects['entities']))}"
        elif choice < 0.7:
            kind, path = "map", "/api/map?layers=hotspots,routes,events&days=30"
        elif choice < 0.75:
            kind, path = "networks", "/api/networks"
        elif choice < 0.85:
            kind, path = "hits", "/api/hits"
        elif choice < 0.93:
            kind, path = "notifications", "/api/notifications"
        else:
            kind, path = "contributions", "/api/contributions?size=50"
        began = time.perf_counter()
        try:
            status, answer = _call(url + path, client.token)
        except Exception as exc:  # counted; the run goes on
            with tally.lock:
                tally.errors.append(f"{kind}: {type(exc).__name__}: {exc}")
            continue
        with tally.lock:
            tally.times[kind].append(time.perf_counter() - began)
            if status == 404 and kind == "entity":
                tally.not_found[kind] += 1  # an entity merged away by a new contribution's cross-check
            elif status != 200:
                tally.errors.append(f"{kind} {path}: {status} {answer}")


def _checks(folder: Path, tally: Tally) -> list[tuple[str, bool, str]]:
    """Nothing lost: every acknowledged contribution present once with its records; the chain verifies."""
    from mare.hub.audit import AuditLog
    from mare.store.db import open_store

    out: list[tuple[str, bool, str]] = []
    with open_store(folder) as store:
        found = dict(
            store.con.execute(
                "SELECT uid, record_count FROM contributions WHERE sender_id LIKE 'LOAD-%'"
            ).fetchall()
        )
        per_sender = store.con.execute(
            "SELECT count(*) FROM (SELECT agency, sender_id FROM contributions WHERE sender_id LIKE 'LOAD-%' "
            "GROUP BY 1, 2 HAVING count(*) > 1)"
        ).fetchone()
        missing = [uid for uid in tally.stored if uid not in found]
        wrong = [uid for uid, n in tally.stored.items() if uid in found and n and found[uid] != n]
        records = store.con.execute(
            "SELECT count(*) FROM records r JOIN contributions c ON c.uid = r.contribution "
            "WHERE c.sender_id LIKE 'LOAD-%'"
        ).fetchone()
        out.append(
            (
                "every acknowledged contribution stored",
                not missing,
                f"{len(tally.stored)} acknowledged, {len(found)} in the store, {len(missing)} missing",
            )
        )
        out.append(
            (
                "record counts as reported",
                not wrong,
                f"{len(wrong)} differ; {records[0] if records else 0} records",
            )
        )
        out.append(
            (
                "re-sends stored once",
                bool(per_sender) and per_sender[0] == 0,
                f"{per_sender[0] if per_sender else '?'} senders twice; "
                f"re-sends answered {dict(tally.resent)}",
            )
        )
        result = AuditLog(store).verify()
        detail = f"{result.checked} entries checked" + (
            f"; broken at {result.first_broken}: {result.problem}" if not result.ok else ""
        )
        out.append(("audit chain verifies", result.ok, detail))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--minutes", type=float, default=10.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mare-load-") as tmp:
        folder = Path(tmp) / "hub"
        clients, subjects = _prepare(args.home, folder, args.clients)
        port = _free_port()
        mare = Path(sys.executable).parent / "mare"
        log_path = Path(tmp) / "serve.log"
        log = log_path.open("wb")
        server = subprocess.Popen(
            [str(mare), "serve", "--home", str(folder), "--port", str(port)], stdout=log, stderr=log
        )
        url = f"http://127.0.0.1:{port}"
        tally = Tally()
        try:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                try:
                    urllib.request.urlopen(f"{url}/login", timeout=2).read()
                    break
                except OSError:
                    time.sleep(0.5)
            began = time.monotonic()
            stop = began + 60 * args.minutes
            threads = [
                threading.Thread(target=_work, args=(c, url, subjects, stop, tally, k))
                for k, c in enumerate(clients)
            ]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            wall = time.monotonic() - began
        finally:
            server.terminate()
            server.wait(60)
        contributors = sum(1 for c in clients if c.agency)
        print(
            f"{args.clients} clients ({contributors} contributing, {args.clients - contributors} reading) "
            f"for {wall / 60:.1f} min on loopback\n"
        )
        print("| request | count | p50 ms | p95 ms |")
        print("|---|---:|---:|---:|")
        for kind, times in sorted(tally.times.items()):
            print(
                f"| {kind} | {len(times)} | {1000 * statistics.median(times):.0f} "
                f"| {1000 * _percentile(times, 0.95):.0f} |"
            )
        total = sum(len(t) for t in tally.times.values())
        print(
            f"\n{total} requests, {len(tally.errors)} errors, "
            f"{sum(tally.not_found.values())} entity 404s (merged away)"
        )
        for e in tally.errors[:20]:
            print("  error:", e)
        checks = _checks(folder, tally)
        print("\n| check | passed | detail |")
        print("|---|---|---|")
        for name, ok, detail in checks:
            print(f"| {name} | {'yes' if ok else 'NO'} | {detail} |")
        if tally.errors or not all(ok for _, ok, _ in checks):
            print(f"\nserver log: {log_path.read_text(errors='replace')[-3000:]}")
            sys.exit(1)


if __name__ == "__main__":
    main()
