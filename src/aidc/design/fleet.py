"""Fleet sizing: how many servers of each type fit a power budget.

The plan's capacity is "the maximum power supplied to all of its servers" (GNN report), so
servers are counted by nameplate (maximum) power: ``n = floor(budget / power_max)``.
"""

from __future__ import annotations

from aidc.design.results import ArticleArithmetic, CapacityEquivalent
from aidc.scenario import ServerType
from aidc.units import W_PER_KW

# Counts are floors of ratios of decimal inputs (0.85 * 8,000 kW / 10.2 kW); a relative
# tolerance keeps an exact ratio such as 40.8 / 10.2 from flooring to 3 by binary rounding.
_REL_TOL = 1e-9


def servers_within_power(power_budget_kw, server_power_max_w):
    """Return how many servers of nameplate ``server_power_max_w`` fit ``power_budget_kw``.

    Parameters
    ----------
    power_budget_kw : float or array
        Power available to these servers. [kW]
    server_power_max_w : float or array
        Maximum (nameplate) power of one server. [W]

    Returns
    -------
    float or array
        Whole servers (floored). [-]

    References
    ----------
    GNN news report on the Jeonbuk AIDC: 8 MW / 800 W = 10,000 servers (facts.yaml
    check.8mw.servers_800w).

    Examples
    --------
    >>> servers_within_power(8000, 800)
    10000.0
    >>> servers_within_power(8000, 10200)  # DGX H100 at 10.2 kW
    784.0
    """
    return (power_budget_kw * W_PER_KW * (1 + _REL_TOL)) // server_power_max_w


def mix_budget_kw(power_budget_kw, share_frac):
    """Split a power budget by a share of it [kW].

    Examples
    --------
    >>> mix_budget_kw(8000, 0.85)
    6800.0
    """
    return power_budget_kw * share_frac


def servers_from_mix(power_budget_kw: float, mix: dict[str, float],
                     catalog: dict[str, ServerType]) -> dict[str, int]:
    """Return server counts by type for a mix of shares of the power budget."""
    return {
        key: int(servers_within_power(mix_budget_kw(power_budget_kw, share), catalog[key].power_max_w))
        for key, share in mix.items()
    }


def article_arithmetic(it_capacity_kw: float, catalog: dict[str, ServerType]) -> ArticleArithmetic:
    """Return the article's sum (capacity / 800 W) and what the same capacity buys in GPU servers."""
    ref_key, ref = next((k, s) for k, s in catalog.items() if s.kind == "reference")
    equivalents = tuple(
        CapacityEquivalent(
            server_type=key, label=s.label, power_max_w=s.power_max_w,
            n_servers=(n := int(servers_within_power(it_capacity_kw, s.power_max_w))),
            n_gpus=n * s.n_gpus,
        )
        for key, s in catalog.items() if s.kind == "gpu"
    )
    return ArticleArithmetic(
        it_capacity_kw=it_capacity_kw, reference_server=ref_key, reference_power_w=ref.power_max_w,
        n_reference_servers=int(servers_within_power(it_capacity_kw, ref.power_max_w)),
        equivalents=equivalents,
    )
