"""The independent feasibility checker: a correct plan passes, each broken rule is caught."""

import copy

import pytest

from dispatch.routing.checker import check_plan

from .routing_cases import eng, job, problem

PROBLEM = problem(
    [eng("A", home=(0, 0), shift=(0, 100), skills={"ac"}, capacity=3), eng("B", home=(10, 0), shift=(0, 100))],
    [
        job("J1", (3, 4), window=(10, 20), duration=5, skills={"ac"}, demand=2),
        job("J2", (6, 8), window=(0, 60), duration=5, demand=1, deadline=40),
        job("J3", (10, 5), duration=1, pin_engineer="B", pin_sequence=1),
    ],
)

# A: home → J1 (5 away, waits until 10) → J2 (5 away) → home (10 away). B: home → J3 → home.
PLAN = {
    "routes": [
        {
            "engineer": "A",
            "departure": 5.0,
            "return": 35.0,
            "distance": 20.0,
            "duration": 30.0,
            "load": 3.0,
            "stops": [
                {"job": "J1", "arrival": 10.0, "start": 10.0, "end": 15.0, "wait": 0.0, "distance": 5.0},
                {"job": "J2", "arrival": 20.0, "start": 20.0, "end": 25.0, "wait": 0.0, "distance": 5.0},
            ],
        },
        {
            "engineer": "B",
            "departure": 0.0,
            "return": 11.0,
            "distance": 10.0,
            "duration": 11.0,
            "load": 0.0,
            "stops": [{"job": "J3", "arrival": 5.0, "start": 5.0, "end": 6.0, "wait": 0.0, "distance": 5.0}],
        },
    ],
    "unassigned": [],
    "total_distance": 30.0,
    "total_duration": 41.0,
}


def test_a_correct_plan_passes_and_its_distance_is_recomputed():
    result = check_plan(PROBLEM, PLAN)
    assert result.ok, result.violations
    assert (result.distance, result.routed) == (30.0, 3)


def broken(edit):
    plan = copy.deepcopy(PLAN)
    edit(plan)
    return plan


def a_stop(i):
    return lambda plan: plan["routes"][0]["stops"][i]


@pytest.mark.parametrize(
    "edit, expected",
    [
        pytest.param(
            lambda p: p["routes"][1]["stops"].insert(
                0, {"job": "J1", "arrival": 0, "start": 0, "end": 5, "wait": 0, "distance": 0}
            ),
            "job already routed to A",
            id="routed-twice",
        ),
        pytest.param(
            lambda p: p["routes"].__setitem__(0, {**p["routes"][0], "engineer": "B"}),
            "lacks skills ['ac']",
            id="skills",
        ),
        pytest.param(lambda p: p["routes"][0].update(departure=-1.0), "before the shift starts", id="shift-start"),
        pytest.param(
            lambda p: p["routes"][0].update({"return": 101.0, "duration": 96.0}), "after the shift ends", id="shift-end"
        ),
        pytest.param(
            lambda p: p["routes"][0]["stops"][1].update(arrival=14.0, start=14.0, end=19.0),
            "but the travel takes until 20.0000",
            id="travel-too-fast",
        ),
        pytest.param(
            lambda p: p["routes"][0]["stops"][0].update(arrival=4.0, start=8.0, end=13.0),
            "before arrival or the window opens (10)",
            id="window-open",
        ),
        pytest.param(
            lambda p: [
                p["routes"][0].update(departure=16.0),
                p["routes"][0]["stops"][0].update(arrival=21.0, start=21.0, end=26.0),
            ],
            "after the window closes (20)",
            id="window-close",
        ),
        pytest.param(
            lambda p: p["routes"][0]["stops"][1].update(arrival=41.0, start=41.0, end=46.0),
            "after the SLA deadline (40)",
            id="deadline",
        ),
        pytest.param(lambda p: p["routes"][0]["stops"][0].update(end=14.0), "not start + duration 5", id="duration"),
        pytest.param(lambda p: p["routes"][0]["stops"][0].update(distance=4.0), "recomputed 5.0000", id="leg"),
        pytest.param(lambda p: p["routes"][0].update(distance=19.0), "recomputed 20.0000", id="route-distance"),
        pytest.param(lambda p: p.update(total_distance=29.0), "total distance stated 29.0", id="total-distance"),
        pytest.param(lambda p: p.update(total_duration=40.0), "total duration stated 40.0", id="total-duration"),
        pytest.param(lambda p: p["routes"][0].update(load=2.0), "states a load of 2.0", id="load-stated"),
        pytest.param(lambda p: p["routes"][0]["stops"].pop(), "job J2: neither routed nor reported", id="lost-job"),
        pytest.param(
            lambda p: p["unassigned"].append({"job": "J2", "reason": "no_room"}),
            "both routed and unassigned",
            id="both",
        ),
        pytest.param(
            lambda p: p["unassigned"].append({"job": "J9", "reason": "no_room"}), "'J9' is not in the input", id="ghost"
        ),
        pytest.param(lambda p: p["routes"].append(dict(p["routes"][1], stops=[])), "engineer B: two routes", id="two"),
        pytest.param(lambda p: p["routes"][1].update(engineer="Z"), "unknown engineer 'Z'", id="who"),
    ],
)
def test_each_broken_rule_is_caught(edit, expected):
    result = check_plan(PROBLEM, broken(edit))
    assert not result.ok
    assert any(expected in v for v in result.violations), result.violations


def test_capacity_is_recomputed_from_the_jobs():
    heavy = problem([eng("A", skills={"ac"}, capacity=2), eng("B", home=(10, 0), shift=(0, 100))], list(PROBLEM.jobs))
    result = check_plan(heavy, PLAN)
    assert any("load 3 over the capacity 2" in v for v in result.violations), result.violations


def test_pins_are_checked():
    moved = problem(PROBLEM.engineers, [*PROBLEM.jobs[:2], job("J3", (10, 5), duration=1, pin_engineer="A")])
    result = check_plan(moved, PLAN)
    assert any("pinned to A" in v for v in result.violations), result.violations
    # A pinned sequence opens the day: J3 second on B's route breaks it.
    plan = broken(
        lambda p: p["routes"][1]["stops"].insert(
            0, {"job": "J4", "arrival": 0.0, "start": 0.0, "end": 0.0, "wait": 0.0, "distance": 0.0}
        )
    )
    plan["routes"][1]["stops"][1].update(distance=5.0)
    with_j4 = problem(PROBLEM.engineers, [*PROBLEM.jobs, job("J4", (10, 0))])
    result = check_plan(with_j4, plan)
    assert any("pinned sequence not kept" in v for v in result.violations), result.violations


def test_required_jobs_must_be_routed():
    required = problem(PROBLEM.engineers, [*PROBLEM.jobs, job("J9", (1, 1), required=True)])
    plan = broken(lambda p: p["unassigned"].append({"job": "J9", "reason": "no_room"}))
    result = check_plan(required, plan)
    assert result.violations == ["job J9: required but not routed"]
