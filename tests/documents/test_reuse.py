"""Rented and reused documents and impostors, from documents, presenters and legs (pure)."""

from __future__ import annotations

from mare.analyse.documents.reuse import DocumentRecord, LegUse, Presenter, find_reuse

DOC = DocumentRecord(
    "a:d1", "NL-KMAR", "X1234567", "SE", holder_name="Anna Svensson", birth_date="1990-02-03"
)


def _leg(doc: str, n: int, day: str, src: str, dst: str) -> LegUse:
    return LegUse(doc, f"leg{n}", f"2026-{day}T08:00:00Z", f"2026-{day}T12:00:00Z", src, dst)


def test_two_persons_make_a_rented_document_and_impostors() -> None:
    presenters = [
        Presenter("a:d1", "p1", "Mohammed Al-Hassan", "1995-01-01"),
        Presenter("a:d1", "p2", "Ahmad Karimi", "1993-05-05"),
    ]
    (finding,) = find_reuse([DOC], presenters, [])
    assert finding.rented and finding.impostor
    assert {p.name for p in finding.persons} == {"Mohammed Al-Hassan", "Ahmad Karimi"}
    assert finding.reasons[0].startswith("presented by 2 different persons")


def test_the_same_person_written_two_ways_is_one_person_and_the_holder() -> None:
    presenters = [
        Presenter("a:d1", "p1", "Anna Maria Svensson", "1990-02-03"),
        Presenter("a:d1", "p2", "SVENSSON Anna", None),
    ]
    (finding,) = find_reuse([DOC], presenters, [])
    assert len(finding.persons) == 1 and not finding.rented and not finding.impostor


def test_a_look_alike_born_another_day_is_an_impostor() -> None:
    (finding,) = find_reuse([DOC], [Presenter("a:d1", "p1", "Anna Svensson", "1996-07-07")], [])
    assert finding.impostor and not finding.rented
    assert "born 1996-07-07" in finding.reasons[-1]


def test_one_identity_across_records_and_agencies() -> None:
    other = DocumentRecord("b:d4", "DE-BPOL", "x1234567", None)  # no country: joins the known one
    legs = [_leg("a:d1", 1, "01-10", "GR", "NL"), _leg("b:d4", 2, "02-10", "GR", "NL")]
    (finding,) = find_reuse([DOC, other], [], legs)
    assert finding.records == ["a:d1", "b:d4"] and finding.agencies == ["DE-BPOL", "NL-KMAR"]
    assert finding.rented and "could not be one holder's journey" in finding.reasons[0]


def test_a_genuine_traveller_out_and_back_is_not_flagged() -> None:
    legs = [
        _leg("a:d1", 1, "01-10", "GR", "NL"),
        _leg("a:d1", 2, "01-20", "NL", "GR"),
        _leg("a:d1", 3, "03-01", "GR", "NL"),
        # the return of March is missing from the data: one break in four steps
        _leg("a:d1", 4, "04-01", "GR", "NL"),
        _leg("a:d1", 5, "04-12", "NL", "GR"),
    ]
    (finding,) = find_reuse([DOC], [], legs)
    assert not finding.rented and finding.reasons == []


def test_the_same_flight_reported_twice_counts_once() -> None:
    legs = [_leg("a:d1", 1, "01-10", "GR", "NL"), _leg("a:d1", 9, "01-10", "GR", "NL")]
    (finding,) = find_reuse([DOC], [], legs)
    assert len(finding.legs) == 1 and not finding.rented


def test_overlapping_legs() -> None:
    legs = [
        LegUse("a:d1", "l1", "2026-01-10T08:00:00Z", "2026-01-10T12:00:00Z", "GR", "NL"),
        LegUse("a:d1", "l2", "2026-01-10T09:00:00Z", "2026-01-10T11:00:00Z", "TR", "DE"),
    ]
    (finding,) = find_reuse([DOC], [], legs)
    assert finding.rented and "overlap in time" in finding.reasons[0]


def test_status_impostor_from_the_agency() -> None:
    seized = DocumentRecord(
        "a:d2", "GR-HP", "Y7", "BE", status="impostor", seized_at="2026-01-01", seized_place="ATH"
    )
    (finding,) = find_reuse([seized], [], [])
    assert finding.impostor and finding.seized == ["2026-01-01 at ATH (GR-HP)"]
