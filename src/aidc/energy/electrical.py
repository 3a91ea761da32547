"""Power-chain losses: UPS (load- and redundancy-dependent), transformers, distribution."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

ArrayLike = float | npt.ArrayLike


def ups_installed_kw(design_load_kw: float, redundancy: str, module_kw: float) -> float:
    """Installed UPS capacity for a design load under a redundancy scheme.

    ``n = ceil(load / module)`` modules carry the load; N+1 adds one module, 2N doubles the
    system (two independent paths, each able to carry the whole load), so each 2N path
    runs at no more than half load.

    Parameters
    ----------
    design_load_kw : float
        IT load the UPS must carry. [kW]
    redundancy : {"N", "N+1", "2N"}
        Redundancy scheme.
    module_kw : float
        Size of one UPS module. [kW]

    Returns
    -------
    float
        Installed UPS capacity. [kW]

    Examples
    --------
    >>> ups_installed_kw(1200.0, "N", 500.0), ups_installed_kw(1200.0, "N+1", 500.0)
    (1500.0, 2000.0)
    >>> ups_installed_kw(1200.0, "2N", 500.0)
    3000.0
    """
    n = max(1, math.ceil(design_load_kw / module_kw - 1e-9))
    modules = {"N": n, "N+1": n + 1, "2N": 2 * n}
    if redundancy not in modules:
        raise ValueError(f"unknown redundancy {redundancy!r}; expected N, N+1 or 2N")
    return modules[redundancy] * module_kw


def ups_loss_kw(
    load_kw: ArrayLike, installed_kw: float, noload_frac: float, proportional_frac: float, square_frac: float
) -> npt.NDArray[np.float64] | float:
    """UPS losses with a no-load, a proportional and a resistive (square-law) term.

    ``loss = C * (a + b x + c x^2)`` with ``x = load / C`` the load fraction of the installed
    capacity ``C``. Since ``dloss/dC = a - c x^2 >= 0`` whenever ``c <= a`` and ``x <= 1``, more
    installed capacity (N+1, 2N) never lowers the loss.

    Parameters
    ----------
    load_kw : float or array
        Power delivered by the UPS. [kW]
    installed_kw : float
        Installed capacity sharing the load. [kW]
    noload_frac, proportional_frac, square_frac : float
        ``a, b, c`` of the loss model. [-]

    Returns
    -------
    float or array
        Loss. [kW]

    References
    ----------
    Rasmussen, N., "Electrical Efficiency Modeling of Data Centers", APC White Paper 113.

    Examples
    --------
    >>> round(ups_loss_kw(500.0, 1000.0, 0.006, 0.018, 0.006), 6)
    16.5
    """
    x = np.clip(np.divide(load_kw, installed_kw), 0.0, 1.0)
    out = installed_kw * (noload_frac + proportional_frac * x + square_frac * x**2)
    return float(out) if np.ndim(out) == 0 else out


def ups_efficiency_frac(
    load_frac: ArrayLike, noload_frac: float, proportional_frac: float, square_frac: float
) -> npt.NDArray[np.float64] | float:
    """UPS efficiency (output / input) at a load fraction of its capacity.

    Examples
    --------
    >>> round(ups_efficiency_frac(1.0, 0.006, 0.018, 0.006), 4)
    0.9709
    """
    x = np.asarray(load_frac, dtype=float)
    loss = ups_loss_kw(x, 1.0, noload_frac, proportional_frac, square_frac)
    out = x / (x + loss)
    return float(out) if np.ndim(out) == 0 else out


def transformer_loss_kw(
    load_kw: ArrayLike, rated_kw: float, noload_frac: float, load_loss_frac: float
) -> npt.NDArray[np.float64] | float:
    """Return transformer losses: core loss (constant) plus copper loss (square of load fraction).

    Parameters
    ----------
    load_kw : float or array
        Power delivered by the transformers. [kW]
    rated_kw : float
        Installed transformer rating sharing the load. [kW]
    noload_frac, load_loss_frac : float
        Core loss and full-load copper loss as fractions of rating. [-]

    Returns
    -------
    float or array
        Loss. [kW]

    Examples
    --------
    >>> round(transformer_loss_kw(350.0, 1000.0, 0.00127, 0.01037), 4)
    2.5403
    """
    x = np.divide(load_kw, rated_kw)
    out = rated_kw * (noload_frac + load_loss_frac * np.square(x))
    return float(out) if np.ndim(out) == 0 else out


def distribution_loss_kw(load_kw: ArrayLike, loss_frac: float) -> npt.NDArray[np.float64] | float:
    """PDU and cabling losses, a fixed fraction of the load carried [kW].

    Examples
    --------
    >>> distribution_loss_kw(1000.0, 0.01)
    10.0
    """
    out = np.multiply(load_kw, loss_frac)
    return float(out) if np.ndim(out) == 0 else out
