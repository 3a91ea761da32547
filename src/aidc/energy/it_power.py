"""IT power: servers on a linear idle-to-busy power curve, plus network gear."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from aidc.units import W_PER_KW

ArrayLike = float | npt.ArrayLike


def server_power_w(
    busy_frac: ArrayLike, power_max_w: ArrayLike, power_idle_frac: ArrayLike, power_typical_frac: ArrayLike
) -> npt.NDArray[np.float64] | float:
    """Power of one server on the linear model between idle and typical busy draw.

    ``P(u) = P_idle + (P_busy - P_idle) * u`` with ``P_idle = power_idle_frac * power_max_w`` and
    ``P_busy = power_typical_frac * power_max_w``: a fully busy server draws its typical
    busy power, not its nameplate maximum (AI training nodes average 0.76 of nameplate).

    Parameters
    ----------
    busy_frac : float or array
        Share of the time (or of the GPUs) busy, clipped to 0..1. [-]
    power_max_w : float or array
        Nameplate maximum system power. [W]
    power_idle_frac, power_typical_frac : float or array
        Idle and typical busy draw as fractions of ``power_max_w``. [-]

    Returns
    -------
    float or array
        Server power. [W]

    References
    ----------
    Fan, Weber & Barroso, "Power Provisioning for a Warehouse-sized Computer", ISCA 2007,
    doi:10.1145/1250662.1250665 (facts pm.linear_model).

    Examples
    --------
    >>> server_power_w(0.5, 800.0, 0.5, 0.75)
    500.0
    """
    u = np.clip(busy_frac, 0.0, 1.0)
    idle = np.multiply(power_idle_frac, power_max_w)
    busy = np.multiply(power_typical_frac, power_max_w)
    out = idle + (busy - idle) * u
    return float(out) if np.ndim(out) == 0 else out


def fleet_power_kw(
    n_servers: npt.ArrayLike,
    busy_frac: npt.ArrayLike,
    power_max_w: npt.ArrayLike,
    power_idle_frac: npt.ArrayLike,
    power_typical_frac: npt.ArrayLike,
) -> npt.NDArray[np.float64]:
    """Hourly power of each server type: rows are types, columns hours.

    Parameters
    ----------
    n_servers, power_max_w, power_idle_frac, power_typical_frac : array (n_types,)
        Count and power curve of each type. [-, W, -, -]
    busy_frac : array (n_types, n_hours)
        Busy share of each type in each hour. [-]

    Returns
    -------
    array (n_types, n_hours)
        Power drawn by all servers of the type. [kW]

    Examples
    --------
    >>> fleet_power_kw([10], [[0.0, 1.0]], [800.0], [0.5], [0.75]).tolist()
    [[4.0, 6.0]]
    """
    col = lambda a: np.asarray(a, dtype=float)[:, None]  # noqa: E731
    per_server_w = server_power_w(
        np.asarray(busy_frac, dtype=float), col(power_max_w), col(power_idle_frac), col(power_typical_frac)
    )
    return col(n_servers) * np.asarray(per_server_w) / W_PER_KW
