"""Plan a day's routes from a file (docs/dispatch.md, "Route-optimised daily plans").

    manage.py plan_routes --input DAY.json --time-limit 10 --output PLAN.json
    manage.py plan_routes --solomon R101.txt --time-limit 10 --output PLAN.json
    manage.py plan_routes --input DAY.json --greedy            # the nearest-first baseline only

The time limit defaults to the ``dispatch.route_time_limit`` setting. Without ``--output`` the
plan is written to standard output. Every plan is checked by the independent feasibility
checker before it is written; bad input exits with status 1 and a message naming each fault.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from core.policies import DEFAULTS, get_policy
from dispatch.routing import InputError, check_plan, plan_greedy, plan_routes, plan_to_dict, problem_from_dict
from dispatch.routing.solomon import read_solomon

MAX_TIME_LIMIT = 3600.0


def _default_time_limit() -> float:
    try:
        return float(get_policy("dispatch.route_time_limit"))
    except (DatabaseError, TypeError, ValueError):
        return float(DEFAULTS["dispatch.route_time_limit"])


class Command(BaseCommand):
    help = "Plan engineers' routes for a day from a JSON problem or a Solomon VRPTW instance."

    def add_arguments(self, parser):
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("--input", help="A problem in the JSON format of docs/dispatch.md.")
        source.add_argument("--solomon", help="An instance in Solomon's VRPTW text format.")
        parser.add_argument("--time-limit", type=float, default=None, help="Seconds (default: the setting).")
        parser.add_argument("--output", default="-", help="Where to write the plan (default: standard output).")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--greedy", action="store_true", help="Only the greedy nearest-first plan.")

    def handle(self, *args, input=None, solomon=None, time_limit=None, output="-", seed=1, greedy=False, **options):
        limit = _default_time_limit() if time_limit is None else time_limit
        if not 0 < limit <= MAX_TIME_LIMIT:
            raise CommandError(f"--time-limit must be more than 0 and at most {MAX_TIME_LIMIT:g} seconds")
        path = Path(input or solomon)
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        try:
            if solomon:
                problem = read_solomon(path)
            else:
                try:
                    data = json.loads(path.read_text(encoding="utf-8-sig"))
                except UnicodeDecodeError as exc:
                    raise CommandError(f"{path}: not UTF-8 text ({exc.reason})") from exc
                except json.JSONDecodeError as exc:
                    raise CommandError(f"{path}: not JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from exc
                problem = problem_from_dict(data)
        except InputError as exc:
            raise CommandError(f"{path}: {len(exc.errors)} error(s)\n  " + "\n  ".join(exc.errors)) from exc

        plan = plan_greedy(problem) if greedy else plan_routes(problem, time_limit=limit, seed=seed)
        document = plan_to_dict(plan, problem)
        check = check_plan(problem, document)
        if not check.ok:
            raise CommandError("the plan failed the feasibility check:\n  " + "\n  ".join(check.violations[:20]))
        text = json.dumps(document, ensure_ascii=False, indent=1) + "\n"
        if output == "-":
            self.stdout.write(text, ending="")
        else:
            try:
                Path(output).write_text(text, encoding="utf-8")
            except OSError as exc:
                raise CommandError(f"cannot write {output}: {exc.strerror}") from exc
        units = document["units"]["distance"]
        n_routes = sum(1 for r in document["routes"] if r["stops"])
        summary = (
            f"{document['jobs_assigned']} of {len(problem.jobs)} jobs planned on "
            f"{n_routes} route{'s' if n_routes != 1 else ''}; distance {document['total_distance']:g} "
            f"({units}); {document['solver']}, {plan.elapsed:.1f} s; feasibility check passed"
        )
        if document["jobs_unassigned"]:
            summary += f'; {document["jobs_unassigned"]} unassigned (see "unassigned")'
        # The summary goes to stderr when the plan itself goes to stdout.
        if output == "-":
            self.stderr.write(summary, style_func=str)
        else:
            self.stdout.write(summary)
