"""Energy stage: hourly facility power, cooling, PUE, the electricity bill and carbon.

Entry point :func:`evaluate`; the model functions live in ``it_power``, ``electrical``,
``cooling``, ``tariff`` and ``carbon``, the hourly assembly in ``hourly``.
"""

from aidc.energy.stage import EnergyResult, evaluate

__all__ = ["EnergyResult", "evaluate"]
