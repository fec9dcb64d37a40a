"""Run `mare` commands in forked processes that the crash tests kill.

Importing Mare's CLI costs seconds per process; this helper imports it once, then for each JSON line
on standard input (`{"argv": [...]}`) forks a child that runs `mare ARGV` (the real Typer app, as the
`mare` script does), prints `pid N`, waits for the child and prints `exit CODE` or `signal SIG`.
Nothing is opened before the fork: each child opens the store itself, as a fresh `mare` would.
"""

from __future__ import annotations

import json
import os
import sys

from mare.cli.main import app


def _child(argv: list[str], log: str) -> None:
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    try:
        app(args=argv, prog_name="mare")
    except SystemExit as exc:
        os._exit(exc.code if isinstance(exc.code, int) else 1)
    except BaseException:
        os._exit(3)
    os._exit(0)


def main() -> None:
    """Serve commands until standard input ends."""
    for line in sys.stdin:
        job = json.loads(line)
        pid = os.fork()
        if pid == 0:
            _child(list(job["argv"]), str(job["log"]))
        print(f"pid {pid}", flush=True)
        _, status = os.waitpid(pid, 0)
        if os.WIFSIGNALED(status):
            print(f"signal {os.WTERMSIG(status)}", flush=True)
        else:
            print(f"exit {os.WEXITSTATUS(status)}", flush=True)


if __name__ == "__main__":
    main()
