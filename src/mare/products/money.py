"""Turnover from the fees the hub observed, per money network and for the hub as a whole.

The arithmetic is the 2016 report's (`products.turnover.estimate`: journeys × facilitated share × fee
per person, interval and Monte Carlo); only the inputs change, each stated with where it comes from:

- **journeys seen**: per network, the distinct payers of its fees (one payer, one journey: a lower
  bound, fixed); for the hub, between the distinct fee payers and the persons counted on the
  journey legs the viewer sees (an upper bound: one person may travel several legs), uniform;
- **facilitated share**: 1 per network (its payers paid a smuggler); for the hub the report's
  0.90–1.00 (`REPORT_2016`), since not every person on a leg paid;
- **fee per person**: the 10th to 90th percentile of the fees observed (at least `MIN_FEES`), uniform;
  with fewer, the report's EUR 3,000–6,000. Fees paid per leg are parts of a journey's fee, so an
  observed range that holds many of them understates the fee per person (said in the output).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mare.analyse.money.networks import Fees
from mare.products.turnover import REPORT_2016, SEED_REPORT, Input, Turnover, estimate

MIN_FEES = 5
DRAWS = 20_000


def fee_input(fees: Fees, fallback: Fees | None = None) -> Input:
    """Fee per person: the observed 10th-90th percentile, else the hub's, else the 2016 report's range."""
    for source in (fees, fallback):
        if source is not None and len(source.amounts) >= MIN_FEES:
            lo, hi = (float(v) for v in np.percentile(source.amounts, [10, 90]))
            where = "the hub's" if source.name == "hub" or source is not fees else "this network's"
            return Input(
                "fee per person",
                round(lo, 2),
                round(max(hi, lo), 2),
                "uniform",
                "EUR",
                f"10th-90th percentile of {len(source.amounts)} fees observed ({where})",
            )
    return Input("fee per person", 3_000, 6_000, "uniform", "EUR", f"{SEED_REPORT}: 'EUR 3,000-6,000'")


def hub_turnover(fees: Fees, journeys_on_legs: int) -> Turnover | None:
    """The hub's turnover from its fees and the journeys it sees; None when no fee was observed."""
    if fees.payers == 0:
        return None
    high = max(fees.payers, journeys_on_legs)
    journeys = Input(
        "journeys seen",
        fees.payers,
        high,
        "uniform" if high > fees.payers else "fixed",
        "journeys",
        "distinct fee payers (low) to persons counted on the journey legs seen (high)",
    )
    return estimate(journeys, REPORT_2016[1], fee_input(fees), currency="EUR", seed=17, draws=DRAWS)


def network_turnover(net: Fees, hub: Fees) -> Turnover | None:
    """One money network's turnover from its fee payers; None when it has none."""
    if net.payers == 0:
        return None
    journeys = Input(
        "journeys seen", net.payers, net.payers, "fixed", "journeys", "distinct payers of its fees"
    )
    share = Input("facilitated share", 1.0, 1.0, "fixed", "share", "its payers paid a smuggler")
    return estimate(journeys, share, fee_input(net, hub), currency="EUR", seed=17, draws=DRAWS)


def turnover_section(fees: Fees | None, networks: list[Fees], journeys_on_legs: int) -> dict[str, Any]:
    """The turnover part of `mare money`'s output: hub-wide and per network, with inputs."""
    if fees is None:
        return {"hub": None, "networks": []}
    hub = hub_turnover(fees, journeys_on_legs)
    per = []
    for net in networks:
        t = network_turnover(net, fees)
        if t is not None:
            per.append(
                {"network": net.name, "fees_observed_eur": round(net.eur, 2), **t.as_dict(), "text": t.text()}
            )
    return {
        "hub": None
        if hub is None
        else {"fees_observed_eur": round(fees.eur, 2), **hub.as_dict(), "text": hub.text()},
        "networks": per,
        "note": ("fees paid per leg are parts of a journey's fee: where many are, the fee per person is low"),
    }
