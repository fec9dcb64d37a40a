"""Route segments (stages of real places, legs between them) and itineraries built from them."""

from __future__ import annotations

from dataclasses import dataclass, field

#: Route codes and their Frontex-style names (DOMAIN.md); EU = secondary movement inside Europe.
ROUTE_NAMES: dict[str, str] = {
    "WAF": "Western African (Atlantic)",
    "WMED": "Western Mediterranean",
    "CMED": "Central Mediterranean",
    "EMED": "Eastern Mediterranean",
    "WBAL": "Western Balkans",
    "EAST": "Eastern land borders",
    "NORD": "Nordic/Arctic",
    "BSEA": "Black Sea",
    "CHAN": "Channel",
    "AIR": "Air",
    "EU": "Secondary movement inside the EU",
}

SEA = ("rubber_dinghy", "wooden_boat", "fishing_boat", "cargo_ship", "mother_ship", "yacht", "other")
MODE: dict[str, str] = {
    **{c: "sea" for c in SEA},
    "car": "land",
    "van": "land",
    "lorry": "land",
    "bus": "land",
    "train": "land",
    "plane": "air",
    "foot": "foot",
}
#: People per trip (min, max) by conveyance.
CAPACITY: dict[str, tuple[int, int]] = {
    "rubber_dinghy": (30, 40),
    "wooden_boat": (20, 60),
    "fishing_boat": (80, 300),
    "mother_ship": (150, 400),
    "cargo_ship": (100, 300),
    "yacht": (20, 60),
    "other": (1, 40),
    "car": (2, 5),
    "van": (6, 15),
    "lorry": (10, 35),
    "bus": (1, 10),
    "train": (1, 4),
    "plane": (1, 2),
    "foot": (5, 25),
}


@dataclass(frozen=True, slots=True)
class Transition:
    """How people move from one stage to the next."""

    options: tuple[tuple[str, float], ...]
    hours: tuple[float, float]
    facilitated: bool = True
    links: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Segment:
    """A stretch of a route run by one network: stages of places and the legs between them."""

    id: str
    route: str
    stages: tuple[tuple[str, ...], ...]
    moves: tuple[Transition, ...]


def _seg(sid: str, route: str, *parts: object) -> Segment:
    stages = tuple(p for p in parts if isinstance(p, tuple))
    moves = tuple(p for p in parts if isinstance(p, Transition))
    assert len(moves) == len(stages) - 1, sid
    return Segment(sid, route, stages, moves)


T = Transition
_EMED_LINKS = {
    "TR_AYV": ("GR_LES", "GR_SKA"),
    "TR_BEH": ("GR_SKA", "GR_LES"),
    "TR_DIK": ("GR_LES",),
    "TR_CES": ("GR_CHI",),
    "TR_DID": ("GR_SAM",),
    "TR_BOD": ("GR_KOS",),
}
LANDINGS_IT = ("IT_LMP", "IT_POZ", "IT_AUG", "IT_RCA", "IT_ROC", "MT_HAL")
EU_AIRPORTS = ("DE_FRA_APT", "FR_CDG", "NL_SPL", "BE_BRU_APT", "UK_LHR", "ES_MAD_APT")

SEGMENTS: dict[str, Segment] = {
    s.id: s
    for s in (
        _seg(
            "EMED_SEA",
            "EMED",
            ("IST_AKS", "IST_ESE", "IZM_BAS"),
            T((("bus", 0.4), ("van", 0.4), ("car", 0.2)), (6, 10)),
            ("TR_AYV", "TR_BEH", "TR_CES", "TR_DIK", "TR_BOD", "TR_DID"),
            T((("rubber_dinghy", 0.85), ("yacht", 0.15)), (2, 6), links=_EMED_LINKS),
            ("GR_LES", "GR_SKA", "GR_CHI", "GR_SAM", "GR_KOS"),
            T((("other", 1.0),), (10, 14), facilitated=False),
            ("GR_PIR",),
        ),
        _seg(
            "GR_MAIN",
            "EMED",
            ("GR_PIR",),
            T((("bus", 0.5), ("car", 0.3), ("train", 0.2)), (6, 8)),
            ("GR_THE",),
        ),
        _seg(
            "EMED_LAND",
            "EMED",
            ("IST_AKS", "IST_ESE"),
            T((("bus", 0.5), ("van", 0.5)), (3, 4)),
            ("TR_EDI",),
            T((("car", 0.4), ("foot", 0.6)), (1, 3)),
            ("GR_KAS", "GR_FER"),
            T((("van", 0.5), ("car", 0.5)), (2, 4)),
            ("GR_ALX",),
            T((("train", 0.4), ("bus", 0.3), ("car", 0.3)), (4, 6)),
            ("GR_THE",),
        ),
        _seg(
            "EMED_BG",
            "EMED",
            ("IST_AKS", "IST_ESE"),
            T((("bus", 0.5), ("van", 0.5)), (3, 4)),
            ("TR_EDI",),
            T((("foot", 0.7), ("lorry", 0.3)), (2, 6)),
            ("BG_KAP",),
            T((("car", 1.0),), (0.5, 1)),
            ("BG_SVI",),
            T((("van", 0.5), ("car", 0.5)), (3, 4)),
            ("BG_SOF",),
        ),
        _seg(
            "WBAL_S",
            "WBAL",
            ("GR_THE",),
            T((("car", 0.5), ("bus", 0.5)), (1, 2)),
            ("GR_IDO", "GR_EVZ"),
            T((("foot", 1.0),), (2, 4)),
            ("MK_GEV",),
            T((("van", 0.5), ("train", 0.2), ("car", 0.3)), (3, 5)),
            ("MK_TAB",),
            T((("foot", 1.0),), (1, 3)),
            ("RS_PRE",),
            T((("bus", 0.5), ("van", 0.5)), (5, 7)),
            ("RS_BEL", "RS_BPK"),
        ),
        _seg(
            "WBAL_BG",
            "WBAL",
            ("BG_SOF",),
            T((("van", 0.5), ("car", 0.5)), (1, 2)),
            ("BG_KAL",),
            T((("foot", 0.6), ("van", 0.4)), (3, 6)),
            ("RS_BEL", "RS_BPK"),
        ),
        _seg(
            "WBAL_N",
            "WBAL",
            ("RS_BEL", "RS_BPK"),
            T((("bus", 0.4), ("van", 0.3), ("car", 0.3)), (2, 3)),
            ("RS_SUB", "RS_HOR", "RS_KEL"),
            T((("foot", 0.7), ("lorry", 0.3)), (1, 4)),
            ("HU_ROS", "HU_ASO"),
            T((("car", 0.5), ("van", 0.5)), (2, 3)),
            ("HU_BUD",),
            T((("van", 0.4), ("lorry", 0.3), ("car", 0.3)), (3, 4)),
            ("AT_VIE",),
        ),
        _seg(
            "WBAL_BIH",
            "WBAL",
            ("RS_BEL", "RS_BPK"),
            T((("bus", 0.6), ("van", 0.4)), (2, 4)),
            ("RS_SID", "BA_BIJ"),
            T((("bus", 0.6), ("car", 0.4)), (4, 6)),
            ("BA_SAR",),
            T((("bus", 0.5), ("van", 0.5)), (5, 7)),
            ("BA_BIH", "BA_VKL"),
            T((("foot", 1.0),), (24, 96)),
            ("HR_MAL",),
            T((("car", 0.5), ("van", 0.5)), (2, 3)),
            ("HR_ZAG",),
            T((("car", 0.4), ("van", 0.4), ("train", 0.2)), (2, 3)),
            ("SI_LJU",),
            T((("car", 0.5), ("van", 0.5)), (1, 2)),
            ("IT_TRS",),
            T((("train", 0.5), ("car", 0.3), ("van", 0.2)), (4, 6)),
            ("IT_MIL",),
        ),
        _seg(
            "DEST_AT",
            "EU",
            ("AT_VIE",),
            T((("train", 0.35), ("car", 0.25), ("van", 0.25), ("lorry", 0.15)), (4, 16)),
            ("DE_MUC", "DE_BER", "DE_FRA", "DE_HAM", "SE_STO", "SE_MAL", "NL_AMS", "DE_ZOB"),
        ),
        _seg(
            "DEST_IT",
            "EU",
            ("IT_MIL",),
            T((("train", 0.6), ("car", 0.4)), (3, 5)),
            ("IT_VEN", "IT_COM", "IT_BRE"),
            T((("car", 0.4), ("van", 0.3), ("foot", 0.1), ("train", 0.2)), (2, 10)),
            ("FR_PGN", "DE_MUC", "DE_FRA", "BE_BRN", "NL_AMS"),
        ),
        _seg(
            "CMED_LY",
            "CMED",
            ("NE_AGA", "SD_KHA"),
            T((("lorry", 0.7), ("car", 0.3)), (48, 120)),
            ("LY_SAB", "LY_KUF"),
            T((("lorry", 0.5), ("car", 0.5)), (20, 40)),
            ("LY_BWA", "LY_TRI"),
            T((("van", 0.6), ("car", 0.4)), (2, 4)),
            ("LY_ZUW", "LY_SBR", "LY_ZAW", "LY_GAR"),
            T(
                (("rubber_dinghy", 0.45), ("wooden_boat", 0.2), ("fishing_boat", 0.25), ("mother_ship", 0.1)),
                (24, 48),
            ),
            LANDINGS_IT,
        ),
        _seg(
            "CMED_TN",
            "CMED",
            ("TN_SFX", "TN_ZAR"),
            T((("wooden_boat", 0.5), ("rubber_dinghy", 0.3), ("fishing_boat", 0.2)), (18, 36)),
            LANDINGS_IT,
        ),
        _seg(
            "CMED_E",
            "CMED",
            ("LY_TOB",),
            T((("fishing_boat", 0.6), ("mother_ship", 0.4)), (48, 96)),
            LANDINGS_IT,
        ),
        _seg(
            "CMED_ITA",
            "EU",
            LANDINGS_IT,
            T((("other", 1.0),), (12, 48), facilitated=False),
            ("IT_CAT", "IT_ROM"),
            T((("bus", 0.4), ("train", 0.4), ("car", 0.2)), (6, 12)),
            ("IT_MIL",),
        ),
        _seg(
            "WMED_SEA",
            "WMED",
            ("MA_OUJ", "DZ_MAG"),
            T((("car", 0.6), ("foot", 0.4)), (2, 10)),
            ("MA_NAD", "MA_TNG", "MA_HOC", "DZ_ORA"),
            T((("rubber_dinghy", 0.5), ("wooden_boat", 0.3), ("yacht", 0.2)), (4, 30)),
            ("ES_ALM", "ES_MOT", "ES_ALG"),
            T((("bus", 0.6), ("car", 0.4)), (5, 8)),
            ("ES_MAD",),
        ),
        _seg(
            "WAF",
            "WAF",
            ("SN_DAK", "SN_MBO", "SN_STL", "MR_NDB", "MA_DAK", "MA_TAR"),
            T((("wooden_boat", 0.8), ("rubber_dinghy", 0.1), ("fishing_boat", 0.1)), (48, 240)),
            ("ES_ARG", "ES_RES", "ES_LCR", "ES_ARR"),
            T((("other", 1.0),), (24, 96), facilitated=False),
            ("ES_MAD",),
        ),
        _seg(
            "ES_NORTH",
            "EU",
            ("ES_MAD",),
            T((("bus", 0.5), ("car", 0.3), ("train", 0.2)), (5, 6)),
            ("ES_IRU",),
            T((("foot", 0.4), ("car", 0.4), ("bus", 0.2)), (1, 2)),
            ("FR_HEN",),
            T((("train", 0.5), ("bus", 0.3), ("car", 0.2)), (8, 10)),
            ("FR_PGN",),
        ),
        _seg(
            "EAST",
            "EAST",
            ("BY_MIN",),
            T((("train", 0.5), ("bus", 0.5)), (4, 5)),
            ("BY_BRE", "BY_GRO"),
            T((("foot", 1.0),), (6, 48)),
            ("PL_KUZ", "PL_BIA", "LT_MED"),
            T((("car", 0.6), ("van", 0.4)), (1, 3)),
            ("PL_BST", "LT_VIL"),
            T((("car", 0.4), ("van", 0.4), ("bus", 0.2)), (3, 5)),
            ("PL_WAW",),
            T((("car", 0.5), ("van", 0.5)), (5, 6)),
            ("DE_FFO",),
            T((("car", 0.5), ("van", 0.3), ("train", 0.2)), (1, 2)),
            ("DE_BER", "DE_ZOB"),
        ),
        _seg(
            "NORD",
            "NORD",
            ("RU_MOS",),
            T((("train", 0.8), ("plane", 0.2)), (4, 36)),
            ("RU_MUR", "RU_SPB"),
            T((("car", 1.0),), (3, 12)),
            ("NO_STO", "FI_VAA", "FI_SAL"),
            T(
                (("bus", 0.5), ("car", 0.5)),
                (1, 10),
                links={"NO_STO": ("NO_KIR",), "FI_VAA": ("FI_HEL",), "FI_SAL": ("FI_HEL",)},
            ),
            ("NO_KIR", "FI_HEL"),
            T((("bus", 0.5), ("car", 0.3), ("train", 0.2)), (8, 20)),
            ("NO_OSL", "SE_STO"),
        ),
        _seg(
            "BSEA",
            "BSEA",
            ("IST_AKS", "IST_ESE"),
            T((("van", 0.5), ("car", 0.5)), (3, 4)),
            ("TR_IGN",),
            T((("fishing_boat", 0.6), ("yacht", 0.4)), (12, 30)),
            ("RO_CON", "RO_MAN", "BG_BUR"),
            T((("car", 0.5), ("van", 0.5)), (3, 5)),
            ("RO_BUC",),
            T((("car", 0.4), ("van", 0.3), ("lorry", 0.3)), (6, 8)),
            ("RO_TIM",),
            T((("car", 0.5), ("foot", 0.5)), (1, 3)),
            ("RO_NAD",),
            T((("car", 0.4), ("van", 0.3), ("lorry", 0.3)), (2, 3)),
            ("HU_BUD",),
            T((("van", 0.5), ("lorry", 0.5)), (3, 4)),
            ("AT_VIE",),
        ),
        _seg(
            "CHAN",
            "CHAN",
            ("FR_PGN", "BE_BRN"),
            T((("train", 0.4), ("car", 0.3), ("van", 0.3)), (2, 4)),
            ("FR_CAL", "FR_GSY", "FR_GRA", "FR_WIM", "BE_ZEE"),
            T((("rubber_dinghy", 0.8), ("lorry", 0.2)), (2, 12)),
            ("UK_DOV", "UK_FOL", "UK_DUN"),
            T((("bus", 0.7), ("car", 0.3)), (2, 3)),
            ("UK_LON",),
        ),
        _seg(
            "AIR_GR",
            "AIR",
            ("GR_PIR",),
            T((("bus", 0.5), ("car", 0.5)), (1, 2)),
            ("GR_VIC",),
            T((("car", 1.0),), (1, 2)),
            ("GR_ATH_APT",),
            T((("plane", 1.0),), (3, 6)),
            EU_AIRPORTS,
        ),
        _seg(
            "AIR_TR",
            "AIR",
            ("IST_AKS",),
            T((("car", 1.0),), (1, 2)),
            ("IST_APT",),
            T((("plane", 1.0),), (3, 6)),
            EU_AIRPORTS,
        ),
    )
}


@dataclass(frozen=True, slots=True)
class Itinerary:
    """A journey template: segments joined at shared stages, the migrants who take it."""

    id: str
    route: str
    segments: tuple[str, ...]
    weight: float
    nationalities: tuple[tuple[str, float], ...]


_NAT_EMED = (("SY", 0.40), ("AF", 0.25), ("IQ", 0.20), ("IR", 0.08), ("PK", 0.07))
_NAT_CMED = (
    ("ER", 0.16),
    ("NG", 0.16),
    ("SD", 0.12),
    ("GN", 0.12),
    ("BD", 0.12),
    ("EG", 0.10),
    ("ML", 0.08),
    ("SN", 0.06),
    ("SY", 0.08),
)
ITINERARIES: tuple[Itinerary, ...] = (
    Itinerary(
        "emed_sea_balkans", "EMED", ("EMED_SEA", "GR_MAIN", "WBAL_S", "WBAL_N", "DEST_AT"), 0.22, _NAT_EMED
    ),
    Itinerary("emed_evros_balkans", "EMED", ("EMED_LAND", "WBAL_S", "WBAL_N", "DEST_AT"), 0.06, _NAT_EMED),
    Itinerary("emed_bulgaria", "EMED", ("EMED_BG", "WBAL_BG", "WBAL_N", "DEST_AT"), 0.07, _NAT_EMED),
    Itinerary(
        "emed_bosnia", "EMED", ("EMED_SEA", "GR_MAIN", "WBAL_S", "WBAL_BIH", "DEST_IT"), 0.05, _NAT_EMED
    ),
    Itinerary("emed_air", "EMED", ("EMED_SEA", "AIR_GR"), 0.03, (("SY", 0.5), ("IQ", 0.3), ("IR", 0.2))),
    Itinerary("cmed_libya", "CMED", ("CMED_LY", "CMED_ITA", "DEST_IT"), 0.16, _NAT_CMED),
    Itinerary(
        "cmed_tunisia",
        "CMED",
        ("CMED_TN", "CMED_ITA", "DEST_IT"),
        0.06,
        (("TN", 0.4), ("GN", 0.2), ("CI", 0.2), ("ML", 0.2)),
    ),
    Itinerary(
        "cmed_east_libya",
        "CMED",
        ("CMED_E", "CMED_ITA", "DEST_IT"),
        0.03,
        (("EG", 0.4), ("BD", 0.3), ("SY", 0.2), ("PK", 0.1)),
    ),
    Itinerary(
        "wmed", "WMED", ("WMED_SEA", "ES_NORTH"), 0.07, (("MA", 0.4), ("DZ", 0.3), ("GN", 0.2), ("ML", 0.1))
    ),
    Itinerary(
        "atlantic", "WAF", ("WAF", "ES_NORTH"), 0.07, (("SN", 0.35), ("ML", 0.25), ("MA", 0.2), ("GN", 0.2))
    ),
    Itinerary("eastern_land", "EAST", ("EAST",), 0.05, (("IQ", 0.4), ("AF", 0.3), ("SY", 0.2), ("VN", 0.1))),
    Itinerary("arctic", "NORD", ("NORD",), 0.02, (("SY", 0.5), ("AF", 0.3), ("IQ", 0.2))),
    Itinerary("black_sea", "BSEA", ("BSEA", "DEST_AT"), 0.03, (("IQ", 0.4), ("SY", 0.3), ("AF", 0.3))),
    Itinerary(
        "channel",
        "CHAN",
        ("CHAN",),
        0.06,
        (("IR", 0.25), ("IQ", 0.25), ("ER", 0.15), ("SD", 0.15), ("AF", 0.2)),
    ),
    Itinerary("air_turkey", "AIR", ("AIR_TR",), 0.02, (("SY", 0.4), ("IQ", 0.3), ("IR", 0.3))),
)

#: 2015 detections by route (DOMAIN.md / 2016 report), for describe's comparison.
DETECTIONS_2015: dict[str, int] = {
    "WMED": 7_164,
    "CMED": 153_946,
    "EMED": 885_386,
    "EAST": 1_920,
    "NORD": 2_000,
}


def stages_of(itinerary: Itinerary) -> tuple[list[tuple[str, ...]], list[tuple[str, Transition]]]:
    """Flatten an itinerary: its stages and, per move, the segment id and transition."""
    stages: list[tuple[str, ...]] = []
    moves: list[tuple[str, Transition]] = []
    for sid in itinerary.segments:
        seg = SEGMENTS[sid]
        if stages:
            assert stages[-1] == seg.stages[0], (itinerary.id, sid)
            stages.extend(seg.stages[1:])
        else:
            stages.extend(seg.stages)
        moves.extend((sid, m) for m in seg.moves)
    return stages, moves


def segment_weights() -> dict[str, float]:
    """Traffic weight of each facilitated segment (sum of the itineraries through it)."""
    out: dict[str, float] = {}
    for it in ITINERARIES:
        for sid in it.segments:
            if any(m.facilitated for m in SEGMENTS[sid].moves):
                out[sid] = out.get(sid, 0.0) + it.weight
    return out
