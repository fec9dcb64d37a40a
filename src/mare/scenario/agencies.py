"""Contributing agencies and their conventions (formats, dates, phones, names, gradings)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Agency:
    """One contributor and the way it writes."""

    id: str
    country: str  # jurisdiction ("" for INTERPOL: sees a sample everywhere)
    language: str
    date_fmt: str  # strftime pattern for dates
    phone_style: str  # local | e164 | intl_spaced | intl_00
    name_style: str  # full | full_upper | split | family_first
    nat_style: str  # iso2 | iso3 | adj
    gender_style: tuple[str, str]  # (male, female)
    formats: tuple[tuple[str, float], ...]  # json | csv | ftm
    cdr: str = ""  # "" none, else the number style: msisdn | e164 | local
    cdr_time: str = "iso"  # iso | iso_space | dmy_slash | dmy_dot | compact
    cdr_cells: bool = False
    scheme: str = "4x4"
    partner: bool = False  # not an EU member state's agency
    operational: bool = False  # a partner with an operational agreement: exchanges personal data


_M_F = ("male", "female")
AGENCIES: tuple[Agency, ...] = (
    Agency(
        "DE-BKA",
        "DE",
        "de",
        "%d.%m.%Y",
        "local",
        "full",
        "adj",
        ("männlich", "weiblich"),
        (("json", 0.7), ("csv", 0.3)),
        "msisdn",
        "dmy_dot",
        True,
    ),
    Agency(
        "IT-SCO",
        "IT",
        "it",
        "%d/%m/%Y",
        "local",
        "full_upper",
        "adj",
        ("M", "F"),
        (("csv", 0.8), ("json", 0.2)),
        "local",
        "dmy_slash",
        True,
    ),
    Agency(
        "GR-HP",
        "GR",
        "en",
        "%d/%m/%Y",
        "e164",
        "split",
        "iso3",
        _M_F,
        (("csv", 0.6), ("json", 0.4)),
        "e164",
        "iso_space",
    ),
    Agency(
        "ES-CGPJ",
        "ES",
        "es",
        "%d/%m/%Y",
        "local",
        "split",
        "adj",
        ("varón", "mujer"),
        (("json", 1.0),),
        "local",
        "iso",
        True,
    ),
    Agency(
        "FR-OCRIEST",
        "FR",
        "fr",
        "%d/%m/%Y",
        "local",
        "full_upper",
        "adj",
        ("M", "F"),
        (("json", 0.8), ("ftm", 0.2)),
        "local",
        "dmy_slash",
    ),
    Agency(
        "NL-KMAR",
        "NL",
        "en",
        "%Y-%m-%d",
        "e164",
        "full",
        "iso2",
        _M_F,
        (("ftm", 0.7), ("json", 0.3)),
        "e164",
        "iso",
    ),
    Agency(
        "HU-NBI",
        "HU",
        "en",
        "%Y.%m.%d",
        "local",
        "family_first",
        "iso2",
        ("férfi", "nő"),
        (("csv", 1.0),),
        "msisdn",
        "compact",
    ),
    Agency(
        "UK-NCA",
        "GB",
        "en",
        "%d/%m/%Y",
        "local",
        "full_upper",
        "adj",
        _M_F,
        (("ftm", 0.6), ("json", 0.4)),
        "e164",
        "dmy_slash",
        True,
        "3x5x2",
    ),
    Agency(
        "TR-JGK", "TR", "en", "%d.%m.%Y", "local", "split", "iso3", ("E", "K"), (("csv", 1.0),), partner=True
    ),
    Agency(
        "INTERPOL",
        "",
        "en",
        "%Y-%m-%d",
        "e164",
        "family_first",
        "iso2",
        ("M", "F"),
        (("json", 1.0),),
        partner=True,
    ),
    Agency(
        "AT-BK",
        "AT",
        "de",
        "%d.%m.%Y",
        "local",
        "full",
        "adj",
        ("männlich", "weiblich"),
        (("json", 1.0),),
        "msisdn",
        "dmy_dot",
        True,
    ),
    Agency(
        "BG-GDBP",
        "BG",
        "en",
        "%d.%m.%Y",
        "local",
        "split",
        "iso3",
        _M_F,
        (("csv", 1.0),),
        "local",
        "iso_space",
    ),
    Agency("MT-POL", "MT", "en", "%d/%m/%Y", "e164", "full", "adj", _M_F, (("json", 1.0),)),
    Agency(
        "RS-MUP",
        "RS",
        "en",
        "%d.%m.%Y.",
        "local",
        "split",
        "iso2",
        ("M", "Ž"),
        (("csv", 1.0),),
        "local",
        "dmy_dot",
        partner=True,
        operational=True,
    ),
    Agency("SE-NOA", "SE", "en", "%Y-%m-%d", "e164", "full", "iso2", _M_F, (("json", 1.0),), "e164", "iso"),
    Agency(
        "BE-FP",
        "BE",
        "fr",
        "%d/%m/%Y",
        "local",
        "full_upper",
        "adj",
        ("M", "F"),
        (("json", 0.5), ("csv", 0.5)),
        "local",
        "dmy_slash",
    ),
    Agency(
        "PL-SG",
        "PL",
        "en",
        "%d.%m.%Y",
        "local",
        "split",
        "iso2",
        ("M", "K"),
        (("csv", 1.0),),
        "msisdn",
        "iso_space",
    ),
    Agency("HR-MUP", "HR", "en", "%d.%m.%Y.", "local", "split", "iso2", ("M", "Ž"), (("csv", 1.0),)),
    Agency(
        "BA-SIPA",
        "BA",
        "en",
        "%d.%m.%Y.",
        "local",
        "split",
        "iso2",
        ("M", "Ž"),
        (("csv", 1.0),),
        partner=True,
        operational=True,
    ),
    Agency(
        "MK-MVR",
        "MK",
        "en",
        "%d.%m.%Y",
        "local",
        "split",
        "iso3",
        _M_F,
        (("csv", 1.0),),
        partner=True,
        operational=True,
    ),
    Agency("LT-VSAT", "LT", "en", "%Y-%m-%d", "e164", "full", "iso2", _M_F, (("json", 1.0),)),
    Agency("FI-RAJA", "FI", "en", "%d.%m.%Y", "e164", "full", "iso2", _M_F, (("json", 1.0),)),
    Agency(
        "NO-KRIPOS",
        "NO",
        "en",
        "%d.%m.%Y",
        "local",
        "full",
        "iso2",
        _M_F,
        (("json", 1.0),),
        partner=True,
        operational=True,
    ),
    Agency("RO-IGPF", "RO", "en", "%d.%m.%Y", "local", "split", "iso2", _M_F, (("csv", 1.0),)),
    Agency("SI-POL", "SI", "en", "%d.%m.%Y", "local", "split", "iso2", _M_F, (("csv", 1.0),)),
    Agency(
        "DE-BPOL",
        "DE",
        "de",
        "%d.%m.%Y",
        "intl_spaced",
        "full",
        "adj",
        ("männlich", "weiblich"),
        (("json", 1.0),),
    ),
    Agency("IT-GDF", "IT", "it", "%d/%m/%Y", "intl_00", "full_upper", "adj", ("M", "F"), (("csv", 1.0),)),
    Agency("GR-HCG", "GR", "en", "%d/%m/%Y", "e164", "split", "iso3", _M_F, (("csv", 1.0),)),
    Agency(
        "TN-GN",
        "TN",
        "fr",
        "%d/%m/%Y",
        "local",
        "family_first",
        "adj",
        ("M", "F"),
        (("json", 1.0),),
        partner=True,
    ),
    Agency(
        "MA-DGSN",
        "MA",
        "fr",
        "%d/%m/%Y",
        "local",
        "family_first",
        "adj",
        ("M", "F"),
        (("json", 1.0),),
        partner=True,
    ),
)

#: Handling code shares (scenario assumption: most data H0, restrictions rarer).
HANDLING_SHARES: tuple[tuple[str, float], ...] = (("H0", 0.55), ("H1", 0.20), ("H2", 0.15), ("H3", 0.10))
#: 4x4 source and information shares (scenario assumption).
SOURCE_SHARES = (("A", 0.10), ("B", 0.50), ("C", 0.25), ("X", 0.15))
INFO_SHARES = (("1", 0.10), ("2", 0.35), ("3", 0.35), ("4", 0.20))
SCHEME_3X5X2 = ((("1", 0.3), ("2", 0.6), ("3", 0.1)), (("A", 0.2), ("B", 0.4), ("C", 0.3), ("D", 0.1)))


def agencies_for(n: int) -> tuple[Agency, ...]:
    """The first n agencies (the list is ordered by weight in the scenario)."""
    return AGENCIES[: max(10, min(n, len(AGENCIES)))]
