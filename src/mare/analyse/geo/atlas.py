"""Find and load Natural Earth 10 m country polygons shipped by the npm package `world-atlas`.

The file is public-domain Natural Earth data (v4.1.0) redistributed as TopoJSON by world-atlas
(ISC licence). It is installed, never downloaded at run time, by `make setup` (`npm ci`) into
`<repo>/node_modules/world-atlas/`; MARE_WORLD_ATLAS may point at another copy.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pycountry
from shapely.geometry.base import BaseGeometry

from mare.analyse.geo.topojson import features

ENV_VAR = "MARE_WORLD_ATLAS"
RELATIVE = Path("node_modules") / "world-atlas" / "countries-10m.json"

#: Natural Earth units without an ISO 3166 numeric id: name -> (alpha-2, reason).
#: Kosovo uses the user-assigned XK (as the EU and Frontex do); de-facto entities map to the
#: state that ISO lists for the territory; sovereign base areas to their sovereign.
NO_ID_UNITS: dict[str, tuple[str, str]] = {
    "Kosovo": ("XK", "user-assigned code used by the EU"),
    "N. Cyprus": ("CY", "ISO lists the territory under Cyprus"),
    "Cyprus U.N. Buffer Zone": ("CY", "UN buffer zone inside Cyprus"),
    "Somaliland": ("SO", "ISO lists the territory under Somalia"),
    "Dhekelia": ("GB", "UK sovereign base area on Cyprus"),
    "Akrotiri": ("GB", "UK sovereign base area on Cyprus"),
    "Baikonur": ("KZ", "Kazakh territory leased to Russia"),
    "USNB Guantanamo Bay": ("CU", "Cuban territory leased to the US"),
    "Indian Ocean Ter.": ("AU", "Australian external territories"),
    "Coral Sea Is.": ("AU", "Australian external territory"),
    "Clipperton I.": ("FR", "French overseas territory"),
    "Siachen Glacier": ("", "disputed; no code"),
    "Spratly Is.": ("", "disputed; no code"),
    "Scarborough Reef": ("", "disputed; no code"),
    "Bajo Nuevo Bank": ("", "disputed; no code"),
    "Serranilla Bank": ("", "disputed; no code"),
}


class AtlasMissing(FileNotFoundError):
    """The world-atlas country file is not installed."""


@dataclass(frozen=True)
class CountryShape:
    """One Natural Earth admin-0 unit: ISO alpha-2 (\"\" when none), its name and geometry."""

    alpha2: str
    name: str
    numeric: str | None
    geometry: BaseGeometry


def find_atlas() -> Path:
    """Path of countries-10m.json: $MARE_WORLD_ATLAS, else node_modules above this package or cwd."""
    override = os.environ.get(ENV_VAR)
    if override:
        path = Path(override)
        if path.is_file():
            return path
        raise AtlasMissing(f"{ENV_VAR}={override} does not name a file")
    starts = [Path(__file__).resolve(), Path.cwd().resolve()]
    for start in starts:
        for folder in [start, *start.parents]:
            candidate = folder / RELATIVE
            if candidate.is_file():
                return candidate
    raise AtlasMissing(
        f"Natural Earth countries not found ({RELATIVE}). Run `make setup` (or `npm ci` in the "
        f"repository root) to install the npm package world-atlas, or set {ENV_VAR} to countries-10m.json."
    )


def alpha2_for(numeric: str | None, name: str) -> str:
    """ISO alpha-2 for a world-atlas unit from its numeric id, with the named special cases."""
    if name in NO_ID_UNITS:
        return NO_ID_UNITS[name][0]
    if numeric:
        country = pycountry.countries.get(numeric=numeric.zfill(3))
        if country is not None:
            return str(country.alpha_2)
    return ""


@lru_cache(maxsize=4)
def load_countries(path: str | None = None) -> tuple[CountryShape, ...]:
    """All country shapes from the atlas file (cached; about a second on first use)."""
    source = Path(path) if path else find_atlas()
    with source.open(encoding="utf-8") as handle:
        topology = json.load(handle)
    shapes = []
    for feature in features(topology, "countries"):
        name = str(feature.properties.get("name", ""))
        shapes.append(CountryShape(alpha2_for(feature.id, name), name, feature.id, feature.geometry))
    return tuple(shapes)
