"""Economics stage: capital and operating cost, PFV cash flows, price per GPU-hour.

Entry point :func:`evaluate` (-> :class:`Economics`); :func:`monte_carlo` draws uncertain
demand growth, prices and costs. Finance functions (``npv``, ``irr``, ``annuity_factor``,
``debt_service_krw``) are in :mod:`aidc.economics.finance`, cost models in
:mod:`aidc.economics.costs`.
"""

from aidc.economics.finance import annuity_factor, debt_service_krw, irr, npv, payback_y
from aidc.economics.montecarlo import MonteCarlo, monte_carlo
from aidc.economics.stage import Economics, Factors, evaluate

__all__ = ["Economics", "Factors", "MonteCarlo", "annuity_factor", "debt_service_krw", "evaluate", "irr",
           "monte_carlo", "npv", "payback_y"]
