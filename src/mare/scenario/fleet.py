"""Vehicles, vessels, documents, financial accounts and front businesses."""

from __future__ import annotations

import unicodedata

import numpy as np

from mare.scenario.countries import IBAN, SHIP_FLAGS, iban, imo, mmsi, mrz_check, plate
from mare.scenario.params import DAY, Params
from mare.scenario.people import iso_date
from mare.scenario.world import Person, Thing, World, nid

PLATE_COUNTRIES = (
    "DE",
    "AT",
    "PL",
    "BG",
    "RO",
    "HU",
    "RS",
    "LT",
    "CZ",
    "SK",
    "NL",
    "BE",
    "IT",
    "FR",
    "ES",
    "GR",
    "UA",
    "BY",
    "TR",
    "HR",
    "SI",
    "MK",
    "BA",
)
_MAKES = {
    "car": (
        ("Volkswagen", "Passat"),
        ("BMW", "520d"),
        ("Skoda", "Octavia"),
        ("Audi", "A6"),
        ("Mercedes-Benz", "E 220"),
        ("Opel", "Insignia"),
    ),
    "van": (
        ("Mercedes-Benz", "Sprinter"),
        ("Ford", "Transit"),
        ("Renault", "Master"),
        ("Fiat", "Ducato"),
        ("Volkswagen", "Crafter"),
    ),
    "lorry": (("Scania", "R450"), ("Volvo", "FH"), ("MAN", "TGX"), ("DAF", "XF"), ("Iveco", "Stralis")),
}
_COLOURS = ("white", "black", "silver", "grey", "blue", "red")
_BOAT_NAMES = (
    "Al Noor",
    "Sea Star",
    "Mare Nostrum",
    "Baraka",
    "Al Salam",
    "Nour El Bahr",
    "Amira",
    "Blue Horizon",
    "Yasmin",
    "Al Amal",
    "Poseidon",
    "Sultan",
    "Ocean Pearl",
    "Fajr",
    "Zeynep",
    "Captain Ali",
    "Libertad",
    "Stella Maris",
)
_BUSINESS = (
    "car_dealership",
    "grocery",
    "restaurant",
    "transport_company",
    "travel_agency",
    "internet_cafe",
    "money_transfer",
)
_BIZ_NAMES = {
    "car_dealership": "Auto",
    "grocery": "Market",
    "restaurant": "Restaurant",
    "transport_company": "Transport",
    "travel_agency": "Travel",
    "internet_cafe": "Call Shop",
    "money_transfer": "Exchange",
}


def _add(world: World, prefix: str, kind: str, fields: dict[str, object], owner: str, network: str) -> Thing:
    t = Thing(id=nid(prefix, len(world.things)), kind=kind, fields=fields, owner=owner, network=network)
    world.things[t.id] = t
    return t


def vehicle(
    world: World, rng: np.random.Generator, params: Params, vtype: str, owner: Person, network: str
) -> Thing:
    """A network vehicle, often registered abroad or rented in a third country."""
    country = owner.residence
    if rng.random() < params.world.foreign_plate_share or country not in PLATE_COUNTRIES:
        others = [c for c in PLATE_COUNTRIES if c != owner.residence]
        country = others[int(rng.integers(len(others)))]
    make, model = _MAKES[vtype][int(rng.integers(len(_MAKES[vtype])))]
    fields: dict[str, object] = {
        "plate": plate(rng, country),
        "country": country,
        "vin": _vin(rng),
        "make": make,
        "model": model,
        "colour": _COLOURS[int(rng.integers(len(_COLOURS)))],
        "vehicle_type": vtype,
        "rented": False,
    }
    if rng.random() < params.world.rented_share:
        third = [c for c in PLATE_COUNTRIES if c not in (country, owner.residence)]
        fields["rented"] = True
        fields["rental_country"] = third[int(rng.integers(len(third)))]
        fields["country"] = fields["rental_country"]
        fields["plate"] = plate(rng, str(fields["rental_country"]))
    return _add(world, "V", "vehicle", fields, owner.id, network)


def vessel(
    world: World, rng: np.random.Generator, vtype: str, network: str, owner: str, with_ids: bool
) -> Thing:
    """A vessel; mother ships and some fishing boats carry IMO, MMSI and a flag."""
    length = {
        "rubber_dinghy": (8, 12),
        "wooden_boat": (8, 18),
        "fishing_boat": (15, 30),
        "mother_ship": (25, 60),
        "yacht": (10, 16),
    }.get(vtype, (8, 20))
    fields: dict[str, object] = {"vessel_type": vtype, "length_m": round(float(rng.uniform(*length)), 1)}
    if vtype != "rubber_dinghy":
        fields["name"] = _BOAT_NAMES[int(rng.integers(len(_BOAT_NAMES)))]
    if with_ids:
        flag = SHIP_FLAGS[int(rng.integers(len(SHIP_FLAGS)))]
        fields["flag"] = flag
        fields["mmsi"] = mmsi(rng, flag)
        if vtype in ("mother_ship", "fishing_boat", "cargo_ship"):
            fields["imo"] = imo(rng)
            fields["call_sign"] = "".join(
                "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"[int(i)] for i in rng.integers(0, 34, 5)
            )
    return _add(world, "S", "vessel", fields, owner, network)


def document(
    world: World, rng: np.random.Generator, holder: Person, fraud: str, network: str, issued: int
) -> Thing:
    """A travel document with a computed machine-readable zone."""
    country = holder.nationality
    number = "".join("ABCDEFGHJKLMNPRSTUVWXYZ0123456789"[int(i)] for i in rng.integers(0, 33, 9))
    expiry = issued + int(rng.integers(2, 10)) * 365 * DAY
    birth = holder.birth.replace("-", "")[2:]
    exp = iso_date(expiry).replace("-", "")[2:]
    iso3 = _ISO3.get(country, "XXX")
    sex = "M" if holder.gender == "male" else "F"
    surname = _mrz_name(holder.family.variants[0])
    given = _mrz_name(holder.given.variants[0])
    line1 = f"P<{iso3}{surname}<<{given}".ljust(44, "<")[:44]
    body = f"{number}{mrz_check(number)}{iso3}{birth}{mrz_check(birth)}{sex}{exp}{mrz_check(exp)}"
    personal = "<" * 14
    body += personal + mrz_check(personal)
    composite = body[0:10] + body[13:20] + body[21:43]
    line2 = body + mrz_check(composite)
    fields: dict[str, object] = {
        "document_type": "passport",
        "document_class": "travel",
        "number": number,
        "issuing_country": country,
        "mrz": f"{line1}\n{line2}",
        "holder_name": holder.name,
        "birth_date": holder.birth,
        "nationality": country,
        "expiry_date": iso_date(expiry),
        "fraud": fraud,
    }
    return _add(world, "D", "document", fields, holder.id, network)


_MRZ_LETTERS = {"ß": "SS", "Æ": "AE", "Ø": "OE", "Þ": "TH", "Ł": "L", "Đ": "D", "İ": "I", "ı": "I", "Œ": "OE"}


def _mrz_name(name: str) -> str:
    """A name in MRZ characters: Latin letters without diacritics (Doc 9303 part 3), '<' elsewhere."""
    plain = "".join(_MRZ_LETTERS.get(c, c) for c in name)
    plain = "".join(c for c in unicodedata.normalize("NFKD", plain) if not unicodedata.combining(c))
    out = "".join(c if c.isascii() and c.isalpha() else "<" for c in plain.upper())
    return out.strip("<") or "X"


_ISO3 = {
    "SY": "SYR",
    "AF": "AFG",
    "IQ": "IRQ",
    "IR": "IRN",
    "PK": "PAK",
    "ER": "ERI",
    "NG": "NGA",
    "SD": "SDN",
    "GN": "GIN",
    "BD": "BGD",
    "EG": "EGY",
    "ML": "MLI",
    "SN": "SEN",
    "TN": "TUN",
    "CI": "CIV",
    "MA": "MAR",
    "DZ": "DZA",
    "VN": "VNM",
    "TR": "TUR",
    "DE": "D<<",
    "SE": "SWE",
    "NL": "NLD",
    "FR": "FRA",
    "BE": "BEL",
    "AT": "AUT",
    "GB": "GBR",
    "IT": "ITA",
    "GR": "GRC",
    "ES": "ESP",
    "BG": "BGR",
    "RO": "ROU",
}


def account(world: World, rng: np.random.Generator, holder: Person, atype: str, network: str) -> Thing:
    """A financial account: bank (IBAN), money transfer, hawala ledger or crypto wallet."""
    fields: dict[str, object] = {"account_type": atype, "holder_name": holder.name}
    country = holder.residence
    if atype == "bank":
        country = country if country in IBAN else "DE"
        fields["iban"] = iban(rng, country)
    elif atype == "crypto":
        fields["account_number"] = "T" + "".join(
            "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz123456789"[int(i)]
            for i in rng.integers(0, 58, 33)
        )
        fields["institution"] = "USDT (TRC-20)"
    else:
        fields["account_number"] = "".join(str(int(d)) for d in rng.integers(0, 10, 10))
        fields["institution"] = {
            "hawala": f"{holder.family.variants[0]} Exchange",
            "money_transfer": ("Western Union", "MoneyGram", "RIA")[int(rng.integers(3))],
        }.get(atype, "")
    fields["country"] = country
    return _add(world, "F", "financial_account", fields, holder.id, network)


def business(
    world: World, rng: np.random.Generator, owner: Person, country: str, network: str, btype: str = ""
) -> Thing:
    """A front business used to launder proceeds and give a facade of legitimacy (of a type drawn
    from `_BUSINESS` unless given)."""
    btype = btype or _BUSINESS[int(rng.integers(len(_BUSINESS)))]
    name = f"{owner.family.variants[0]} {_BIZ_NAMES[btype]}"
    fields: dict[str, object] = {
        "name": name,
        "country": country,
        "business_type": btype,
        "registration_number": "".join(str(int(d)) for d in rng.integers(0, 10, 8)),
    }
    return _add(world, "O", "organisation", fields, owner.id, network)


def online_account(
    world: World, rng: np.random.Generator, owner: Person, service: str, network: str
) -> Thing:
    """A messenger or social media account."""
    base = f"{owner.given.variants[0]}_{owner.family.variants[0]}".lower()
    base = "".join(c for c in base if c.isascii() and (c.isalnum() or c == "_")) or "user"
    handle = f"{base}{int(rng.integers(10, 9999))}"
    fields: dict[str, object] = {
        "service": service,
        "handle": handle,
        "display_name": owner.alias or owner.given.variants[0],
    }
    return _add(world, "A", "account", fields, owner.id, network)


def _vin(rng: np.random.Generator) -> str:
    chars = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
    return "W" + "".join(chars[int(i)] for i in rng.integers(0, len(chars), 16))
