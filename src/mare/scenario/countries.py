"""Per-country conventions: mobile numbers, plates, MMSI prefixes, IBAN layouts, adjectives."""

from __future__ import annotations

import numpy as np

# country: (calling code, mobile prefixes, national significant number length)
MOBILE: dict[str, tuple[str, tuple[str, ...], int]] = {
    "DE": ("49", ("151", "152", "157", "160", "162", "176", "177", "178"), 11),
    "IT": ("39", ("320", "328", "333", "338", "340", "345", "347", "380", "393"), 10),
    "GR": ("30", ("690", "693", "694", "697", "698", "699"), 10),
    "TR": ("90", ("530", "532", "535", "541", "542", "505", "555"), 10),
    "LY": ("218", ("91", "92", "94"), 9),
    "TN": ("216", ("20", "22", "50", "52", "98"), 8),
    "EG": ("20", ("10", "11", "12", "15"), 10),
    "MA": ("212", ("61", "66", "67", "70"), 9),
    "SY": ("963", ("93", "94", "95", "96", "98", "99"), 9),
    "IQ": ("964", ("750", "770", "780", "790"), 10),
    "AF": ("93", ("70", "72", "78", "79"), 9),
    "IR": ("98", ("912", "919", "935", "901"), 10),
    "PK": ("92", ("300", "321", "333", "345"), 10),
    "FR": ("33", ("61", "62", "66", "67", "68", "76", "77", "78"), 9),
    "ES": ("34", ("6",), 9),
    "NL": ("31", ("61", "62", "63", "64", "65"), 9),
    "AT": ("43", ("664", "676", "650", "660"), 10),
    "HU": ("36", ("20", "30", "70"), 9),
    "BG": ("359", ("87", "88", "89"), 9),
    "RS": ("381", ("60", "62", "63", "64", "65"), 9),
    "MK": ("389", ("70", "71", "72", "75", "78"), 8),
    "BA": ("387", ("61", "62", "63", "65"), 8),
    "HR": ("385", ("91", "92", "95", "98"), 9),
    "GB": ("44", ("74", "75", "77", "78", "79"), 10),
    "BE": ("32", ("470", "475", "485", "496"), 9),
    "PL": ("48", ("50", "51", "53", "60", "69", "72"), 9),
    "LT": ("370", ("6",), 8),
    "BY": ("375", ("291", "296", "33", "44"), 9),
    "RU": ("7", ("91", "92", "98"), 10),
    "NO": ("47", ("41", "46", "48", "90", "93", "97"), 8),
    "FI": ("358", ("40", "44", "45", "50"), 9),
    "SE": ("46", ("70", "72", "73", "76"), 9),
    "SN": ("221", ("70", "76", "77", "78"), 9),
    "MR": ("222", ("22", "36", "46"), 8),
    "ER": ("291", ("7",), 7),
    "SD": ("249", ("91", "92", "99"), 9),
    "NG": ("234", ("803", "806", "813", "816", "703", "706", "810", "903"), 10),
    "GN": ("224", ("62", "66"), 9),
    "ML": ("223", ("66", "76", "79"), 8),
    "MT": ("356", ("79", "99"), 8),
    "RO": ("40", ("72", "74", "75", "76"), 9),
    "DZ": ("213", ("55", "66", "77"), 9),
    "BD": ("880", ("17", "18", "19", "15"), 10),
    "VN": ("84", ("91", "98", "97", "35"), 9),
    "NE": ("227", ("90", "96"), 8),
    "CI": ("225", ("07", "05"), 10),
    "CY": ("357", ("99", "96", "97"), 8),
    "SI": ("386", ("40", "41", "31", "51"), 8),
    "AL": ("355", ("672", "682", "692"), 9),
}
#: Trunk prefix written before the national number in local format (none where not used).
TRUNK: dict[str, str] = {
    c: "0"
    for c in (
        "DE",
        "TR",
        "LY",
        "EG",
        "MA",
        "SY",
        "IQ",
        "AF",
        "IR",
        "PK",
        "FR",
        "NL",
        "AT",
        "BG",
        "RS",
        "MK",
        "BA",
        "HR",
        "GB",
        "BE",
        "SE",
        "FI",
        "RO",
        "DZ",
        "BD",
        "VN",
        "NG",
        "SD",
        "SI",
        "AL",
        "ER",
    )
}
TRUNK.update({"HU": "06", "RU": "8", "BY": "8", "LT": "8"})

MMSI_MID: dict[str, tuple[int, ...]] = {
    "IT": (247,),
    "GR": (237, 239, 240),
    "TR": (271,),
    "LY": (642,),
    "TN": (672,),
    "EG": (622,),
    "MT": (215, 248, 249, 256),
    "ES": (224, 225),
    "MA": (242,),
    "SN": (663,),
    "MR": (654,),
    "RO": (264,),
    "BG": (207,),
    "PA": (351, 352, 353, 370, 371),
    "TG": (671,),
    "SL": (667,),
    "CM": (613,),
    "KM": (616,),
    "MD": (214,),
    "TZ": (674,),
    "BZ": (312,),
    "SY": (468,),
    "LB": (450,),
    "GB": (232, 235),
    "FR": (227, 228),
}
#: Flags seen on smuggling mother ships and fishing boats (coastal states and open registers).
SHIP_FLAGS = ("TG", "SL", "PA", "KM", "MD", "CM", "TZ", "BZ", "LY", "EG", "TR", "TN", "SY", "LB")

# IBAN layouts: country, total length, BBAN pattern (n digit, a letter, c alphanumeric).
IBAN: dict[str, str] = {
    "DE": "nnnnnnnnnnnnnnnnnn",
    "IT": "annnnnnnnnncccccccccccc",
    "GR": "nnnnnnnccccccccccccccccc",
    "ES": "nnnnnnnnnnnnnnnnnnnn",
    "FR": "nnnnnnnnnnccccccccccccnn",
    "NL": "aaaannnnnnnnnn",
    "AT": "nnnnnnnnnnnnnnnn",
    "BE": "nnnnnnnnnnnn",
    "HU": "nnnnnnnnnnnnnnnnnnnnnnnn",
    "BG": "aaaannnnnncccccccc",
    "RO": "aaaacccccccccccccccc",
    "PL": "nnnnnnnnnnnnnnnnnnnnnnnn",
    "TR": "nnnnnnccccccccccccccccc",
    "SE": "nnnnnnnnnnnnnnnnnnnn",
    "GB": "aaaannnnnnnnnnnnnn",
    "MT": "aaaannnnncccccccccccccccccc",
    "HR": "nnnnnnnnnnnnnnnnn",
    "RS": "nnnnnnnnnnnnnnnnnn",
    "LT": "nnnnnnnnnnnnnnnn",
}

_PLATES: dict[str, tuple[str, ...]] = {
    "DE": ("B-LL DDDD", "M-LL DDD", "HH-LL DDDD", "F-LL DDD", "K-L DDDD", "S-LL DDDD"),
    "AT": ("W-DDDDDL", "G-DDDDLL", "L-DDDDL"),
    "IT": ("LL DDD LL",),
    "FR": ("LL-DDD-LL",),
    "ES": ("DDDD LLL",),
    "NL": ("DD-LLL-D", "L-DDD-LL"),
    "BE": ("1-LLL-DDD", "2-LLL-DDD"),
    "PL": ("WX DDDDL", "WE DDDDD", "KR DDDLL", "BI DDDDL"),
    "BG": ("CB DDDD LL", "PB DDDD LL"),
    "RO": ("B DD LLL", "TM DD LLL", "CT DD LLL"),
    "HU": ("LLL-DDD", "LLLL-DDD"),
    "RS": ("BG DDD-LL", "NS DDD-LL", "SU DDD-LL"),
    "GR": ("LLL-DDDD",),
    "GB": ("LLDD LLL",),
    "TR": ("34 LLL DDD", "35 LL DDD", "22 LLL DD"),
    "LT": ("LLL DDD",),
    "BY": ("DDDD LL-D",),
    "UA": ("LL DDDD LL",),
    "CZ": ("DLD DDDD",),
    "SK": ("BA-DDDLL",),
    "HR": ("ZG DDDD-LL",),
    "MK": ("SK-DDDD-LL",),
    "BA": ("LDD-L-DDD",),
    "SI": ("LJ LL-DDD",),
    "SE": ("LLL DDL",),
    "LY": ("DDDDDDD",),
    "MA": ("DDDDD-L-DD",),
}
_GREEK_LIKE = "ABEHIKMNOPTXYZ"
_ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

ADJ_EN: dict[str, str] = {
    "SY": "Syrian",
    "AF": "Afghan",
    "IQ": "Iraqi",
    "IR": "Iranian",
    "PK": "Pakistani",
    "ER": "Eritrean",
    "NG": "Nigerian",
    "SD": "Sudanese",
    "GN": "Guinean",
    "BD": "Bangladeshi",
    "EG": "Egyptian",
    "ML": "Malian",
    "SN": "Senegalese",
    "TN": "Tunisian",
    "CI": "Ivorian",
    "MA": "Moroccan",
    "DZ": "Algerian",
    "VN": "Vietnamese",
    "TR": "Turkish",
    "LY": "Libyan",
    "DE": "German",
    "IT": "Italian",
    "GR": "Greek",
    "ES": "Spanish",
    "FR": "French",
    "NL": "Dutch",
    "BE": "Belgian",
    "AT": "Austrian",
    "HU": "Hungarian",
    "BG": "Bulgarian",
    "RO": "Romanian",
    "RS": "Serbian",
    "BA": "Bosnian",
    "MK": "Macedonian",
    "HR": "Croatian",
    "SI": "Slovenian",
    "PL": "Polish",
    "LT": "Lithuanian",
    "BY": "Belarusian",
    "RU": "Russian",
    "GB": "British",
    "AL": "Albanian",
    "SE": "Swedish",
    "NO": "Norwegian",
    "FI": "Finnish",
    "MT": "Maltese",
    "CY": "Cypriot",
    "NE": "Nigerien",
    "MR": "Mauritanian",
}
_MAIN = (
    "SY",
    "AF",
    "IQ",
    "IR",
    "PK",
    "ER",
    "NG",
    "SD",
    "GN",
    "BD",
    "EG",
    "ML",
    "SN",
    "TN",
    "CI",
    "MA",
    "DZ",
    "VN",
    "TR",
    "LY",
)
ADJ: dict[str, dict[str, str]] = {
    "de": dict(
        zip(
            _MAIN,
            [
                "syrisch",
                "afghanisch",
                "irakisch",
                "iranisch",
                "pakistanisch",
                "eritreisch",
                "nigerianisch",
                "sudanesisch",
                "guineisch",
                "bangladeschisch",
                "ägyptisch",
                "malisch",
                "senegalesisch",
                "tunesisch",
                "ivorisch",
                "marokkanisch",
                "algerisch",
                "vietnamesisch",
                "türkisch",
                "libysch",
            ],
            strict=True,
        )
    ),
    "fr": dict(
        zip(
            _MAIN,
            [
                "syrien",
                "afghan",
                "irakien",
                "iranien",
                "pakistanais",
                "érythréen",
                "nigérian",
                "soudanais",
                "guinéen",
                "bangladais",
                "égyptien",
                "malien",
                "sénégalais",
                "tunisien",
                "ivoirien",
                "marocain",
                "algérien",
                "vietnamien",
                "turc",
                "libyen",
            ],
            strict=True,
        )
    ),
    "it": dict(
        zip(
            _MAIN,
            [
                "siriano",
                "afghano",
                "iracheno",
                "iraniano",
                "pakistano",
                "eritreo",
                "nigeriano",
                "sudanese",
                "guineano",
                "bengalese",
                "egiziano",
                "maliano",
                "senegalese",
                "tunisino",
                "ivoriano",
                "marocchino",
                "algerino",
                "vietnamita",
                "turco",
                "libico",
            ],
            strict=True,
        )
    ),
    "es": dict(
        zip(
            _MAIN,
            [
                "sirio",
                "afgano",
                "iraquí",
                "iraní",
                "pakistaní",
                "eritreo",
                "nigeriano",
                "sudanés",
                "guineano",
                "bangladesí",
                "egipcio",
                "maliense",
                "senegalés",
                "tunecino",
                "marfileño",
                "marroquí",
                "argelino",
                "vietnamita",
                "turco",
                "libio",
            ],
            strict=True,
        )
    ),
}


def mobile_nsn(rng: np.random.Generator, country: str) -> tuple[str, str]:
    """A random mobile number of the country: (calling code, national significant number)."""
    cc, prefixes, length = MOBILE[country]
    prefix = prefixes[int(rng.integers(len(prefixes)))]
    rest = "".join(str(d) for d in rng.integers(0, 10, length - len(prefix)))
    return cc, prefix + rest


def plate(rng: np.random.Generator, country: str) -> str:
    """A licence plate in the country's pattern (L letter, D digit)."""
    patterns = _PLATES.get(country, ("LL DDDD",))
    pattern = patterns[int(rng.integers(len(patterns)))]
    letters = _GREEK_LIKE if country == "GR" else "ABCDEFGHJKLMNPRSTUVWXYZ"
    out = []
    for ch in pattern:
        if ch == "L":
            out.append(letters[int(rng.integers(len(letters)))])
        elif ch == "D":
            out.append(str(int(rng.integers(10))))
        else:
            out.append(ch)
    return "".join(out)


def iban(rng: np.random.Generator, country: str) -> str:
    """A syntactically valid IBAN (mod-97 check digits) in the country's layout."""
    bban = []
    for ch in IBAN[country]:
        pool = {"n": "0123456789", "a": "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "c": _ALNUM}[ch]
        bban.append(pool[int(rng.integers(len(pool)))])
    body = "".join(bban)
    check = 98 - _mod97(body + country + "00")
    return f"{country}{check:02d}{body}"


def iban_valid(value: str) -> bool:
    """True when the IBAN's check digits are right."""
    v = value.replace(" ", "").upper()
    return len(v) > 4 and _mod97(v[4:] + v[:4]) == 1


def _mod97(text: str) -> int:
    digits = "".join(str(int(c, 36)) for c in text)
    return int(digits) % 97


def imo(rng: np.random.Generator) -> str:
    """A seven-digit IMO number with a correct check digit."""
    digits = [int(d) for d in rng.integers(0, 10, 6)]
    digits[0] = 9 if digits[0] < 5 else 8
    check = sum(d * w for d, w in zip(digits, range(7, 1, -1), strict=True)) % 10
    return "".join(map(str, digits)) + str(check)


def imo_valid(value: str) -> bool:
    """True when the IMO number's check digit is right."""
    v = value.upper().removeprefix("IMO").strip()
    if len(v) != 7 or not v.isdigit():
        return False
    return sum(int(d) * w for d, w in zip(v[:6], range(7, 1, -1), strict=True)) % 10 == int(v[6])


def mmsi(rng: np.random.Generator, flag: str) -> str:
    """A nine-digit MMSI whose MID matches the flag."""
    mids = MMSI_MID.get(flag, (667,))
    mid = mids[int(rng.integers(len(mids)))]
    return f"{mid}{int(rng.integers(0, 1_000_000)):06d}"


def mrz_check(text: str) -> str:
    """ICAO 9303 check digit of a field."""
    total = 0
    for i, ch in enumerate(text):
        if ch.isdigit():
            v = int(ch)
        elif ch.isalpha():
            v = ord(ch) - 55
        else:
            v = 0
        total += v * (7, 3, 1)[i % 3]
    return str(total % 10)


def luhn_complete(body: str) -> str:
    """Append the Luhn check digit (IMEI)."""
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            d = d - 9 if d > 9 else d
        total += d
    return body + str((10 - total % 10) % 10)
