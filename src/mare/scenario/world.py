"""The true world: people, networks, journeys, money, communications (never sent as such)."""

from __future__ import annotations

from dataclasses import dataclass, field

from mare.scenario.names import NameEntry


@dataclass(slots=True)
class Person:
    """A real person of the world."""

    id: str
    kind: str  # member | migrant | contact | relative
    given: NameEntry
    family: NameEntry
    gender: str  # male | female
    birth: str  # ISO date
    nationality: str
    residence: str
    group: str  # name group
    place: str  # where the person mostly is (place id)
    role: str = ""  # members: role (model vocabulary); migrants: migrant
    network: str = ""
    alias: str = ""
    minor: bool = False
    crime_areas: tuple[str, ...] = ()
    phones: list[str] = field(default_factory=list)
    middle: NameEntry | None = None  # a middle name (father's, second given or second family name)

    @property
    def given_names(self) -> str:
        """The given name, followed by the middle name where the person has one."""
        if self.middle is None:
            return self.given.variants[0]
        return f"{self.given.variants[0]} {self.middle.variants[0]}"

    @property
    def name(self) -> str:
        """The canonical full name."""
        return f"{self.given_names} {self.family.variants[0]}"

    @property
    def native_name(self) -> str:
        """The full name in the native script (empty where the pools have none)."""
        parts = [self.given.native, self.middle.native if self.middle else "", self.family.native]
        return " ".join(p for p in parts if p)


@dataclass(slots=True)
class Membership:
    """A person's role in a network over a period."""

    person: str
    network: str
    role: str
    place: str
    start: int
    end: int
    boss: str = ""  # the organiser (for facilitators) or leader (for organisers)


@dataclass(slots=True)
class Network:
    """A smuggling network running one segment of a route."""

    id: str
    segment: str
    route: str
    name: str
    start: int
    end: int
    leader: str = ""
    line: list[str] = field(default_factory=list)
    absorbed_by: str = ""
    absorbed_at: int = 0
    members: list[Membership] = field(default_factory=list)
    vehicles: list[str] = field(default_factory=list)
    vessels: list[str] = field(default_factory=list)
    hawaladars: list[str] = field(default_factory=list)
    forgers: list[str] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)
    businesses: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Phone:
    """A SIM card (number) in a handset, used by one person over a period."""

    id: str
    person: str
    cc: str
    nsn: str
    imei: str
    imsi: str
    start: int
    end: int

    @property
    def e164(self) -> str:
        """The number in E.164."""
        return f"+{self.cc}{self.nsn}"


@dataclass(slots=True)
class Thing:
    """A vehicle, vessel, document, account, organisation or online account, by its fields."""

    id: str
    kind: str  # model record kind
    fields: dict[str, object]
    owner: str = ""  # person or organisation id
    network: str = ""


@dataclass(slots=True)
class Trip:
    """One movement of a group from one place to another (a journey leg for each on board)."""

    id: str
    segment: str
    route: str
    src: str
    dst: str
    depart: int
    arrive: int
    conveyance: str
    facilitated: bool
    network: str = ""
    organiser: str = ""
    crew: list[str] = field(default_factory=list)
    conveyor: str = ""  # vehicle or vessel id
    tow: str = ""  # mother ship towing or carrying the boat
    documents: list[str] = field(default_factory=list)
    migrants: list[str] = field(default_factory=list)
    outcome: str = "arrived"  # arrived | returned | dead


@dataclass(slots=True)
class Journey:
    """A migrant's whole journey."""

    migrant: str
    itinerary: str
    route: str
    trips: list[str] = field(default_factory=list)
    fee: int = 0
    timing: str = ""
    relative: str = ""
    destination: str = ""


@dataclass(slots=True)
class Payment:
    """A transfer of value."""

    id: str
    amount: int
    currency: str
    at: int
    method: str
    purpose: str
    src_country: str
    dst_country: str
    payer: str
    payee: str
    payer_account: str = ""
    payee_account: str = ""
    network: str = ""
    migrant: str = ""


@dataclass(slots=True)
class Event:
    """Something that happened at a place and time."""

    id: str
    type: str
    at: int
    place: str
    lat: float
    lon: float
    country: str
    persons_count: int = 0
    dead: int = 0
    missing: int = 0
    trip: str = ""
    persons: list[str] = field(default_factory=list)
    things: list[str] = field(default_factory=list)
    description: str = ""


@dataclass(slots=True)
class Advert:
    """A smuggling offer posted online."""

    id: str
    network: str
    poster: str
    phone: str
    account: str
    platform: str
    url: str
    posted: int
    language: str
    text: str
    price: int
    currency: str
    route_offered: str


@dataclass(slots=True)
class World:
    """Everything true about the scenario."""

    persons: dict[str, Person] = field(default_factory=dict)
    networks: dict[str, Network] = field(default_factory=dict)
    phones: dict[str, Phone] = field(default_factory=dict)
    things: dict[str, Thing] = field(default_factory=dict)
    trips: dict[str, Trip] = field(default_factory=dict)
    journeys: dict[str, Journey] = field(default_factory=dict)
    payments: dict[str, Payment] = field(default_factory=dict)
    events: dict[str, Event] = field(default_factory=dict)
    adverts: dict[str, Advert] = field(default_factory=dict)
    cooperation: dict[tuple[str, str], int] = field(default_factory=dict)
    relations: list[tuple[str, str, str]] = field(default_factory=list)  # (a, b, relation)
    memberships: list[Membership] = field(default_factory=list)


def nid(prefix: str, count: int) -> str:
    """The id of the next item of a table holding count items."""
    return f"{prefix}{count + 1:07d}"
