"""Smuggling offers on social media, in the migrants' languages, with the networks' numbers."""

from __future__ import annotations

import numpy as np

from mare.scenario import fleet
from mare.scenario.names import GROUP_LANGUAGES
from mare.scenario.params import DAY, END
from mare.scenario.places import PLACES
from mare.scenario.world import Advert, Network, World, nid

TEMPLATES: dict[str, str] = {
    "ar": "رحلة آمنة إلى {dest} عبر {via} — السعر {price} {cur}، الدفع عند الوصول ممكن. "
    "للتواصل واتساب {phone}",
    "fa": "سفر مطمئن به {dest} از راه {via}، قیمت {price} {cur}. پرداخت بعد از رسیدن. تماس واتساپ {phone}",
    "ps": "{dest} ته خوندي سفر د {via} له لارې، بیه {price} {cur}. اړیکه واټساپ {phone}",
    "ku": "گەشتی سەلامەت بۆ {dest} لە ڕێگەی {via}، نرخ {price} {cur}. پەیوەندی واتساپ {phone}",
    "en": "Safe trip to {dest} via {via}. Price {price} {cur}, pay on arrival possible. WhatsApp {phone}",
    "fr": "Voyage sûr vers {dest} par {via}. Prix {price} {cur}, paiement à l'arrivée possible. "
    "Contact WhatsApp {phone}",
}
_ARABIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
_PLATFORMS = ("facebook", "telegram", "tiktok", "instagram")


def _url(rng: np.random.Generator, platform: str, handle: str) -> str:
    n = int(rng.integers(10**8, 10**9))
    if platform == "facebook":
        return f"https://www.facebook.com/groups/{handle}/posts/{n}"
    if platform == "telegram":
        return f"https://t.me/{handle}/{n % 10000}"
    if platform == "tiktok":
        return f"https://www.tiktok.com/@{handle}/video/{n}{n}"
    return f"https://www.instagram.com/p/{handle[:5]}{n % 100000}/"


def build_adverts(world: World, rng: np.random.Generator) -> None:
    """Adverts posted by recruiters and organisers of every network."""
    for net_id in sorted(world.networks):
        net = world.networks[net_id]
        posters = [m for m in net.members if m.role in ("recruiter", "organiser")]
        if not posters:
            continue
        for _ in range(1 + int(rng.poisson(2.0))):
            m = posters[int(rng.integers(len(posters)))]
            _advert(world, rng, net, m.person, max(m.start, net.start), min(m.end, net.end))


def _advert(world: World, rng: np.random.Generator, net: Network, poster_id: str, t0: int, t1: int) -> None:
    if t1 - t0 < DAY:
        return
    poster = world.persons[poster_id]
    posted = int(rng.uniform(t0, min(t1, END - DAY)))
    phones = [world.phones[p] for p in poster.phones if world.phones[p].start <= posted < world.phones[p].end]
    if not phones:
        return
    phone = phones[0]
    langs = GROUP_LANGUAGES.get(poster.group, ("en",))
    lang = langs[int(rng.integers(len(langs)))]
    platform = _PLATFORMS[int(rng.integers(len(_PLATFORMS)))]
    service = "telegram" if platform == "telegram" else platform
    acc = fleet.online_account(world, rng, poster, service, net.id)
    src, dst = PLACES[net.line[0]], PLACES[net.line[-1]]
    via = PLACES[net.line[len(net.line) // 2]].city
    cur = "USD" if lang in ("ar", "fa", "ps", "ku") and rng.random() < 0.5 else "EUR"
    price = int(round(float(rng.uniform(1_000, 6_000)) / 100) * 100)
    number = phone.e164
    if lang in ("ar", "fa", "ps", "ku") and rng.random() < 0.1:
        number = number.translate(_ARABIC_DIGITS)
    text = TEMPLATES[lang].format(dest=dst.city, via=via, price=price, cur=cur, phone=number)
    handle = str(acc.fields["handle"])
    ad = Advert(
        id=nid("AD", len(world.adverts)),
        network=net.id,
        poster=poster.id,
        phone=phone.id,
        account=acc.id,
        platform=platform,
        url=_url(rng, platform, handle),
        posted=posted,
        language=lang,
        text=text,
        price=price,
        currency=cur,
        route_offered=f"{src.city} - {dst.city}",
    )
    world.adverts[ad.id] = ad
