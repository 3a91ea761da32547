"""What the fleet sells, line by line, priced from public price lists (``data/costs/prices.yaml``).

GPU-hours are sold by GPU model, each at its own list price; the CPU servers' capacity is sold
partly as vCPU-hours and partly as whole servers by the month
(``server_month_share_frac``); storage nodes sell TB-months. The demand and the simulation are
counted in H100-equivalent GPU-hours, so the GPU-hours sold in a year are shared among the
models in proportion to their H100-equivalent capacity installed that year and turned back into
each model's own GPU-hours.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from aidc.data import load_yaml
from aidc.errors import InputError
from aidc.units import H_PER_YEAR

FILE = "costs/prices.yaml"
#: Revenue lines other than GPU-hours, in the order shown.
CPU_LINES = ("vcpu_h", "server_month", "storage_tb_month")
MONTHS_PER_YEAR = 12


def price_list() -> dict[str, Any]:
    """Return the price records of ``data/costs/prices.yaml``."""
    raw: dict[str, Any] = load_yaml(FILE)
    return raw


def gpu_price_usd_per_h(gpu_model: str) -> float:
    """Return the list price of one GPU-hour of ``gpu_model`` [USD/GPU-h]."""
    records = price_list()["gpu_hour"]
    if gpu_model not in records:
        raise InputError.single("no list price for this GPU model", file=FILE, field="gpu_hour",
                                found=gpu_model, expected=f"one of {', '.join(sorted(records))}")
    return float(records[gpu_model]["value"])


def server_month_price_usd(n_vcpus: float | np.ndarray) -> np.ndarray:
    """Return the list price of a server-month of a server with ``n_vcpus`` [USD/server-month].

    The price list's server-month is for ``reference_vcpus``; other sizes pay in proportion.

    Examples
    --------
    >>> rec = price_list()["server_month"]
    >>> float(server_month_price_usd(rec["reference_vcpus"] / 2)) == rec["value"] / 2
    True
    """
    rec = price_list()["server_month"]
    return np.asarray(n_vcpus, dtype=float) * float(rec["value"]) / float(rec["reference_vcpus"])


def vcpu_h_price_usd() -> float:
    """Return the list price of a vCPU-hour sold either way, weighted by ``server_month_share_frac``.

    A server-month of ``reference_vcpus`` over its vCPU-hours in a month (8,760 h / 12).
    """
    raw = price_list()
    month_frac = float(raw["server_month_share_frac"]["value"])
    per_vcpu_h = float(server_month_price_usd(1.0)) / (H_PER_YEAR / MONTHS_PER_YEAR)
    return (1 - month_frac) * float(raw["vcpu_hour"]["value"]) + month_frac * per_vcpu_h


def gpu_line_shares(fleet: np.ndarray, gpus_h100_eq: np.ndarray, models: tuple[str | None, ...]
                    ) -> dict[str, np.ndarray]:
    """Return, by GPU model, its share of each year's installed H100-equivalent GPU capacity [-].

    ``fleet`` is servers by year (rows) and type (columns); ``gpus_h100_eq`` the H100-equivalents
    of one server of each type; ``models`` its GPU model (None: no GPU). Years without GPUs have
    all shares 0.

    Examples
    --------
    >>> s = gpu_line_shares(np.array([[1.0, 2.0]]), np.array([8.0, 4.0]), ("a", "b"))
    >>> float(s["a"][0]), float(s["b"][0])
    (0.5, 0.5)
    """
    total = fleet @ gpus_h100_eq
    out: dict[str, np.ndarray] = {}
    for j, model in enumerate(models):
        if model is None or gpus_h100_eq[j] <= 0:
            continue
        mine = fleet[:, j] * gpus_h100_eq[j]
        share = np.divide(mine, total, out=np.zeros_like(total), where=total > 0)
        out[model] = out.get(model, np.zeros_like(total)) + share
    return out


def revenue_lines(
    years: np.ndarray, gpu_eq_h_net: np.ndarray, gpu_eq_h: np.ndarray, vcpu_h_net: np.ndarray,
    vcpu_h: np.ndarray, shares: dict[str, np.ndarray], h100_eq_per_gpu: dict[str, float],
    vcpus_per_cpu_server: np.ndarray, storage_tb_months: np.ndarray, krw_per_usd: float,
    gpu_price_factor: np.ndarray | None = None,
) -> dict[str, Any]:
    """Return what is sold by year and line, and its revenue [KRW], as columns.

    ``*_net`` are the hours sold weighted by ``1 - discount`` of the class that bought them, so
    a line's revenue is ``net quantity x list price``; quantities are the hours (or months)
    sold. Lines: ``gpu_h:<model>`` (GPU-hours of that model), ``vcpu_h``, ``server_month``,
    ``storage_tb_month`` (no discount). ``gpu_price_factor`` multiplies the GPU lines' list
    prices year by year (the GPU-hour price path; None: the list prices every year).

    Returns
    -------
    dict of columns ``year, line, quantity, unit, price_krw, revenue_krw``.
    """
    prices = price_list()
    rows: list[tuple[int, str, float, str, float, float]] = []

    def add(line: str, qty: np.ndarray, net: np.ndarray, unit: str, price_usd: float | np.ndarray) -> None:
        price_krw = np.broadcast_to(np.asarray(price_usd, dtype=float) * krw_per_usd, years.shape)
        rows.extend((int(y), line, float(q), unit, float(p), float(n) * float(p))
                    for y, q, n, p in zip(years, qty, net, price_krw, strict=True))

    path = np.ones(years.shape) if gpu_price_factor is None else np.asarray(gpu_price_factor, dtype=float)
    for model, share in shares.items():
        per_gpu = h100_eq_per_gpu[model]
        add(f"gpu_h:{model}", gpu_eq_h * share / per_gpu, gpu_eq_h_net * share / per_gpu, "GPU-h",
            gpu_price_usd_per_h(model) * path)
    month_frac = float(prices["server_month_share_frac"]["value"])
    add("vcpu_h", vcpu_h * (1 - month_frac), vcpu_h_net * (1 - month_frac), "vCPU-h",
        float(prices["vcpu_hour"]["value"]))
    vcpu_h_per_month = vcpus_per_cpu_server * (H_PER_YEAR / MONTHS_PER_YEAR)
    per_month = np.divide(month_frac, vcpu_h_per_month, out=np.zeros_like(vcpu_h_per_month),
                          where=vcpu_h_per_month > 0)
    add("server_month", vcpu_h * per_month, vcpu_h_net * per_month, "server-month",
        server_month_price_usd(vcpus_per_cpu_server))
    add("storage_tb_month", storage_tb_months, storage_tb_months, "TB-month",
        float(prices["storage_tb_month"]["value"]))
    cols = list(zip(*rows, strict=True)) if rows else [()] * 6
    names = ("year", "line", "quantity", "unit", "price_krw", "revenue_krw")
    return {n: np.asarray(c) if n in ("year", "quantity", "price_krw", "revenue_krw") else list(c)
            for n, c in zip(names, cols, strict=True)}
