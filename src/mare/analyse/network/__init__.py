"""Social network analysis: networks and cells, key players, brokerage, roles, disruption, time.

Public surface (everything else may change):

- `Tie`, `Network`, `build_network`, `from_networkx` — the network (graph.py)
- `read_network` — researchers' edge lists and matrices (io.py)
- `get_engine` — networkx or NetworKit behind one interface (engines.py)
- `node_measures`, `key_players`, `find_cells`, `network_profile`, `compare`, `export_table`
- `gould_fernandez`, `structural_holes`, `infer_roles`
- `removal_curve`, `kpp_neg`, `resilience`, `track`, `analyse`
"""

from mare.analyse.network.brokerage import gould_fernandez, structural_holes
from mare.analyse.network.cells import find_cells
from mare.analyse.network.disruption import removal_curve
from mare.analyse.network.engines import get_engine
from mare.analyse.network.graph import Network, Tie, build_network, from_networkx
from mare.analyse.network.io import read_network
from mare.analyse.network.keyplayers import key_players
from mare.analyse.network.kpp import kpp_neg
from mare.analyse.network.measures import node_measures
from mare.analyse.network.profiles import compare, export_table, network_profile
from mare.analyse.network.report import analyse
from mare.analyse.network.resilience import resilience
from mare.analyse.network.roles import infer_roles
from mare.analyse.network.windows import track

__all__ = [
    "Network",
    "Tie",
    "analyse",
    "build_network",
    "compare",
    "export_table",
    "find_cells",
    "from_networkx",
    "get_engine",
    "gould_fernandez",
    "infer_roles",
    "key_players",
    "kpp_neg",
    "network_profile",
    "node_measures",
    "read_network",
    "removal_curve",
    "resilience",
    "structural_holes",
    "track",
]
