"""A throw-away PostgreSQL cluster for the server-store tests (`-m postgres`).

`initdb` in a temporary folder, `pg_ctl start` listening on a Unix socket only (no TCP), two
roles, one database; stopped and removed at the end. No service needs to exist beforehand: the
binaries are Debian's (`make postgresql`), found on PATH or under /usr/lib/postgresql/<n>/bin.

PostgreSQL refuses to run as root: when the tests run as uid 0 (CI containers), the cluster runs
as the unprivileged `postgres` account (created by Debian's package), through `runuser`, with its
data and socket folders owned by that account; otherwise as the current user.

Roles: `mare_owner` (owns the tables, runs the migrations and creates the row-level security
policies) and `mare_app` (what the hub connects as: NOSUPERUSER NOBYPASSRLS, granted reads and
writes on the tables, so the policies apply to it). Both authenticate with a password over the
socket (scram-sha-256), so a wrong password is refused as it would be on a server.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

OWNER, OWNER_PASSWORD = "mare_owner", "owner-secret"
APP, APP_PASSWORD = "mare_app", "app-secret"
ADMIN, ADMIN_PASSWORD = "mare_admin", "admin-secret"
PORT = 5432


def binaries() -> Path | None:
    """The folder holding initdb and pg_ctl, or None when PostgreSQL is not installed."""
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return Path(candidates[-1]).parent if candidates else None


@dataclass
class Cluster:
    """A running throw-away cluster: where its socket is, and URLs for its roles."""

    root: Path
    bin: Path
    run_as: str | None
    database: str = "mare"

    @property
    def socket_dir(self) -> Path:
        return self.root / "socket"

    def url(self, user: str = APP, password: str = APP_PASSWORD, database: str | None = None) -> str:
        """A `postgresql://` URL for a role, over the Unix socket."""
        return f"postgresql://{user}:{password}@/{database or self.database}?host={self.socket_dir}"

    @property
    def owner_url(self) -> str:
        return self.url(OWNER, OWNER_PASSWORD)

    @property
    def app_url(self) -> str:
        return self.url(APP, APP_PASSWORD)

    @property
    def admin_url(self) -> str:
        return self.url(ADMIN, ADMIN_PASSWORD, "postgres")

    def command(self, *args: str) -> list[str]:
        """A PostgreSQL command line, run as the cluster's account."""
        exe = [str(self.bin / args[0]), *args[1:]]
        return ["runuser", "-u", self.run_as, "--", *exe] if self.run_as else exe

    def pg_ctl(self, action: str, *extra: str) -> None:
        subprocess.run(
            self.command("pg_ctl", action, "-D", str(self.root / "data"), "-w", "-s", *extra),
            check=True,
            capture_output=True,
            timeout=60,
        )

    def restart(self) -> None:
        """Restart the server (fast: open sessions are ended, their transactions rolled back)."""
        self.pg_ctl("restart", "-m", "fast", "-l", str(self.root / "log"))

    def new_database(self, name: str) -> str:
        """A fresh database owned by the owner role (one per test keeps tests apart); its name."""
        import pg8000.native

        admin = pg8000.native.Connection(
            ADMIN, password=ADMIN_PASSWORD, database="postgres", unix_sock=self.unix_sock
        )
        try:
            admin.run(f'CREATE DATABASE "{name}" OWNER {OWNER}')
            admin.run(f'GRANT CONNECT, TEMPORARY ON DATABASE "{name}" TO {APP}')
        finally:
            admin.close()
        return name

    @property
    def unix_sock(self) -> str:
        return str(self.socket_dir / f".s.PGSQL.{PORT}")


def _account() -> str | None:
    if os.getuid() != 0:
        return None
    try:
        pwd.getpwnam("postgres")
    except KeyError as err:
        raise RuntimeError(
            "the PostgreSQL tests run as root but there is no 'postgres' account to run the cluster as: "
            "install Debian's postgresql (make postgresql)"
        ) from err
    return "postgres"


@contextlib.contextmanager
def throwaway_cluster() -> Iterator[Cluster]:
    """Start a cluster in a temporary folder; stop and remove it afterwards."""
    bin_dir = binaries()
    if bin_dir is None:
        raise RuntimeError("PostgreSQL is not installed: run `make postgresql` (Debian's postgresql)")
    run_as = _account()
    root = Path(tempfile.mkdtemp(prefix="mare-pg-"))
    (root / "socket").mkdir()
    pwfile = root / "pw"
    pwfile.write_text(ADMIN_PASSWORD + "\n")
    if run_as:
        entry = pwd.getpwnam(run_as)
        for path in (root, root / "socket", pwfile):
            os.chown(path, entry.pw_uid, entry.pw_gid)
    root.chmod(0o700)
    cluster = Cluster(root, bin_dir, run_as)
    subprocess.run(
        cluster.command(
            "initdb", "-D", str(root / "data"), "-U", ADMIN, f"--pwfile={pwfile}",
            "--auth=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync",
        ),
        check=True,
        capture_output=True,
        timeout=120,
    )  # fmt: skip
    options = (
        f"-c listen_addresses='' -c unix_socket_directories='{root / 'socket'}' -c port={PORT} "
        "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=60"
    )
    cluster.pg_ctl("start", "-l", str(root / "log"), "-o", options)
    try:
        import pg8000.native

        admin = pg8000.native.Connection(
            ADMIN, password=ADMIN_PASSWORD, database="postgres", unix_sock=cluster.unix_sock
        )
        admin.run(f"CREATE ROLE {OWNER} LOGIN PASSWORD '{OWNER_PASSWORD}' NOSUPERUSER NOBYPASSRLS")
        admin.run(f"CREATE ROLE {APP} LOGIN PASSWORD '{APP_PASSWORD}' NOSUPERUSER NOBYPASSRLS")
        admin.close()
        cluster.new_database(cluster.database)
        yield cluster
    finally:
        with contextlib.suppress(Exception):
            cluster.pg_ctl("stop", "-m", "immediate")
        shutil.rmtree(root, ignore_errors=True)


def secured_app_store(cluster: Cluster, home: Path) -> Any:
    """A fresh, secured store in a database of its own, opened as the application role (a `Store`)."""
    import uuid

    from mare.hub.accounts import ensure_hub_agency
    from mare.hub.server_store import secure_store
    from mare.store.db import open_store

    name = cluster.new_database(f"s{uuid.uuid4().hex[:16]}")
    with open_store(home, url=cluster.url(OWNER, OWNER_PASSWORD, name) + f"&app_role={APP}") as owner:
        ensure_hub_agency(owner)
        secure_store(owner)
    return open_store(home, url=cluster.url(APP, APP_PASSWORD, name))
