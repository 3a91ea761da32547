"""Network sizing: folded-Clos fabrics (leaf-spine, fat tree) from the switch radix.

The GPU back-end fabric is *rail-optimised*: port ``i`` of every 8-GPU server goes to the
leaf of rail ``i``, so leaves come in groups of one leaf per rail (a scalable unit, SU).
Up to ``k`` leaves the fabric has two tiers; beyond that spines are grouped into pods of
``k/2`` leaves and a core tier joins the pods (Al-Fares et al. 2008). The front-end /
storage network is the same construction with one rail and an oversubscribed leaf.

Counting rules (checked against the NVIDIA DGX SuperPOD H100 and B200 reference
architectures in ``tests/design/test_network.py``):

* leaf ports split ``down : up = oversubscription : 1`` (32 : 32 for a non-blocking 64-port switch);
* ``n_leaf = rails * ceil(ceil(E / down) / rails)``;
* two tiers (``n_leaf <= k``): every leaf stripes its ``up`` uplinks evenly over all spines, so
  the spine count is the smallest divisor of ``up`` that gives enough spine ports
  (3 SU: 768 uplinks need 12 spines, 12 does not divide 32, so 16 — as the RA builds it);
* three tiers: pods of up to ``k/2`` leaves; a spine takes ``k/2`` leaf links and sends ``k/2`` up, so
  ``n_spine = ceil(n_leaf * up / (k/2))`` — a part-filled last pod gets only the spines its leaves
  need, not a whole pod's (B200 RA: spines = leaves from 16 SU on) — and
  ``n_core = ceil(n_spine * k/2 / k)``;
* the fabric managers' links take a free node position of the last scalable unit (H100 RA Table 4:
  31, 63, 95, 127 nodes = 32n - 1); when every position is taken by GPU ports they do not open a
  new scalable unit (B200 RA: 32 nodes per SU, node-leaf cables = GPUs), see :func:`manager_links`;
* cables per tier: ``E`` node-leaf, ``n_leaf * up`` leaf-spine, ``n_spine * k/2`` spine-core.

References
----------
.. [1] M. Al-Fares, A. Loukissas, A. Vahdat, "A Scalable, Commodity Data Center Network
   Architecture", ACM SIGCOMM 2008, doi:10.1145/1402958.1402967.
.. [2] NVIDIA DGX SuperPOD H100 reference architecture, Network Fabrics, Table 4.
   https://docs.nvidia.com/dgx-superpod/reference-architecture-scalable-infrastructure-h100/
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from aidc.design.catalog import DesignCatalog, OpticModel, SwitchModel
from aidc.design.results import FabricDesign


@dataclass(frozen=True, slots=True)
class FabricCounts:
    """Switch and cable counts of one fabric (no equipment models attached)."""

    n_tiers: int
    n_leaf: int
    n_spine: int
    n_core: int
    n_cables_node_leaf: int
    n_cables_leaf_spine: int
    n_cables_spine_core: int

    @property
    def n_switches(self) -> int:
        """All switches of the fabric."""
        return self.n_leaf + self.n_spine + self.n_core


def leaf_ports(radix: int, oversubscription: float) -> tuple[int, int]:
    """Split a leaf's ports into downlinks and uplinks for an oversubscription ratio.

    Parameters
    ----------
    radix : int
        Ports per switch. [port]
    oversubscription : float
        Downlink : uplink bandwidth (1 = non-blocking). [-]

    Returns
    -------
    tuple of int
        ``(n_down, n_up)``, with ``n_down + n_up == radix``.

    Examples
    --------
    >>> leaf_ports(64, 1.0)
    (32, 32)
    >>> leaf_ports(64, 3.0)
    (48, 16)
    """
    n_down = int(radix * oversubscription / (1.0 + oversubscription) + 1e-9)
    n_down = min(max(n_down, 1), radix - 1)
    return n_down, radix - n_down


def smallest_divisor_at_least(n: int, at_least: int) -> int:
    """Return the smallest divisor of ``n`` that is ``>= at_least`` (``n`` itself at worst).

    Examples
    --------
    >>> smallest_divisor_at_least(32, 12)
    16
    """
    for d in range(max(at_least, 1), n + 1):
        if n % d == 0:
            return d
    return n


def fat_tree(n_endpoints: int, radix: int, oversubscription: float = 1.0, rails: int = 1) -> FabricCounts:
    """Size a folded-Clos fabric (2 or 3 tiers; 4 means it does not fit in 3).

    Parameters
    ----------
    n_endpoints : int
        Host ports to connect (GPU ports plus fabric-manager links). [port]
    radix : int
        Ports per switch, ``k``. [port]
    oversubscription : float
        Leaf downlink : uplink ratio (1 = non-blocking). [-]
    rails : int
        Leaves per scalable unit (one per GPU rail); 1 for an ordinary leaf-spine.

    Returns
    -------
    FabricCounts

    Examples
    --------
    DGX SuperPOD H100, 1 SU: 31 nodes x 8 rails + 4 UFM links, QM9700 (k = 64):

    >>> fat_tree(31 * 8 + 4, 64, 1.0, rails=8)  # doctest: +NORMALIZE_WHITESPACE
    FabricCounts(n_tiers=2, n_leaf=8, n_spine=4, n_core=0, n_cables_node_leaf=252,
                 n_cables_leaf_spine=256, n_cables_spine_core=0)
    """
    if n_endpoints <= 0:
        return FabricCounts(0, 0, 0, 0, 0, 0, 0)
    n_down, n_up = leaf_ports(radix, oversubscription)
    if rails == 1 and n_endpoints <= radix:
        return FabricCounts(1, 1, 0, 0, n_endpoints, 0, 0)
    n_leaf = rails * math.ceil(math.ceil(n_endpoints / n_down) / rails)
    if n_leaf <= radix:
        n_spine = smallest_divisor_at_least(n_up, math.ceil(n_leaf * n_up / radix))
        return FabricCounts(2, n_leaf, n_spine, 0, n_endpoints, n_leaf * n_up, 0)
    half = radix // 2
    n_pods = math.ceil(n_leaf / half)
    n_spine = math.ceil(n_leaf * n_up / half)
    n_core = math.ceil(n_spine * half / radix)
    tiers = 3 if n_pods <= radix else 4
    return FabricCounts(tiers, n_leaf, n_spine, n_core, n_endpoints, n_leaf * n_up, n_spine * half)


def manager_links(n_gpu_ports: int, n_manager_links: int, radix: int, oversubscription: float,
                  rails: int) -> int:
    """Fabric-manager (UFM) links that take leaf ports: all of them if the last scalable unit has room.

    A scalable unit offers ``rails * down`` leaf ports. The H100 RA fills a free node position of
    the last SU with the UFM links (31 nodes x 8 + 4 = 252 ports in 1 SU); the B200 RA's full SUs
    (32 nodes, node-leaf cables = GPUs) leave them off the compute leaves rather than add an SU.

    Examples
    --------
    >>> manager_links(31 * 8, 4, 64, 1.0, 8), manager_links(32 * 8, 4, 64, 1.0, 8)
    (4, 0)
    """
    if n_gpu_ports <= 0:
        return 0
    su_ports = rails * leaf_ports(radix, oversubscription)[0]
    free = -n_gpu_ports % su_ports
    return n_manager_links if free >= n_manager_links else 0


def n_transceivers(n_cables: int, ports_per_module: int) -> int:
    """Transceiver modules for ``n_cables`` optical links: both ends, ``ports_per_module`` links each.

    Examples
    --------
    >>> n_transceivers(252, 2)  # twin-port OSFP: 126 modules at each end
    252
    """
    return 2 * math.ceil(n_cables / ports_per_module)


def fabric_design(name: str, counts: FabricCounts, switch: SwitchModel, optic_leaf: OpticModel,
                  optic_uplink: OpticModel, oversubscription: float, rails: int,
                  n_endpoints: int) -> FabricDesign:
    """Attach switch and optics models to fabric counts: modules, their power, switch power."""
    up_cables = counts.n_cables_leaf_spine + counts.n_cables_spine_core
    xcvr_leaf = n_transceivers(counts.n_cables_node_leaf, optic_leaf.ports_per_module)
    xcvr_up = n_transceivers(up_cables, optic_uplink.ports_per_module)
    optics_w = xcvr_leaf * optic_leaf.power_w + xcvr_up * optic_uplink.power_w
    return FabricDesign(
        name=name, switch=switch.key, radix=switch.radix, oversubscription=oversubscription,
        rails=rails, n_endpoints=n_endpoints, n_tiers=counts.n_tiers, n_leaf=counts.n_leaf,
        n_spine=counts.n_spine, n_core=counts.n_core,
        n_cables_node_leaf=counts.n_cables_node_leaf, n_cables_leaf_spine=counts.n_cables_leaf_spine,
        n_cables_spine_core=counts.n_cables_spine_core,
        n_cables=counts.n_cables_node_leaf + up_cables,
        n_transceivers=xcvr_leaf + xcvr_up,
        optics_power_kw=optics_w / 1000.0,
        n_switches=counts.n_switches,
        switch_power_kw=counts.n_switches * switch.power_design_kw,
    )


def size_fabric(name: str, n_endpoints: int, switch_key: str, oversubscription: float, rails: int,
                cat: DesignCatalog) -> FabricDesign:
    """Size one fabric with the catalog's switch and optics."""
    switch = cat.switches[switch_key]
    counts = fat_tree(n_endpoints, switch.radix, oversubscription, rails)
    return fabric_design(name, counts, switch, cat.optics[switch.optic_leaf],
                         cat.optics[switch.optic_uplink], oversubscription, rails, n_endpoints)
