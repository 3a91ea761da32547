"""The design's bill of materials: what phase 1 buys, line by line, priced from sourced unit costs.

:func:`bill_of_materials` reads the design (racks, fabric, power chain with its redundancy,
cooling plant, building) and ``data/costs/facility.yaml`` (one record per item: unit cost,
price year, source, basis). Design, permits and contingency are shares of the hard cost, added
per part. The facility's cost per kW of IT (:func:`facility_krw_per_kw`) is what every power
block of the plan costs, and its USD per watt is the cross-check against the published
construction cost per watt (``economics.construction_cost_usd_per_w``).

Each unit cost is escalated from its price year to the construction year of phase 1
(``scenario.start_year - 1``) by the construction cost index of :mod:`aidc.design.escalation`;
blocks the plan builds later are escalated further to their own year (:func:`block_capex_krw`, by
which the plan prices its blocks and economics costs them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from aidc.data import load_yaml
from aidc.design.escalation import escalation_factor
from aidc.scenario import Scenario

if TYPE_CHECKING:
    from aidc.design import Design

#: Facility parts costed per kW of IT capacity (the others, racks and fabric, go with the servers).
FACILITY_PARTS = ("building", "electrical", "mechanical")
SOFT_COSTS = ("design_permits_frac", "contingency_frac")


def unit_costs() -> dict[str, dict[str, Any]]:
    """Return the unit-cost records of ``data/costs/facility.yaml`` by item."""
    raw: dict[str, dict[str, Any]] = load_yaml("costs/facility.yaml")
    return raw


def _quantities(design: Design) -> list[tuple[str, str, float]]:
    """Return ``(part, item, quantity)`` of the design, in the unit of each item's cost."""
    p, c, net, lay = design.power, design.cooling, design.network, design.layout
    return [
        ("building", "building_shell", lay.gross_floor_area_m2),
        ("it", "rack", lay.n_racks),
        ("network", "switch", net.n_switches),
        ("network", "transceiver", net.n_transceivers),
        ("network", "cable", net.n_cables),
        ("electrical", "transformer", p.n_transformers * p.transformer_kva),
        ("electrical", "switchgear", p.facility_peak_kw),
        ("electrical", "ups", p.n_ups_modules * p.ups_module_kw),
        ("electrical", "battery", p.n_ups_modules * p.ups_module_kw),
        ("electrical", "generator", p.n_generators * p.generator_kw),
        ("electrical", "pdu", p.n_pdus),
        ("mechanical", "chiller", c.n_chillers * c.chiller_kw),
        ("mechanical", "cooling_tower", c.n_cooling_towers * c.cooling_tower_kw),
        ("mechanical", "cdu", c.n_cdus),
        ("mechanical", "rear_door", c.n_rear_doors),
        ("mechanical", "crah", c.n_crahs),
    ]


def build_year(scenario: Scenario) -> int:
    """Return the year phase 1 is built and paid: the year before it opens."""
    return scenario.start_year - 1


def bill_of_materials(scenario: Scenario, design: Design) -> pd.DataFrame:
    """Return the design's bill of materials, one row per item and one per part's soft costs.

    Columns ``part, item, quantity, unit, unit_cost_usd, price_year, escalation_factor, cost_krw,
    type, source``. ``cost_krw = quantity x unit_cost_usd x escalation_factor x
    economics.exchange_rate_krw_per_usd``, where ``escalation_factor`` is the construction cost
    index of the build year over that of the price year; the soft-cost rows of a facility part
    are its (escalated) hard cost x ``design_permits_frac`` and x ``contingency_frac``.
    """
    costs, fx = unit_costs(), scenario.economics.exchange_rate_krw_per_usd
    built = build_year(scenario)
    rows = []
    for part, item, quantity in _quantities(design):
        rec = costs[item]
        factor = float(escalation_factor(int(rec["price_year"]), built))
        rows.append({"part": part, "item": item, "quantity": float(quantity),
                     "unit": str(rec["unit"]).split("/")[-1], "unit_cost_usd": float(rec["value"]),
                     "price_year": int(rec["price_year"]), "escalation_factor": factor,
                     "cost_krw": float(quantity) * float(rec["value"]) * factor * fx,
                     "type": rec["type"], "source": rec["source"]})
    hard = pd.DataFrame(rows)
    by_part = hard.groupby("part", sort=False)["cost_krw"].sum()
    soft = [{"part": part, "item": item, "quantity": float(krw), "unit": "KRW",
             "unit_cost_usd": float(costs[item]["value"]), "price_year": int(costs[item]["price_year"]),
             "escalation_factor": 1.0, "cost_krw": float(krw) * float(costs[item]["value"]),
             "type": costs[item]["type"],
             "source": costs[item]["source"]}
            for part, krw in by_part.items() if part in FACILITY_PARTS for item in SOFT_COSTS]
    return pd.concat([hard, pd.DataFrame(soft)], ignore_index=True)


def facility_krw_per_kw(scenario: Scenario, design: Design, bom: pd.DataFrame) -> dict[str, float]:
    """Return the facility's cost per kW of IT capacity by part (building, electrical, mechanical) [KRW/kW].

    The design's facility, soft costs included, over the IT load it was sized for
    (``design.power.it_design_kw``): what a kW of this design costs wherever the plan builds it.
    """
    by_part = bom.groupby("part")["cost_krw"].sum()
    return {p: float(by_part.get(p, 0.0)) / design.power.it_design_kw for p in FACILITY_PARTS}


def block_capex_krw(
    scenario: Scenario, design: Design, bom: pd.DataFrame, block_kw: Any, paid_year: Any,
) -> dict[str, np.ndarray]:
    """Return what power blocks cost by facility part (building, electrical, mechanical) [KRW].

    ``block_kw x`` the design's facility cost per kW (:func:`facility_krw_per_kw`, priced in
    phase 1's build year) ``x`` the construction index from that year to ``paid_year``. The plan
    prices its blocks and economics costs them with this one function.
    """
    rates = facility_krw_per_kw(scenario, design, bom)
    escalated_kw = np.asarray(block_kw, dtype=float) * escalation_factor(build_year(scenario), paid_year)
    return {p: escalated_kw * rate for p, rate in rates.items()}


def fabric_capex_krw(bom: pd.DataFrame) -> dict[str, float]:
    """Return the phase-1 design's racks (part ``it``) and network fabric (part ``network``) [KRW].

    Bought with phase 1 whatever else the plan buys: the servers of the build year need no
    network share on top (:func:`aidc.plan.stage.problem_from_scenario`).
    """
    by_part = bom.groupby("part")["cost_krw"].sum()
    return {"it": float(by_part.get("it", 0.0)), "network": float(by_part.get("network", 0.0))}


def usd_per_w(scenario: Scenario, krw_per_kw: dict[str, float]) -> float:
    """Return the facility cost of a watt of IT capacity [USD/W], to set beside the published figure.

    Examples
    --------
    >>> from aidc.scenario import load_scenario
    >>> s = load_scenario()
    >>> round(usd_per_w(s, {"building": 7.0e6, "electrical": 0.0}) * s.economics.exchange_rate_krw_per_usd)
    7000
    """
    return sum(krw_per_kw.values()) / scenario.economics.exchange_rate_krw_per_usd / 1000.0
