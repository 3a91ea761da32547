"""Plan stage: when to build what (phases), found by mixed-integer optimisation."""
