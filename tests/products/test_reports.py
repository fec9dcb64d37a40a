"""Reports: every kind to HTML and PDF on the tiny scenario, sources and handling, nothing withheld shown,
the initiation document against the scenario's truth, the turnover arithmetic, template errors."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from builders import ingested_tiny_world, load_benchmark
from mare.access.policy import CAVEATS, DataMeta, Viewer, decide
from mare.hub.context import HubContext, Refused
from mare.products.generate import KINDS, ReportError, generate
from mare.products.render import TemplateProblem, render_html, render_pdf
from mare.products.report import Report, Section, Source, most_restrictive
from mare.products.turnover import (
    REPORT_2016,
    REPORT_2016_RESULT,
    Input,
    TurnoverError,
    estimate,
    implied_fee,
)
from mare.store.db import Store

HUB = "HUB"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Store]]:
    """The tiny scenario, ingested and cross-checked once for the module."""
    from mare.resolve import crosscheck_all

    folder, store = ingested_tiny_world(tmp_path_factory.mktemp("reports"), 7)
    crosscheck_all(store, train=True)
    with store:
        yield folder, store


def _ctx(store: Store, agency: str = HUB, role: str = "analyst") -> HubContext:
    return HubContext(store, Viewer(f"{role}@{agency}", agency, frozenset({role})), "preview")


def _last_day(store: Store) -> date:
    row = store.con.execute(
        "SELECT max(substr(coalesce(normalised, original), 1, 10)) FROM record_values "
        "WHERE field = 'occurred_at'"
    ).fetchone()
    assert row and row[0]
    return date.fromisoformat(row[0])


def _check_rendered(report: Report) -> None:
    html = render_html(report)
    for section in report.sections:
        assert section.title in html
        if not section.present:
            assert section.missing and section.missing.replace("'", "&#39;") in html
    assert "Sources" in html and (report.handling_code or "no handling code") in html
    assert not re.search(r"""(src|href)=["']https?:""", html), "a report names no external address"
    assert render_pdf(report).startswith(b"%PDF")
    from weasyprint import HTML

    assert len(HTML(string=html).render().pages) >= 1


def test_every_report_renders_to_html_and_pdf(world: tuple[Path, Store]) -> None:
    _, store = world
    ctx = _ctx(store)
    made = {
        "daily": generate(ctx, "daily", day=_last_day(store)),
        "vessels": generate(ctx, "vessels"),
        "situation": generate(ctx, "situation"),
        "initiation": generate(ctx, "initiation", network="N1"),
    }
    assert set(made) | {"notification"} == set(KINDS)  # the notification: test_notification_on_a_link
    for kind, report in made.items():
        assert report.kind == kind and report.sections
        _check_rendered(report)
        data = report.as_dict()
        assert data["handling"]["code"] == most_restrictive(s["handling_code"] for s in data["sources"])
    assert made["daily"].sections[0].present, "the last day with events has flows"
    assert made["initiation"].sources and all(s.agency for s in made["initiation"].sources)
    entries = store.con.execute(
        "SELECT ref FROM audit_log WHERE action = 'combination' AND resource = 'report' ORDER BY seq"
    ).fetchall()
    assert [r[0].split()[0] for r in entries[-5:]] == list(made)
    with pytest.raises(ReportError, match="SMUGGLING_RECORD\\+OTHER_RECORD"):
        generate(ctx, "notification", ref="nothing+here")
    with pytest.raises(ReportError, match="no network 'N999'"):
        generate(ctx, "initiation", network="N999")


def test_contributors_may_not_write_reports(world: tuple[Path, Store]) -> None:
    _, store = world
    with pytest.raises(Refused, match=r"report\.generate"):
        generate(_ctx(store, "IT-SCO", "contributor"), "vessels")


def test_nothing_withheld_appears(world: tuple[Path, Store]) -> None:
    """Person names of other agencies' records the viewer may not see in full never appear."""
    _, store = world
    agency = "IT-SCO"
    rows = store.con.execute(
        "SELECT label, agency, handling_code, CAST(restrictions AS VARCHAR), minor FROM records "
        "WHERE kind = 'person' AND label IS NOT NULL"
    ).fetchall()
    import json

    viewer = Viewer("a", agency, frozenset({"analyst"}))
    seen, hidden = set(), set()
    for label, owner, code, rules, minor in rows:
        meta = DataMeta(owner, code, json.loads(rules) if rules else None, bool(minor), "person")
        (seen if decide(viewer, meta).full else hidden).add(label)
    forbidden = hidden - seen
    assert forbidden, "the scenario holds restricted persons of other agencies"
    ctx = _ctx(store, agency)
    for report in (generate(ctx, "situation"), generate(ctx, "initiation", network="N1")):
        html = render_html(report)
        shown = [name for name in forbidden if name in html]
        assert not shown, f"{report.kind} shows withheld names: {shown[:5]}"
        assert all(s.handling_code in CAVEATS for s in report.sources)


def test_initiation_names_the_true_leader_and_organisers(world: tuple[Path, Store]) -> None:
    """N1's top assessed members (its assessed leaders and organisers) include the true network's leader
    and organisers (scenario truth, mapped as benchmarks/network_roles.py does)."""
    folder, store = world
    bench: ModuleType = load_benchmark("network_roles")
    from mare.hub.networks import network, networks

    ctx = _ctx(store)
    checked = 0
    for summary in networks(ctx):
        net = network(ctx, summary.id)
        truth, persons, _, _ = bench.node_truth(store, net, "entity", folder)
        named = Counter(persons[t]["network"] for t in truth.values() if persons[t]["network"])
        if not named:
            continue
        true_network = named.most_common(1)[0][0]
        key = {
            n
            for n, t in truth.items()
            if persons[t]["network"] == true_network and persons[t]["role"] in ("leader", "organiser")
        } - _only_contacts(store, net)
        leaders = {n for n in key if persons[truth[n]]["role"] == "leader"}
        if not leaders:
            continue
        checked += 1
        _check_network(ctx, net, summary.id, key, leaders)
    assert checked >= 1, "a network with its true leader is found"


def _only_contacts(store: Store, net: Any) -> set[str]:
    """Members the hub holds only as someone's contact (every record of category contact: a seized
    phone's saved contact, issue 17): nothing it holds tells their role, and the report is not asked to."""
    out = set()
    for node, attrs in net.attrs.items():
        recs = list(attrs.get("records", []))
        if recs:
            marks = ",".join("?" * len(recs))
            cats = store.con.execute(f"SELECT DISTINCT category FROM records WHERE uid IN ({marks})", recs)
            if {c for (c,) in cats.fetchall()} == {"contact"}:
                out.add(node)
    return out


def _check_network(ctx: HubContext, net: object, nid: str, key: set[str], leaders: set[str]) -> None:
    from mare.products.initiation import members_assessed

    members = members_assessed(net)
    top = {m["id"] for m in members if m["assessed_role"] in ("leader", "organiser")}
    assert leaders <= top, (nid, leaders - top)
    assert len(key & top) / len(key) >= 0.8, (nid, len(key & top), len(key))
    html = render_html(generate(ctx, "initiation", network=nid))
    assert "assessment" in html
    for node in leaders:
        assert (net.attrs[node]["label"] or node) in html  # type: ignore[attr-defined]


def test_turnover_reproduces_the_2016_report() -> None:
    """~1 million arrivals × 90–100 % facilitated × USD 3,200–6,500: bounds 2.88–6.5 bn, the report's
    5–6 bn inside both the bounds and the central 90 % of the Monte Carlo; 5–6 bn is 1 million × 100 % ×
    USD 5,000–6,000, the upper half of the stated fees (docs/reports.md)."""
    t = estimate(*REPORT_2016)
    low, high = REPORT_2016_RESULT
    assert t.low == pytest.approx(2.88e9) and t.high == pytest.approx(6.5e9)
    assert t.low <= low and high <= t.high
    assert t.p05 <= low and high <= t.p95
    assert t.central == pytest.approx(1e6 * 0.95 * 4850)
    assert implied_fee(low, 1e6, 1.0) == 5000 and implied_fee(high, 1e6, 1.0) == 6000
    assert estimate(*REPORT_2016).median == t.median  # seeded
    with pytest.raises(TurnoverError, match="share"):
        estimate(REPORT_2016[0], Input("facilitated share", 0.9, 1.2), REPORT_2016[2])
    with pytest.raises(TurnoverError, match="fee per person"):
        Input("fee per person", 6500, 3200)


def test_handling_is_the_most_restrictive_with_every_caveat() -> None:
    def source(code: str, conditions: str | None = None) -> Source:
        return Source(f"C{code}", "DE-BKA", "s", code, conditions, "B2 (4x4)", 1)

    report = Report("vessels", "t", datetime(2026, 1, 1), {}, [Section("a", "A")])  # type: ignore[arg-type]
    assert report.handling_code is None and "no provider" in report.caveats[0]
    report.sources = [source("H1"), source("H0"), source("H3", "Call SO 22 first.")]
    assert report.handling_code == "H3"
    assert report.caveats[:3] == [CAVEATS["H3"], CAVEATS["H1"], CAVEATS["H0"]]
    assert "Call SO 22 first." in report.caveats[3]
    assert most_restrictive(["H0", "H2", "H1"]) == "H2"


def test_a_broken_template_names_itself(tmp_path: Path) -> None:
    from mare.products.render import TEMPLATES

    for name in ("base.html.j2", "vessels.html.j2"):
        (tmp_path / name).write_text((TEMPLATES / name).read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "vessels.html.j2").write_text('{% extends "base.html.j2" %}\n{% block preface %}\n{% if %}\n')
    report = Report("vessels", "t", datetime(2026, 1, 1), {"user": "u", "agency": "A", "purpose": "p"}, [])  # type: ignore[arg-type]
    with pytest.raises(TemplateProblem, match=r"vessels\.html\.j2, line 3"):
        render_html(report, tmp_path)
    (tmp_path / "vessels.html.j2").write_text(
        '{% extends "base.html.j2" %}\n{% block preface %}{{ nothing.here }}{% endblock %}\n'
    )
    with pytest.raises(TemplateProblem, match=r"vessels\.html\.j2.*nothing"):
        render_html(report, tmp_path)


def test_cli_writes_pdf_and_prints_json(world: tuple[Path, Store], tmp_path: Path) -> None:
    import json

    from typer.testing import CliRunner

    from mare.cli import app

    _, store = world
    home = str(store.home)
    runner = CliRunner()
    out = tmp_path / "v.pdf"
    done = runner.invoke(
        app,
        [
            "report",
            "vessels",
            "--home",
            home,
            "--as-agency",
            HUB,
            "--role",
            "analyst",
            "--format",
            "pdf",
            "-o",
            str(out),
        ],
    )
    assert done.exit_code == 0, done.output
    assert out.read_bytes().startswith(b"%PDF")
    shown = runner.invoke(
        app, ["report", "vessels", "--home", home, "--as-agency", HUB, "--role", "analyst", "--json"]
    )
    assert shown.exit_code == 0, shown.output
    data = json.loads(shown.stdout)
    assert {"sections", "sources", "handling"} <= set(data)
    bad = runner.invoke(app, ["report", "weekly", "--home", home, "-o", str(tmp_path / "x.html")])
    assert bad.exit_code == 2 and "unknown report" in bad.output


def test_notification_on_a_cross_crime_link(store: Store, tmp_path: Path) -> None:
    """The link of a smuggling driver to a drug case (tests/hub/test_polycrime.py's world); the H2 gun case
    of FR-OCRIEST stays out of DE-BKA's notification."""
    from hub.test_polycrime import load

    ids = load(store, tmp_path)
    ctx = _ctx(store, "DE-BKA")
    report = generate(ctx, "notification", ref=f"{ids['smuggling']}:p1+{ids['drugs']}:d1")
    assert report.kind == "notification" and all(s.present for s in report.sections)
    _check_rendered(report)
    html = render_html(report)
    assert "drug trafficking" in html and "IT-SCO" in html and "G Two" not in html
    assert {s.agency for s in report.sources} == {"DE-BKA", "IT-SCO"}
    with pytest.raises(ReportError, match="no cross-crime link"):
        generate(ctx, "notification", ref=f"{ids['smuggling']}:p2+{ids['secret']}:g1")
