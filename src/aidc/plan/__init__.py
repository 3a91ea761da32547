"""Plan stage: when to build what (phases), found by mixed-integer optimisation.

``optimize(scenario, design, demand) -> Plan`` assembles a :class:`PlanProblem` (plain arrays),
builds the MILP one constraint family at a time (:mod:`aidc.plan.model`), solves it with HiGHS
and reads the schedule back (:mod:`aidc.plan.solution`).
"""

from aidc.plan.problem import PlanProblem
from aidc.plan.solution import Plan, solve_problem
from aidc.plan.stage import optimize, problem_from_scenario

__all__ = ["Plan", "PlanProblem", "optimize", "problem_from_scenario", "solve_problem"]
