"""Power chain and cooling: hand-worked chains, redundancy, and the energy balance."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.design.conftest import scenario_with

from aidc.design import cooling, power, size
from aidc.scenario import load_scenario

PHASE1 = load_scenario("jeonbuk-phase1")


def test_power_chain_by_hand() -> None:
    """jeonbuk-phase1 at design peak, every stage written out."""
    d = size(PHASE1)
    p, c = d.power, d.cooling
    it = d.fleet.it_power_kw
    pdu_loss = it * (1 / 0.9902 - 1)
    ups_out = it + pdu_loss
    ups_loss = ups_out * (1 / 0.967 - 1)
    other = 0.02 * it
    fans = 0.0542 * it  # one air hall, CRAH fans (DGX airflow per kW x ASHRAE 90.1 App. G fan W/CFM)
    chiller_load = it + fans + pdu_loss + ups_loss + other
    compressor = chiller_load / 5.5
    heat = chiller_load + compressor
    cooling_kw = compressor + fans + 0.043 * heat  # pumps 0.028 + tower fans 0.015 (ASHRAE 90.1)
    xfmr_out = ups_out + ups_loss + cooling_kw + other
    peak = xfmr_out / 0.9928
    assert p.pdu_loss_kw == pytest.approx(pdu_loss)
    assert p.ups_loss_kw == pytest.approx(ups_loss)
    assert c.chiller_load_kw == pytest.approx(chiller_load)
    assert c.heat_rejected_kw == pytest.approx(heat)
    assert p.cooling_power_kw == pytest.approx(cooling_kw)
    assert p.facility_peak_kw == pytest.approx(peak)
    assert c.design_pue == pytest.approx(peak / it)
    assert p.n_ups_modules_required == -(-ups_out // 1000)
    assert p.n_ups_modules == 2 * p.n_ups_modules_required  # 2N
    assert p.n_generators == -(-peak // 2000) + 1  # N+1
    assert c.n_chillers == -(-chiller_load // (1000 * 3.516853)) + 1
    assert p.grid_contract_kw == p.facility_peak_kw  # not given: sized to the peak


def test_every_watt_is_accounted_for() -> None:
    for name in ("jeonbuk-phase1", "jeonbuk-ai"):
        p = size(load_scenario(name)).power
        assert p.facility_peak_kw == pytest.approx(
            p.it_design_kw + p.loss_kw + p.cooling_power_kw + p.other_power_kw)
        assert p.loss_kw == pytest.approx(p.pdu_loss_kw + p.ups_loss_kw + p.transformer_loss_kw)


def test_design_pue_within_published_ranges() -> None:
    """facts pue.air_cooled 1.3-1.6 (design peak sits high in it); pue.liquid_cooled_ai 1.1-1.3."""
    assert 1.3 <= size(PHASE1).cooling.design_pue <= 1.6
    dlc = size(scenario_with(fleet={"servers": {"dgx_h100": 600}},
                             facility={"halls": [{"name": "DLC", "cooling": "direct_liquid"}]}))
    assert 1.1 <= dlc.cooling.design_pue <= 1.3
    assert dlc.cooling.liquid_heat_kw == pytest.approx(0.75 * dlc.layout.halls[0].it_power_kw)
    assert dlc.cooling.n_cdus >= 1


def test_redundancy_by_hand() -> None:
    assert [power.units_installed(9, r) for r in ("N", "N+1", "2N")] == [9, 10, 18]
    assert power.capacity_after_spares_kw(10, 1000, "N+1") == 9000
    assert power.capacity_after_spares_kw(18, 1000, "2N") == 9000
    assert power.conversion_loss_kw(96.7, 0.967) == pytest.approx(3.3)
    assert cooling.compressor_power_kw(5.5, 5.5) == 1


@pytest.mark.parametrize("kind", ["ups_redundancy", "generator_redundancy", "cooling_redundancy"])
def test_equipment_n_le_n1_le_2n(kind: str) -> None:
    counts = []
    for r in ("N", "N+1", "2N"):
        d = size(scenario_with(facility={kind: r}))
        counts.append((d.power.n_ups_modules, d.power.n_generators, d.cooling.n_chillers,
                       d.cooling.n_cooling_towers, d.power.n_transformers))
        # every unit fits; only the Uptime Tier III target (topology, and downtime with it) can fail:
        # when a group has no spare, or the UPS has a single path (N+1)
        failing = {c.name for c in d.failing}
        below_tier3 = r == "N" or (kind == "ups_redundancy" and r == "N+1")
        assert failing <= {"tier_topology", "availability"}
        assert ("tier_topology" in failing) == below_tier3
    for a, b in zip(counts, counts[1:], strict=False):
        assert all(x <= y for x, y in zip(a, b, strict=True))


@settings(max_examples=25, deadline=None)
@given(st.floats(500, 20_000), st.floats(500, 20_000),
       st.sampled_from(["air", "rear_door", "direct_liquid"]))
def test_more_it_never_less_racks_power_or_cooling(a_kw: float, b_kw: float, kind: str) -> None:
    lo_kw, hi_kw = sorted((a_kw, b_kw))
    halls = {"halls": [{"name": "H", "cooling": kind}]}
    mix = {"mix": {"dgx_h100": 0.7, "cpu_cloud": 0.2, "storage_node": 0.1}}
    lo = size(scenario_with(power={"it_capacity_kw": lo_kw}, fleet=mix, facility=halls))
    hi = size(scenario_with(power={"it_capacity_kw": hi_kw}, fleet=mix, facility=halls))
    assert lo.layout.n_racks <= hi.layout.n_racks
    assert lo.power.facility_peak_kw <= hi.power.facility_peak_kw + 1e-6
    assert lo.cooling.heat_rejected_kw <= hi.cooling.heat_rejected_kw + 1e-6
    assert lo.cooling.cooling_power_kw <= hi.cooling.cooling_power_kw + 1e-6
    for d in (lo, hi):
        p = d.power
        assert p.facility_peak_kw == pytest.approx(
            p.it_design_kw + p.loss_kw + p.cooling_power_kw + p.other_power_kw)
        assert p.ups_installed_kw >= p.ups_load_kw


@given(st.floats(0, 1e5), st.floats(0.5, 1.0))
def test_losses_are_non_negative_and_grow_with_load(load_kw: float, eff: float) -> None:
    assert power.conversion_loss_kw(load_kw, eff) >= 0
    assert power.conversion_loss_kw(load_kw + 1, eff) >= power.conversion_loss_kw(load_kw, eff)


def test_other_power_covers_the_lighting_of_the_floor_area() -> None:
    """Lighting alone, at ASHRAE 90.1-2007 (SI) Table 9.5.1 building-area densities (warehouse 9 to
    manufacturing facility 14 W/m2), on the design's gross floor area, fits inside the other-power
    allowance with room for offices, security and building management."""
    d = size(PHASE1)
    for lpd_w_per_m2 in (9, 14):
        lighting_kw = d.layout.gross_floor_area_m2 * lpd_w_per_m2 / 1000
        assert lighting_kw < 0.6 * d.power.other_power_kw
