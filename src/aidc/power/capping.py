"""GPU power capping: what a power limit saves in power and costs in speed, from a measured curve.

A job whose GPUs get a power limit draws less and runs slower. Both come from one measured
curve of time per epoch and mean GPU power against the power limit (Zeus, NSDI 2023, see
``data/power/README.md``). The levels offered run from the TDP down to the limit of least
energy per unit of work: below it a cap costs time and energy both.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import numpy.typing as npt
import pandas as pd

from aidc import data
from aidc.errors import InputError

Array = npt.NDArray[np.float64]


def cap_levels(
    power_limit_w: npt.ArrayLike, time_per_epoch_s: npt.ArrayLike, average_power_w: npt.ArrayLike
) -> tuple[Array, Array]:
    """Power and throughput of each useful power limit, as shares of the uncapped GPU's.

    Parameters
    ----------
    power_limit_w, time_per_epoch_s, average_power_w : array
        The measured curve: power limit, time of one unit of work, mean GPU power. [W], [s], [W]

    Returns
    -------
    power_frac, throughput_frac : array
        From the mildest limit below the largest one to the limit of least energy per unit of
        work (``average_power * time``), mildest first. [-]

    Examples
    --------
    At 300 W the work takes 100 s at 250 W; at 200 W, 110 s at 180 W (least energy); at
    100 W, 400 s at 100 W (more energy: not offered).

    >>> p, t = cap_levels([100, 200, 300], [400.0, 110.0, 100.0], [100.0, 180.0, 250.0])
    >>> p.tolist(), [round(x, 4) for x in t.tolist()]
    ([0.72], [0.9091])
    """
    limit = np.asarray(power_limit_w, float)
    order = np.argsort(-limit)
    t = np.asarray(time_per_epoch_s, float)[order]
    p = np.asarray(average_power_w, float)[order]
    least_energy = int(np.argmin(p * t))
    return p[1 : least_energy + 1] / p[0], t[0] / t[1 : least_energy + 1]


@cache
def default_levels(curve: str | None = None) -> tuple[Array, Array]:
    """Return :func:`cap_levels` of a shipped curve (``power.gpu_cap_curve``)."""
    name = curve or str(data.value("power.gpu_cap_curve"))
    file = data.path("power") / f"power_cap_{name}.csv"
    if not file.is_file():
        raise InputError.single(
            "no GPU power-cap curve of this name", field="power.gpu_cap_curve", found=name,
            expected="a curve shipped in data/power (zeus_a40_bert)",
        )
    df = pd.read_csv(file)
    return cap_levels(df["power_limit_w"], df["time_per_epoch_s"], df["average_power_w"])
