"""Design stage: demand and scenario -> fleet, racks, floors, power chain, cooling, network, checks."""
