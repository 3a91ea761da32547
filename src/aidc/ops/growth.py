"""Monthly demand per tenant class: an exponential growth model fitted to the observed months.

The model, per tenant class ``c`` and month ``t`` (0 = first month observed)::

    log(gpu_h[c, t]) = a_c + b_c * t + s_c[month of year] + e[c, t],    e ~ Normal(0, sigma_c^2)

fitted by ordinary least squares (statsmodels ``OLS``). Its assumptions, to be read with
every forecast: demand grows (or shrinks) by a constant factor ``exp(b_c)`` per month; with
two years of records or more (``ops.forecast_seasonal_min_months``) each calendar month has an
effect ``s_c`` of its own that repeats every year (semesters, budget years, runs planned at the
start of a year), with less the season is not modelled and widens the interval instead; the
scatter around that path is log-normal, of constant size, and not correlated from one month
to the next; the classes are forecast independently. Prediction intervals are those of the
regression (Student t with ``n - p`` degrees of freedom on the log scale, ``p`` parameters,
their uncertainty included); months with
no GPU-hours are left out of the fit (the logarithm needs demand).

The method is checked on held-out months: fitted without the last ``ops.forecast_holdout_months``,
it predicts them, and the share that falls inside the interval and the median's error are
reported.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

from aidc import data
from aidc.errors import Note
from aidc.units import MONTHS_PER_YEAR


@dataclass(frozen=True, slots=True)
class GrowthFit:
    """The fitted growth of one tenant class.

    Attributes
    ----------
    tenant_class : str
    first_month : str
        Month of ``t = 0`` (``YYYY-MM``).
    log_gpu_h_0 : float
        Fitted ``a``: log of the GPU-hours of month 0. [log GPU·h]
    growth_frac_per_month : float
        ``exp(b) - 1``. [1/month]
    growth_frac_per_y : float
        ``exp(12 b) - 1``. [1/y]
    growth_frac_per_y_lo, growth_frac_per_y_hi : float
        Its confidence interval at ``1 - alpha``. [1/y]
    sigma_log : float
        Residual standard deviation of ``log(gpu_h)``. [-]
    n_months : int
        Months with demand used in the fit.
    seasonal : bool
        Whether month-of-year effects were fitted (``ops.forecast_seasonal_min_months`` or more).
    """

    tenant_class: str
    first_month: str
    log_gpu_h_0: float
    growth_frac_per_month: float
    growth_frac_per_y: float
    growth_frac_per_y_lo: float
    growth_frac_per_y_hi: float
    sigma_log: float
    n_months: int
    alpha_frac: float
    seasonal: bool
    _params: tuple[float, ...]
    _cov: tuple[tuple[float, ...], ...]
    _df_resid: float


def min_months() -> int:
    """Return the fewest months with demand a series needs to be fitted (``ops.forecast_min_months``)."""
    return int(data.value("ops.forecast_min_months"))


def month_index(months: pd.Series | list[str], first_month: str) -> np.ndarray:
    """Return months (``YYYY-MM``) as whole months after ``first_month``.

    Examples
    --------
    >>> month_index(["2028-01", "2029-03"], "2028-01").tolist()
    [0, 14]
    """
    p0 = pd.Period(first_month, freq="M")
    return np.array([(pd.Period(m, freq="M") - p0).n for m in months], dtype=np.int64)


def fit(
    tenant_class: str, months: list[str], gpu_h: np.ndarray, alpha_frac: float | None = None
) -> GrowthFit:
    """Fit the growth model to one class's monthly GPU-hours (months with 0 are left out).

    Examples
    --------
    Demand doubling every year exactly, from 100 GPU-h:

    >>> months = [str(pd.Period("2028-01", freq="M") + i) for i in range(12)]
    >>> f = fit("u", months, 100.0 * 2.0 ** (np.arange(12) / 12))
    >>> round(f.growth_frac_per_y, 6), round(float(np.exp(f.log_gpu_h_0)), 6)
    (1.0, 100.0)
    """
    alpha = float(data.value("ops.forecast_alpha_frac")) if alpha_frac is None else alpha_frac
    gpu_h = np.asarray(gpu_h, dtype=float)
    keep = gpu_h > 0
    first = str(months[0])
    t = month_index(list(np.asarray(months)[keep]), first)
    seasonal = int(keep.sum()) >= int(data.value("ops.forecast_seasonal_min_months"))
    res = sm.OLS(np.log(gpu_h[keep]), design(t, seasonal)).fit()
    params = np.asarray(res.params, dtype=float)
    b_lo, b_hi = (float(v) for v in np.asarray(res.conf_int(alpha))[1])
    cov = np.asarray(res.cov_params(), dtype=float)
    return GrowthFit(
        tenant_class=tenant_class, first_month=first, log_gpu_h_0=float(params[0]),
        growth_frac_per_month=float(np.expm1(params[1])),
        growth_frac_per_y=float(np.expm1(MONTHS_PER_YEAR * params[1])),
        growth_frac_per_y_lo=float(np.expm1(MONTHS_PER_YEAR * b_lo)),
        growth_frac_per_y_hi=float(np.expm1(MONTHS_PER_YEAR * b_hi)),
        sigma_log=float(np.sqrt(res.scale)), n_months=int(keep.sum()), alpha_frac=alpha, seasonal=seasonal,
        _params=tuple(float(v) for v in params), _cov=tuple(tuple(float(v) for v in row) for row in cov),
        _df_resid=float(res.df_resid),
    )


def design(t: np.ndarray, seasonal: bool) -> np.ndarray:
    """Return the regressors: constant, month index and, if seasonal, 11 month-of-year indicators.

    Examples
    --------
    >>> design(np.array([0, 1, 12]), True)[:, [0, 1, 2]].tolist()
    [[1.0, 0.0, 0.0], [1.0, 1.0, 1.0], [1.0, 12.0, 0.0]]
    """
    t = np.asarray(t, dtype=float)
    columns = [np.ones_like(t), t]
    if seasonal:
        season = np.mod(t, MONTHS_PER_YEAR)
        columns += [(season == k).astype(float) for k in range(1, MONTHS_PER_YEAR)]
    return np.column_stack(columns)


def predictive(g: GrowthFit, t: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """Return the predictive location and scale of ``log(gpu_h)`` at months ``t``, and its t dof.

    ``log(gpu_h) ~ loc + scale * T(df)``: the regression's mean plus its standard error and
    the residual scatter.
    """
    x = design(np.asarray(t), g.seasonal)
    cov = np.asarray(g._cov)
    var_mean = np.einsum("ij,jk,ik->i", x, cov, x)
    return x @ np.asarray(g._params), np.sqrt(var_mean + g.sigma_log**2), g._df_resid


def predict(g: GrowthFit, months: list[str]) -> pd.DataFrame:
    """Return the forecast for ``months``: median and the ``1 - alpha`` prediction interval [GPU·h]."""
    loc, scale, df = predictive(g, month_index(months, g.first_month))
    q = stats.t.ppf(1 - g.alpha_frac / 2, df)
    return pd.DataFrame(
        {
            "month": list(months),
            "tenant_class": g.tenant_class,
            "gpu_h_median": np.exp(loc),
            "gpu_h_lo": np.exp(loc - q * scale),
            "gpu_h_hi": np.exp(loc + q * scale),
            "log_loc": loc,
            "log_scale": scale,
            "df": df,
        }
    )


def months_after(last_month: str, n: int) -> list[str]:
    """Return the ``n`` months after ``last_month``.

    Examples
    --------
    >>> months_after("2028-11", 3)
    ['2028-12', '2029-01', '2029-02']
    """
    p = pd.Period(last_month, freq="M")
    return [str(p + i) for i in range(1, n + 1)]


@dataclass(frozen=True, slots=True)
class Forecast:
    """Fits per class, the forecast table, the held-out check, and classes not forecast (why)."""

    fits: dict[str, GrowthFit]
    table: pd.DataFrame
    holdout: pd.DataFrame
    observed: pd.DataFrame
    not_forecast: dict[str, Note]


def _series(monthly: pd.DataFrame) -> pd.DataFrame:
    """Pivot to month x class GPU-hours, with every month of the record (0 where none)."""
    wide = monthly.pivot_table(
        index="month", columns="tenant_class", values="gpu_h", aggfunc="sum", fill_value=0.0
    )
    first, last = pd.Period(wide.index.min(), freq="M"), pd.Period(wide.index.max(), freq="M")
    months = [str(p) for p in pd.period_range(first, last, freq="M")]
    return wide.reindex(months, fill_value=0.0)


def _holdout(cls: str, months: list[str], y: np.ndarray, k: int, min_months: int) -> dict[str, object] | None:
    if int((y[:-k] > 0).sum()) < min_months:
        return None
    g = fit(cls, months[:-k], y[:-k])
    pred = predict(g, months[-k:])
    inside = (y[-k:] >= pred["gpu_h_lo"]) & (y[-k:] <= pred["gpu_h_hi"])
    err = np.abs(pred["gpu_h_median"].to_numpy() - y[-k:]) / np.where(y[-k:] > 0, y[-k:], np.nan)
    return {
        "tenant_class": cls,
        "n_months_held_out": k,
        "coverage_frac": float(inside.mean()),
        "expected_coverage_frac": 1 - g.alpha_frac,
        "mape_frac": float(np.nanmean(err)),
    }


def forecast(monthly: pd.DataFrame, n_months_ahead: int) -> Forecast:
    """Fit every class's growth to the observed monthly GPU-hours and forecast ``n_months_ahead``.

    Parameters
    ----------
    monthly : pandas.DataFrame
        :func:`aidc.ops.store.monthly` (``month, tenant_class, gpu_h``).
    n_months_ahead : int
        Months to forecast after the last one observed.
    """
    wide = _series(monthly)
    months = list(wide.index)
    ahead = months_after(months[-1], n_months_ahead)
    needed = min_months()
    k = int(data.value("ops.forecast_holdout_months"))
    fits, tables, checks = {}, [], []
    skipped: dict[str, Note] = {}
    for cls in wide.columns:
        y = wide[cls].to_numpy(dtype=float)
        if int((y > 0).sum()) < needed:
            skipped[str(cls)] = Note("{n} months with demand, fewer than {needed}", n=int((y > 0).sum()),
                                     needed=needed)
            continue
        fits[str(cls)] = g = fit(str(cls), months, y)
        tables.append(predict(g, ahead))
        check = _holdout(str(cls), months, y, k, needed) if len(y) > k else None
        if check:
            checks.append(check)
    observed = wide.reset_index().melt(id_vars="month", var_name="tenant_class", value_name="gpu_h")
    return Forecast(
        fits=fits,
        table=pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(),
        holdout=pd.DataFrame(checks),
        observed=observed,
        not_forecast=skipped,
    )
