"""``manage.py plan_routes`` end to end: files in, a checked plan out, clear errors for bad input."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from core.policies import set_policy
from dispatch.routing import check_plan, problem_from_dict
from dispatch.routing.generate import generate_day, problem_to_dict

ROOT = Path(__file__).resolve().parents[2]

DAY = {
    "name": "two engineers",
    "distance": {"kind": "euclidean"},
    "engineers": [
        {"id": "E1", "home": [0, 0], "shift": [0, 480], "skills": ["ac"], "capacity": 5},
        {"id": "E2", "home": [40, 0], "shift": [60, 480], "skills": ["tv"]},
    ],
    "jobs": [
        {"id": "J1", "location": [5, 0], "time_window": [30, 90], "duration": 30, "skills": ["ac"], "demand": 2},
        {"id": "J2", "location": [35, 5], "duration": 20, "skills": ["tv"]},
        {"id": "J3", "location": [10, 5], "duration": 15, "deadline": 200, "pin": {"engineer": "E2"}},
        {"id": "J4", "location": [1, 1], "skills": ["gas"]},
    ],
}


def write(tmp_path, data, name="day.json"):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def test_plans_a_day_and_writes_a_checked_plan(tmp_path, capsys):
    src, out = write(tmp_path, DAY), tmp_path / "plan.json"
    call_command("plan_routes", input=str(src), time_limit=0.5, output=str(out))
    plan = json.loads(out.read_text(encoding="utf-8"))
    assert check_plan(problem_from_dict(DAY), plan).ok
    routes = {r["engineer"]: [s["job"] for s in r["stops"]] for r in plan["routes"]}
    assert routes["E1"] == ["J1"]
    assert sorted(routes["E2"]) == ["J2", "J3"]
    assert plan["unassigned"] == [
        {"job": "J4", "reason": "no_skilled_engineer", "message": "No engineer has every skill the job requires."}
    ]
    assert (plan["solver"], plan["time_limit"], plan["name"]) == ("pyvrp", 0.5, "two engineers")
    said = capsys.readouterr().out
    assert "3 of 4 jobs planned on 2 routes" in said and "1 unassigned" in said


def test_plan_to_standard_output(tmp_path, capsys):
    call_command("plan_routes", input=str(write(tmp_path, DAY)), time_limit=0.3, greedy=True)
    captured = capsys.readouterr()
    plan = json.loads(captured.out)
    assert plan["solver"] == "greedy-ready"
    assert "feasibility check passed" in captured.err


def test_reads_solomon_instances(tmp_path):
    rows = "\n".join(f"{k:5d} {10 * k:5d} {5 * k:5d}   3     0   300   10" for k in range(1, 7))
    text = f"SIX\n\nVEHICLE\nNUMBER     CAPACITY\n  2        10\n\nCUSTOMER\n    0    0    0    0    0   400    0\n{rows}\n"
    src, out = write(tmp_path, text, "six.txt"), tmp_path / "plan.json"
    call_command("plan_routes", solomon=str(src), time_limit=0.5, output=str(out))
    plan = json.loads(out.read_text())
    assert plan["name"] == "SIX" and plan["jobs_assigned"] == 6
    assert [len(r["stops"]) for r in plan["routes"]] == [3, 3]  # vans of 10, demand 3 each


@pytest.mark.django_db
def test_time_limit_defaults_to_the_setting(tmp_path):
    set_policy("dispatch.route_time_limit", 1)
    out = tmp_path / "plan.json"
    call_command("plan_routes", input=str(write(tmp_path, DAY)), output=str(out))
    assert json.loads(out.read_text())["time_limit"] == 1.0


@pytest.mark.parametrize(
    "content, expected",
    [
        pytest.param('{"engineers": ', "not JSON: Expecting value at line 1, column 15", id="json"),
        pytest.param(b"\xff\xfe\x00", "not UTF-8 text", id="encoding"),
        pytest.param(
            {"engineers": [{"id": "E1", "home": [0, 0]}], "jobs": [{"id": "J", "location": [0, 0], "demand": -2}]},
            "2 error(s)\n  engineers[0].shift: required (a list of two numbers)\n  jobs[0].demand: must be at least 0",
            id="fields",
        ),
    ],
)
def test_bad_input_is_a_clear_error(tmp_path, content, expected):
    path = tmp_path / "day.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        write(tmp_path, content)
    with pytest.raises(CommandError) as exc:
        call_command("plan_routes", input=str(path), time_limit=0.3)
    assert expected in str(exc.value)


def test_missing_file_and_bad_limits(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command("plan_routes", input=str(tmp_path / "none.json"), time_limit=1)
    with pytest.raises(CommandError, match="--time-limit must be more than 0"):
        call_command("plan_routes", input=str(write(tmp_path, DAY)), time_limit=0)


def test_the_command_line_exits_1_with_a_message_and_no_traceback(tmp_path):
    bad = write(tmp_path, {"engineers": [], "jobs": []})
    run = subprocess.run(
        [sys.executable, "manage.py", "plan_routes", "--input", str(bad), "--time-limit", "1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 1
    assert "engineers: required (a non-empty list)" in run.stderr
    assert "Traceback" not in run.stderr


def test_a_generated_day_round_trips_through_the_command(tmp_path):
    prob = generate_day(25, 4, seed=11)
    src, out = write(tmp_path, problem_to_dict(prob)), tmp_path / "plan.json"
    call_command("plan_routes", input=str(src), time_limit=0.5, output=str(out))
    plan = json.loads(out.read_text())
    assert check_plan(prob, plan).ok
    assert plan["units"] == {"distance": "km", "time": "minutes"}
    assert plan["jobs_assigned"] + plan["jobs_unassigned"] == 25
