"""Route-optimised daily plans (SPEC §4, issue 18; docs/dispatch.md).

Pure Python with no Django import: ``from dispatch.routing import plan_routes`` works anywhere
the package's dependencies (PyVRP) are installed.
"""

from .checker import check_plan
from .greedy import plan_greedy
from .jsonio import InputError, plan_to_dict, problem_from_dict
from .model import DistanceRule, Engineer, Job, Plan, Problem
from .solomon import parse_solomon, read_solomon
from .solver import plan_routes

__all__ = [
    "DistanceRule",
    "Engineer",
    "InputError",
    "Job",
    "Plan",
    "Problem",
    "check_plan",
    "parse_solomon",
    "plan_greedy",
    "plan_routes",
    "plan_to_dict",
    "problem_from_dict",
    "read_solomon",
]
