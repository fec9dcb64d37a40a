"""Start-up: `mare version` and `mare --help` beside `import typer, rich`, wall and CPU time.

    uv run python benchmarks/startup.py [RUNS]   # default 15 runs of each, in turn

Prints the median wall time (and the minimum) and the median CPU time (user + system of the
process) of each command. On a shared machine the CPU time is the steadier figure.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time

MARE = os.path.join(os.path.dirname(sys.executable), "mare")
COMMANDS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "import typer, rich": [sys.executable, "-c", "import typer, rich"],
    "mare version": [MARE, "version"],
    "mare --help": [MARE, "--help"],
}


def main() -> None:
    """Run each command RUNS times in turn; print medians."""
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    wall: dict[str, list[float]] = {k: [] for k in COMMANDS}
    cpu: dict[str, list[float]] = {k: [] for k in COMMANDS}
    for _ in range(runs):
        for name, command in COMMANDS.items():
            started = time.perf_counter()
            process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            _, status, usage = os.wait4(process.pid, 0)
            if status != 0:
                raise SystemExit(f"{' '.join(command)} failed (status {status})")
            wall[name].append(time.perf_counter() - started)
            cpu[name].append(usage.ru_utime + usage.ru_stime)
    for name in COMMANDS:
        print(
            f"{name:20s} wall median {statistics.median(wall[name]):.3f} s (min {min(wall[name]):.3f})   "
            f"cpu median {statistics.median(cpu[name]):.3f} s"
        )
    print("load average", " ".join(f"{x:.1f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
