"""GPU back-end and front-end fabrics.

Reference: NVIDIA DGX SuperPOD H100 reference architecture, Network Fabrics, Table 4
(https://docs.nvidia.com/dgx-superpod/reference-architecture-scalable-infrastructure-h100/latest/
network-fabrics.html; facts.yaml net.spod_h100.*) and the DGX SuperPOD B200 RA (facts net.spod_b200.*).
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.design.conftest import superpod

from aidc.design import size
from aidc.design.network import fat_tree, leaf_ports, n_transceivers, smallest_divisor_at_least
from aidc.scenario import load_scenario

# facts.yaml net.spod_h100.su1..su4: nodes, GPUs, leaf, spine, node+UFM-to-leaf cables, leaf-to-spine cables
SPOD_H100 = {
    1: (31, 248, 8, 4, 252, 256),
    2: (63, 504, 16, 8, 508, 512),
    3: (95, 760, 24, 16, 764, 768),
    4: (127, 1016, 32, 16, 1020, 1024),
}
SU_SIZE = 32  # facts net.spod_h100.su_size: DGX nodes per scalable unit
# facts net.spod_b200.*: nodes, leaf, spine, core (8 GPUs per node, no UFM position taken)
SPOD_B200 = {2: (64, 16, 8, 0), 4: (128, 32, 16, 0), 8: (256, 64, 32, 0), 16: (512, 128, 128, 64),
             32: (1024, 256, 256, 128), 64: (2048, 512, 512, 256)}


@pytest.mark.parametrize("su", [1, 2, 3, 4])
def test_superpod_h100_switch_and_cable_counts(su: int) -> None:
    """DGX SuperPOD H100 RA Table 4, reproduced by the whole design stage (QM9700, k = 64)."""
    nodes, gpus, leaf, spine, node_cables, spine_cables = SPOD_H100[su]
    d = size(superpod(nodes))
    f = d.network.backend
    assert d.fleet.n_gpus == gpus
    assert (f.n_leaf, f.n_spine, f.n_core, f.n_tiers) == (leaf, spine, 0, 2)
    assert (f.n_cables_node_leaf, f.n_cables_leaf_spine) == (node_cables, spine_cables)
    assert (d.network.n_leaf_switches, d.network.n_spine_switches) == (leaf, spine)
    assert f.n_scalable_units == su
    # a scalable unit is SU_SIZE node positions, one of which the UFM links take
    assert nodes == su * SU_SIZE - 1
    assert leaf_ports(64, 1.0)[0] == SU_SIZE


def test_superpod_h100_4su_bom_and_cables() -> None:
    """facts net.spod_h100.4su_bom (127 DGX, 4 UFM, 5 management servers) and 4su_cables.

    The RA's Table 4 sums to 1,020 + 1,024 = 2,044 compute cables; a secondary compilation
    (facts net.spod_h100.4su_cables) says 2,042. We reproduce the primary table. The BOM's 38
    racks include 6 management/network racks laid out by NVIDIA; we reproduce the 32 compute
    racks (127 DGX at 4 per 40.8 kW rack) and size network racks by power and space instead.
    """
    d = size(superpod(127))
    assert d.fleet.servers == {"dgx_h100": 127}
    assert (d.network.n_ufm, d.network.n_management_servers) == (4, 5)
    assert d.network.backend.n_cables == 2_044
    dgx = next(g for g in d.layout.rack_groups if g.content == "dgx_h100")
    assert (dgx.units_per_rack, dgx.n_racks) == (4, 32)


@pytest.mark.parametrize("su", sorted(SPOD_B200))
def test_superpod_b200_two_and_three_tiers(su: int) -> None:
    """DGX SuperPOD B200 RA: 2 tiers to 8 SU (2,048 GPUs = k²/2), then a core tier; cables per tier = GPUs."""
    nodes, leaf, spine, core = SPOD_B200[su]
    f = fat_tree(nodes * 8, 64, 1.0, rails=8)
    assert (f.n_leaf, f.n_spine, f.n_core) == (leaf, spine, core)
    assert f.n_tiers == (3 if core else 2)
    assert f.n_cables_node_leaf == f.n_cables_leaf_spine == nodes * 8
    assert f.n_cables_spine_core == (nodes * 8 if core else 0)


def test_three_tier_limit_is_k_cubed_over_four() -> None:
    """Al-Fares et al. 2008: a 3-tier k-ary fat tree serves k³/4 hosts (65,536 for k = 64)."""
    assert fat_tree(64**3 // 4, 64, 1.0).n_tiers == 3
    assert fat_tree(64**3 // 4 + 32, 64, 1.0).n_tiers == 4


def test_leaf_spine_by_hand() -> None:
    """300 ports, 64-port leaf at 3:1 -> 48 down / 16 up; leaves = ceil(300/48) = 7;
    uplinks 7*16 = 112 need ceil(112/64) = 2 spines, and 2 divides 16 -> 2 spines."""
    f = fat_tree(300, 64, 3.0)
    assert leaf_ports(64, 3.0) == (48, 16)
    assert (f.n_leaf, f.n_spine, f.n_tiers) == (math.ceil(300 / 48), 2, 2)
    assert f.n_cables_leaf_spine == 7 * 16
    assert fat_tree(40, 64, 3.0).n_switches == 1  # fits one switch
    assert fat_tree(0, 64, 1.0).n_switches == 0


def test_spine_count_stripes_uplinks_evenly() -> None:
    assert smallest_divisor_at_least(32, 12) == 16
    assert smallest_divisor_at_least(32, 4) == 4
    assert smallest_divisor_at_least(16, 17) == 16


def test_transceivers_and_their_power() -> None:
    """1 SU: 252 node-leaf links on twin-port SR8 (15 W) and 256 leaf-spine links on DR8 (17 W):
    both ends, 2 ports per module -> 2*126 + 2*128 modules."""
    f = size(superpod(31)).network.backend
    assert n_transceivers(252, 2) == 2 * 126
    assert f.n_transceivers == 2 * 126 + 2 * 128
    assert f.optics_power_kw == pytest.approx((2 * 126 * 15 + 2 * 128 * 17) / 1000)
    assert f.switch_power_kw == pytest.approx(12 * 1.72)  # QM9700 max with active cables


def test_network_power_adds_up() -> None:
    d = size(superpod(127))
    n = d.network
    assert n.power_kw == pytest.approx(
        n.backend.switch_power_kw + n.frontend.switch_power_kw + n.n_oob_switches * 0.098
        + 4 * 0.689 + 5 * 0.8)
    assert n.n_oob_switches == d.layout.n_racks
    assert d.fleet.network_power_kw == pytest.approx(n.power_kw)


def test_cpu_only_fleet_has_no_gpu_fabric() -> None:
    d = size(load_scenario("jeonbuk-phase1"))
    assert d.network.backend.n_switches == 0
    assert d.network.n_ufm == 0
    assert d.network.frontend.n_endpoints == 10_000 * 2


@given(st.integers(1, 20_000), st.integers(1, 20_000), st.sampled_from([1.0, 2.0, 3.0]),
       st.sampled_from([1, 8]))
def test_more_endpoints_never_fewer_switches(a: int, b: int, over: float, rails: int) -> None:
    lo, hi = sorted((a, b))
    f_lo, f_hi = fat_tree(lo, 64, over, rails), fat_tree(hi, 64, over, rails)
    assert f_lo.n_switches <= f_hi.n_switches
    assert f_lo.n_leaf <= f_hi.n_leaf
    # every endpoint has a leaf port, and the spines have a port for every leaf uplink
    down, _ = leaf_ports(64, over)
    assert f_hi.n_leaf * (64 if f_hi.n_tiers == 1 else down) >= hi
    assert f_hi.n_spine * 64 >= f_hi.n_cables_leaf_spine
