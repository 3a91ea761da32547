"""Cooling at design conditions: heat to reject, plant power, equipment counts, design PUE.

Heat paths:

* the liquid-captured share of IT heat in direct-liquid halls goes to a warm-water loop
  that cooling towers reject without chillers;
* everything else (air-side IT heat, hall fan and pump heat, PDU and UPS losses, lighting
  and offices) goes through chillers at COP ``cop``; the towers then reject the chiller
  load plus the compressor power.

Cooling power = compressors + hall fans/pumps + plant pumps and tower fans.
"""

from __future__ import annotations


def liquid_heat_kw(it_power_kw, liquid_capture_frac):
    """Return the IT heat taken into the warm-water loop (no chiller) [kW].

    Examples
    --------
    >>> liquid_heat_kw(1000.0, 0.75)
    750.0
    """
    return it_power_kw * liquid_capture_frac


def room_fan_power_kw(it_power_kw, room_fan_frac):
    """Hall fan and pump power (CRAH fans, rear-door fans, CDU pumps) [kW].

    Examples
    --------
    >>> room_fan_power_kw(1000.0, 0.06)
    60.0
    """
    return it_power_kw * room_fan_frac


def compressor_power_kw(chiller_load_kw, cop):
    """Chiller compressor power for a chiller load at a coefficient of performance [kW].

    References
    ----------
    DOE-2 reference centrifugal chiller, COP 5.5 (facts.yaml chiller.doe2_reference).

    Examples
    --------
    >>> compressor_power_kw(5500.0, 5.5)
    1000.0
    """
    return chiller_load_kw / cop


def tower_heat_kw(chiller_load_kw, compressor_power_kw, liquid_heat_kw):
    """Heat the cooling towers reject: chiller load + compressor work + warm-water loop [kW].

    Examples
    --------
    >>> tower_heat_kw(5500.0, 1000.0, 750.0)
    7250.0
    """
    return chiller_load_kw + compressor_power_kw + liquid_heat_kw


def plant_aux_power_kw(heat_rejected_kw, plant_aux_frac):
    """Chilled/condenser-water pumps and tower fans [kW].

    Examples
    --------
    >>> plant_aux_power_kw(7250.0, 0.05)
    362.5
    """
    return heat_rejected_kw * plant_aux_frac


def pue(facility_power_kw, it_power_kw):
    """Power usage effectiveness: facility power / IT power [-].

    Examples
    --------
    >>> pue(10400.0, 8000.0)
    1.3
    """
    return facility_power_kw / it_power_kw
