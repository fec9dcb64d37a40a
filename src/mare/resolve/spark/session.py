"""The Spark session Mare runs on: local mode by default, a cluster's master where given.

pyspark is an optional extra (`uv sync --extra spark`) and needs a Java runtime (Debian's OpenJDK
17: `make java`). Both are checked before a session starts, so that a missing one is a sentence
naming what to install, never a Java or import traceback. pyspark is imported only here, inside
functions: `mare --help` and every DuckDB command never load it.

Settings Mare needs on any master (`mare_config`): Splink's jar of similarity functions
(`jaro_winkler`, `damerau_levenshtein`) on the classpath; ANSI mode off, so that Spark's SQL
keeps DuckDB's NULL-on-error semantics that the model's conditions were written for (a name with
no parts divides by zero: NULL in DuckDB, an error under Spark 4's ANSI default); the session
time zone UTC (call records are naive UTC timestamps). `MARE_SPARK_MASTER` (default
`local[2]`) and `MARE_SPARK_CONF` (a properties file, as spark-submit's `--properties-file`)
set the rest. Under spark-submit (`docs/spark.md`) its master, properties file and `--jars` hold.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

DEFAULT_MASTER = "local[2]"
INSTALL_JAVA = (
    "install a Java runtime: `make java` (Debian's OpenJDK 17: apt-get install openjdk-17-jre-headless), "
    "or set JAVA_HOME"
)
INSTALL_PYSPARK = "install the Spark extra: `uv sync --extra spark` (or pip install 'mare[spark]')"


class SparkUnavailable(RuntimeError):
    """Spark cannot run here; the message names what to install or start."""


def java_home() -> str | None:
    """Where the Java runtime is (JAVA_HOME, else `java` on the PATH); None when there is none."""
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").exists():
        return home
    java = shutil.which("java")
    return str(Path(java).resolve().parent.parent) if java else None


def check() -> None:
    """Raise `SparkUnavailable` naming the fix when pyspark or Java is missing."""
    try:
        import pyspark  # noqa: F401
    except ImportError as exc:
        raise SparkUnavailable(f"pyspark is not installed: {INSTALL_PYSPARK}") from exc
    if java_home() is None:
        raise SparkUnavailable(f"Spark needs Java and none was found: {INSTALL_JAVA}")


def read_properties(path: Path) -> dict[str, str]:
    """A Spark properties file (`key value` or `key=value` per line, # comments), as spark-submit reads."""
    out: dict[str, str] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise SparkUnavailable(f"{path}: cannot read the Spark properties file ({exc.strerror})") from exc
    for number, line in enumerate(lines, start=1):
        text = line.strip()
        if not text or text.startswith(("#", "!")):
            continue
        parts = text.split("=", 1) if "=" in text.split(None, 1)[0] else text.split(None, 1)
        if len(parts) != 2 or not parts[0].strip():
            raise SparkUnavailable(f"{path}, line {number}: expected 'key value', got {text[:60]!r}")
        out[parts[0].strip()] = parts[1].strip()
    return out


def mare_config() -> dict[str, str]:
    """What Mare's SQL needs on any master (see the module's docstring)."""
    from splink.backends.spark import similarity_jar_location

    return {
        "spark.jars": similarity_jar_location(),
        "spark.sql.ansi.enabled": "false",
        "spark.sql.session.timeZone": "UTC",
    }


_SESSION: Any = None


def spark_session(master: str | None = None, config: dict[str, str] | None = None) -> Any:
    """The process's Spark session (started once: the JVM costs ~10 s)."""
    global _SESSION
    check()
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:  # spark-submit, or a session the caller made
        if _SESSION is not active:
            register_functions(active)
        _SESSION = active
        return active
    if _SESSION is not None:
        return _SESSION
    settings: dict[str, str] = {
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.shuffle.partitions": "8",
        "spark.driver.memory": os.environ.get("MARE_SPARK_DRIVER_MEMORY", "4g"),
        "spark.sql.execution.arrow.pyspark.enabled": "true",
        # not ./spark-warehouse in whatever folder Mare was started from
        "spark.sql.warehouse.dir": str(Path(tempfile.gettempdir()) / "mare-spark-warehouse"),
    }
    conf_file = os.environ.get("MARE_SPARK_CONF")
    if conf_file:
        settings.update(read_properties(Path(conf_file)))
    settings.update(config or {})
    settings.update(mare_config())  # spark-submit: pass the jar with --jars (docs/spark.md)
    home = java_home()
    if home and not os.environ.get("JAVA_HOME"):
        os.environ["JAVA_HOME"] = home
    builder = SparkSession.builder.appName("mare")
    # under spark-submit the JVM is up with its --master and --properties-file: keep them
    submitted = "PYSPARK_GATEWAY_PORT" in os.environ
    if master or not submitted:
        builder = builder.master(master or os.environ.get("MARE_SPARK_MASTER", DEFAULT_MASTER))
    if submitted:  # only what Mare's SQL needs (the jar comes with --jars)
        settings = {k: v for k, v in mare_config().items() if k != "spark.jars"}
    for key, value in settings.items():
        builder = builder.config(key, value)
    try:
        _SESSION = builder.getOrCreate()
    except Exception as exc:  # the JVM did not start (no Java after all, a bad master URL, memory)
        raise SparkUnavailable(
            f"Spark did not start ({str(exc).splitlines()[0][:200]}); check the master URL, or {INSTALL_JAVA}"
        ) from exc
    _SESSION.sparkContext.setLogLevel("ERROR")
    register_functions(_SESSION)
    return _SESSION


def register_functions(spark: Any) -> None:
    """Splink's similarity functions (its jar) as SQL functions of this session."""
    from splink.internals.spark.jar_location import get_scala_udfs

    for name, java_class, returns in get_scala_udfs():
        spark.udf.registerJavaFunction(name, java_class, returns)


def stop() -> None:
    """Stop the process's session (tests and benchmarks; a CLI run ends with its process)."""
    global _SESSION
    if _SESSION is not None:
        _SESSION.stop()
        _SESSION = None
