"""The AIS step of the ingest pipeline: load inside the contribution's transaction, report by line."""

from __future__ import annotations

from typing import Any

from mare.ingest.ais import AisHeaderError, AisLoad, load_ais
from mare.ingest.parsed import CallFile
from mare.ingest.problems import ContributionError, Problem
from mare.store.db import Store

_FIX = {
    "checksum": "re-send the sentence as received; a wrong checksum means it was damaged on the way",
    "fragment": "send every part of a multi-part message, in order",
    "position": "positions must be within lat ±90, lon ±180 (91/181 mean not available)",
    "time": "check the receiver clock or the time column",
    "sog": "nothing to do: 102.3 knots is AIS for 'not available'",
}


class AisLoader:
    """A callable(store, uid) -> 0 for the writer's transaction; keeps what the load found."""

    def __init__(
        self, report: Any, pending: Any, call_file: CallFile, encoding: str | None, out: list[Problem]
    ):
        self.report, self.pending, self.file, self.encoding, self.out = (
            report,
            pending,
            call_file,
            encoding,
            out,
        )
        self.result = AisLoad()

    @property
    def summary(self) -> str:
        """What became of every sentence or row."""
        return self.result.summary()

    def __call__(self, store: Store, uid: str) -> int:
        """Load the positions and static reports; counts go to the report (positions are not calls)."""
        try:
            self.result = load_ais(store, uid, self.file.path, encoding=self.encoding)
        except AisHeaderError as exc:
            raise ContributionError(
                [Problem(self.file.name, 1, None, str(exc), "rename the columns (see docs/maritime.md)")]
            ) from exc
        except (OSError, UnicodeError) as exc:
            raise ContributionError(
                [
                    Problem(
                        self.file.name,
                        None,
                        None,
                        f"cannot read the file: {exc}",
                        "send it as UTF-8 or ASCII text",
                    )
                ]
            ) from exc
        result = self.result
        problems = [
            Problem(
                self.file.name,
                line,
                fld,
                reason,
                _FIX.get(fld, "correct the line and re-send"),
                "warning" if severity == "warning" else "error",
            )
            for line, fld, reason, severity in result.problem_rows
        ]
        for p in problems:
            self.pending.problems.add(
                contribution=uid,
                file=p.file,
                row_number=p.row,
                field=p.field,
                severity=p.severity,
                reason=p.reason,
                fix=p.fix,
            )
        self.out.extend(problems)
        self.report.positions += result.positions
        self.report.rejected += result.rejected
        self.report.warnings += result.warnings
        self.pending.rejected_count += result.rejected
        self.pending.warning_count += result.warnings
        return 0


def ais_loader(
    report: Any, pending: Any, call_file: CallFile, encoding: str | None, out: list[Problem]
) -> AisLoader:
    """The loader the pipeline puts in the contribution's write for an AIS file."""
    return AisLoader(report, pending, call_file, encoding, out)
