"""Monthly demand per tenant class: an exponential growth model fitted to the observed months.

The model, per tenant class ``c`` and month ``t`` (0 = first month observed)::

    log(gpu_h[c, t]) = a_c + b_c * t + e[c, t],    e ~ Normal(0, sigma_c^2), independent

fitted by ordinary least squares (statsmodels ``OLS``). Its assumptions, to be read with
every forecast: demand grows (or shrinks) by a constant factor ``exp(b_c)`` per month; the
month-to-month scatter around that path is log-normal, of constant size, and not correlated
from one month to the next (no seasonality is modelled: with one or two years of records a
semester pattern cannot be told from noise, and it widens the interval instead); the classes
are forecast independently. Prediction intervals are those of the regression (Student t with
``n - 2`` degrees of freedom on the log scale, parameter uncertainty included); months with
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

MONTHS_PER_Y = 12  # definition


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
    _params: tuple[float, float]
    _cov: tuple[tuple[float, float], tuple[float, float]]
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
    t = month_index(list(np.asarray(months)[keep]), first).astype(float)
    y = np.log(gpu_h[keep])
    res = sm.OLS(y, sm.add_constant(t, has_constant="add")).fit()
    a, b = (float(v) for v in res.params)
    b_lo, b_hi = (float(v) for v in np.asarray(res.conf_int(alpha))[1])
    cov = np.asarray(res.cov_params(), dtype=float)
    return GrowthFit(
        tenant_class=tenant_class,
        first_month=first,
        log_gpu_h_0=a,
        growth_frac_per_month=float(np.expm1(b)),
        growth_frac_per_y=float(np.expm1(MONTHS_PER_Y * b)),
        growth_frac_per_y_lo=float(np.expm1(MONTHS_PER_Y * b_lo)),
        growth_frac_per_y_hi=float(np.expm1(MONTHS_PER_Y * b_hi)),
        sigma_log=float(np.sqrt(res.scale)),
        n_months=int(keep.sum()),
        alpha_frac=alpha,
        _params=(a, b),
        _cov=((cov[0, 0], cov[0, 1]), (cov[1, 0], cov[1, 1])),
        _df_resid=float(res.df_resid),
    )


def predictive(g: GrowthFit, t: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """Return the predictive location and scale of ``log(gpu_h)`` at months ``t``, and its t dof.

    ``log(gpu_h) ~ loc + scale * T(df)``: the regression's mean plus its standard error and
    the residual scatter.
    """
    t = np.asarray(t, dtype=float)
    a, b = g._params
    cov = np.asarray(g._cov)
    var_mean = cov[0, 0] + 2 * t * cov[0, 1] + t * t * cov[1, 1]
    return a + b * t, np.sqrt(var_mean + g.sigma_log**2), g._df_resid


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
    not_forecast: dict[str, str]


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
    fits, tables, checks, skipped = {}, [], [], {}
    for cls in wide.columns:
        y = wide[cls].to_numpy(dtype=float)
        if int((y > 0).sum()) < needed:
            skipped[str(cls)] = f"{int((y > 0).sum())} months with demand, fewer than {needed}"
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
