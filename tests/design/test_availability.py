"""Availability of the facility as designed: block algebra by hand, invariants, the design's own figure."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aidc.data import load_yaml
from aidc.design import availability as av
from aidc.design.size import size
from aidc.scenario import DEFAULT_SCENARIO, load_scenario

unit = st.floats(0.5, 1.0)


def test_inherent_availability_by_hand() -> None:
    # a unit failing every 9,990 h and repaired in 10 h is out 10 h in 10,000
    assert av.inherent_availability(9_990.0, 10.0) == pytest.approx(1 - 10 / 10_000)


def test_2n_by_hand() -> None:
    """Two sides of two 0.99 units each (2N, n = 2): each side 0.99 x 0.99, either side suffices."""
    side = 0.99 * 0.99
    assert av.redundant_group(0.99, 2, "2N") == pytest.approx(1 - (1 - side) * (1 - side))
    assert av.redundant_group(0.99, 2, "2N") == pytest.approx(0.99960399, abs=1e-8)


def test_n_plus_1_by_hand() -> None:
    """Three 0.99 units of which two must work: all three up, or exactly one of three down."""
    expected = 0.99**3 + 3 * 0.99**2 * 0.01
    assert av.redundant_group(0.99, 2, "N+1") == pytest.approx(expected)
    assert av.redundant_group(0.99, 2, "N+1") == pytest.approx(0.999702, abs=1e-9)
    assert av.redundant_group(0.99, 2, "N") == pytest.approx(0.99 * 0.99)


def test_downtime_of_four_nines() -> None:
    assert av.downtime_h_per_y(0.9999) == pytest.approx(8_760 * 0.0001)


def test_a_bad_redundancy_or_group_is_refused() -> None:
    with pytest.raises(ValueError, match="redundancy"):
        av.redundant_group(0.9, 2, "3N")
    with pytest.raises(ValueError, match="k of n"):
        av.k_of_n(0.9, 3, 2)


@given(st.lists(unit, min_size=1, max_size=6))
def test_series_is_at_most_its_weakest_part_and_parallel_at_least_its_best(parts: list[float]) -> None:
    assert av.series(parts) <= min(parts) + 1e-12
    assert av.parallel(parts) >= max(parts) - 1e-12


@given(unit, st.integers(1, 12))
def test_adding_redundancy_never_lowers_availability(a: float, n: int) -> None:
    n_only, n_plus_1, two_n = (av.redundant_group(a, n, r) for r in ("N", "N+1", "2N"))
    assert n_only <= n_plus_1 + 1e-12
    assert n_only <= two_n + 1e-12
    assert av.k_of_n(a, n, n + 2) >= n_plus_1 - 1e-12


@given(unit, st.integers(0, 10), st.integers(0, 10))
def test_k_of_n_is_a_probability_falling_with_k(a: float, k: int, extra: int) -> None:
    n = k + extra
    value = av.k_of_n(a, k, n)
    assert -1e-12 <= value <= 1 + 1e-12
    if k < n:
        assert av.k_of_n(a, k + 1, n) <= value + 1e-12
    assert av.k_of_n(a, 0, n) == pytest.approx(1.0)


def test_tier_rules() -> None:
    assert av.tier_met("2N", "N+1", "N+1") == 3  # concurrently maintainable, one cooling path
    assert av.tier_met("2N", "2N", "2N") == 4
    assert av.tier_met("N+1", "2N", "2N") == 2  # one power path: redundant components only
    assert av.tier_met("2N", "N+1", "N") == 1


@pytest.fixture(scope="module")
def design():  # noqa: ANN201 - a Design
    return size(load_scenario(DEFAULT_SCENARIO))


def test_default_design_meets_tier_iii_and_its_downtime(design) -> None:  # noqa: ANN001
    checks = {c.name: c for c in design.checks}
    assert checks["tier_topology"].ok
    assert checks["tier_topology"].value == 3
    assert checks["availability"].ok
    assert checks["availability"].limit == 1.6  # Uptime's Tier III: one 4-h failure per 2.5 years


def test_facility_figure_is_the_product_of_its_blocks(design) -> None:  # noqa: ANN001
    """Source, distribution and cooling in series; downtime from the product, by hand."""
    f = design.availability
    assert f == av.facility_availability(design.power, design.cooling)
    source, dist, cool = (1 - d / 8_760 for d in (f.source_downtime_h_per_y, f.distribution_downtime_h_per_y,
                                                   f.cooling_downtime_h_per_y))
    assert f.availability_frac == pytest.approx(source * dist * cool, rel=1e-12)
    assert f.downtime_h_per_y == pytest.approx((1 - source * dist * cool) * 8_760)
    # the source by hand: utility (4,478 h / 1.32 h) in parallel with n of n+1 generators
    utility = 4_478 / (4_478 + 1.32)
    gen = 5_000 / (5_000 + 18)
    n = design.power.n_generators_required
    gens = gen ** (n + 1) + (n + 1) * gen**n * (1 - gen)
    assert source == pytest.approx(1 - (1 - utility) * (1 - gens), abs=1e-12)


def test_a_single_ups_path_loses_availability_and_the_tier(design) -> None:  # noqa: ANN001
    one_path = dataclasses.replace(design.power, ups_redundancy="N+1",
                                   n_ups_modules=design.power.n_ups_modules_required + 1)
    two, one = (av.facility_availability(p, design.cooling) for p in (design.power, one_path))
    assert one.distribution_downtime_h_per_y > two.distribution_downtime_h_per_y
    assert (two.tier_met, one.tier_met) == (3, 2)


def test_oreda_rows_give_the_chiller_pump_and_tower_figures() -> None:
    """OREDA-2009 rows (as reprinted in the cited plant availability sheet): rate = sum of failure modes,
    MTTR = downtime-weighted; a chiller is compressor + exchanger, as the sheet combines them."""
    comp = av.reliability_data()["components"]
    rows = {  # (failures per year, hours per failure) of each failure mode
        "chiller": [(0.588, 12.0), (0.249, 13.0), (0.078, 4.2)],
        "pump": [(0.347, 18.0), (0.079, 13.0)],
        "cooling_tower": [(0.220, 13.0), (0.121, 9.9)],
    }
    # the sheet's "not working time" column [h/y]: compressor 10.29 + exchanger 0.33, pump 7.27, tower 4.06
    sheet_downtime_h_per_y = {"chiller": 10.29 + 0.33, "pump": 7.27, "cooling_tower": 4.06}
    for name, modes in rows.items():
        rate_per_y = sum(r for r, _ in modes)
        downtime_h_per_y = sum(r * h for r, h in modes)
        assert downtime_h_per_y == pytest.approx(sheet_downtime_h_per_y[name], abs=0.01)
        assert comp[name]["mtbf_h"] == pytest.approx(8_760 / rate_per_y, abs=0.1)
        assert comp[name]["mttr_h"] == pytest.approx(downtime_h_per_y / rate_per_y, abs=1e-3)


def test_every_component_of_the_diagrams_has_figures_once() -> None:
    """Sourced rows and the unsourced estimate together cover each block exactly once."""
    raw = load_yaml(av.RELIABILITY_FILE)["components"]
    unsourced = set(raw[av.UNSOURCED_COMPONENTS]["value"])
    sourced = set(raw) - {av.UNSOURCED_COMPONENTS}
    assert not unsourced & sourced
    assert unsourced | sourced == {
        "utility_feed", "generator", "transformer", "switchgear", "ups_module", "battery_string", "pdu",
        "chiller", "cooling_tower", "pump", "cdu", "crah"}


def test_default_cooling_downtime_by_hand(design) -> None:  # noqa: ANN001
    """Cooling block of the default design (N+1) from the component figures, by hand."""
    cl = design.cooling
    assert cl.cooling_redundancy == "N+1"

    def unit(mtbf_h: float, mttr_h: float) -> float:
        return mtbf_h / (mtbf_h + mttr_h)

    def n_plus_1(a: float, n: int) -> float:
        return a ** (n + 1) + (n + 1) * a**n * (1 - a)

    chiller, tower, pump, crah = unit(9_573.8, 11.607), unit(25_689.1, 11.9), unit(20_563.4, 17.073), \
        unit(50_000, 8)
    expected = (n_plus_1(chiller, cl.n_chillers_required) * n_plus_1(tower, cl.n_cooling_towers_required)
                * n_plus_1(pump, cl.n_chillers_required) ** 2 * n_plus_1(crah, cl.n_crahs - 1))
    assert cl.n_cdus == 0  # the default hall has no CDUs
    assert design.availability.cooling_downtime_h_per_y == pytest.approx((1 - expected) * 8_760, rel=1e-9)
