"""The planner on small days, one hard rule at a time; every plan passes the independent checker."""

import pytest

from dispatch.routing import parse_solomon, plan_greedy, plan_routes
from dispatch.routing.generate import generate_day

from .routing_cases import checked, eng, job, problem, reasons, route_of

FAST = 0.3  # seconds: these days have a handful of jobs


def solve(prob, limit=FAST):
    return checked(prob, plan_routes(prob, time_limit=limit))


def test_skills_send_the_job_to_the_engineer_who_has_them():
    prob = problem(
        [eng("near"), eng("gas", home=(50, 0), skills={"gas"})],
        [job("boiler", (5, 0), skills={"gas"}), job("tv", (-4, 0))],
    )
    doc = solve(prob)
    assert route_of(doc, "gas") == ["boiler"]
    assert route_of(doc, "near") == ["tv"]
    assert doc["solver"] == "pyvrp"


def test_a_job_nobody_is_skilled_for_is_unassigned_with_the_reason():
    prob = problem([eng("A", skills={"ac"})], [job("J", (1, 0), skills={"ac", "gas"})])
    assert reasons(solve(prob)) == {"J": "no_skilled_engineer"}


def test_shifts_bound_the_day():
    # Early's shift ends before the late window opens; the job goes to Late although it is farther.
    prob = problem(
        [eng("early", shift=(0, 100)), eng("late", home=(30, 0), shift=(100, 400))],
        [job("evening", (5, 0), window=(200, 250), duration=10)],
    )
    doc = solve(prob)
    assert route_of(doc, "late") == ["evening"]
    late = next(r for r in doc["routes"] if r["engineer"] == "late")
    assert late["departure"] >= 100 and late["return"] <= 400


def test_a_job_no_shift_can_reach_is_unassigned():
    prob = problem([eng("A", shift=(0, 100))], [job("far", (90, 0), window=(0, 1000), duration=20)])
    assert reasons(solve(prob)) == {"far": "unreachable_in_window"}


def test_van_capacity_splits_the_work():
    prob = problem(
        [eng("A", capacity=2), eng("B", home=(20, 0), capacity=5)],
        [job(f"J{k}", (1 + k, 0), demand=1) for k in range(3)],
    )
    doc = solve(prob)
    loads = {r["engineer"]: r["load"] for r in doc["routes"]}
    assert loads == {"A": 2, "B": 1}


def test_a_job_heavier_than_every_van_is_unassigned():
    prob = problem([eng("A", capacity=2)], [job("piano", (1, 0), demand=3)])
    assert reasons(solve(prob)) == {"piano": "over_capacity"}


def test_time_windows_order_the_visits():
    # Far is nearer the end of the line but only open early: the route goes out to it first.
    prob = problem(
        [eng("A", shift=(0, 200))],
        [job("near", (10, 0), window=(60, 80), duration=5), job("far", (30, 0), window=(30, 40), duration=5)],
    )
    doc = solve(prob)
    assert route_of(doc, "A") == ["far", "near"]
    far, near = doc["routes"][0]["stops"]
    assert 30 <= far["start"] <= 40 and 60 <= near["start"] <= 80


def test_the_sla_deadline_is_the_latest_start():
    # Without the deadline the cheapest order is a → b; the deadline on b forces b first.
    prob = problem(
        [eng("A", shift=(0, 200))],
        [job("a", (10, 0), duration=10), job("b", (20, 0), duration=10, deadline=25)],
    )
    doc = solve(prob)
    assert route_of(doc, "A") == ["b", "a"]
    assert doc["routes"][0]["stops"][0]["start"] <= 25


def test_a_deadline_before_the_window_opens_is_reported():
    prob = problem([eng("A")], [job("J", (1, 0), window=(100, 200), deadline=50)])
    assert reasons(solve(prob)) == {"J": "deadline_passed"}


def test_a_pinned_job_goes_to_its_engineer():
    prob = problem(
        [eng("near"), eng("far", home=(40, 0))],
        [job("moved", (2, 0), pin_engineer="far"), job("other", (-3, 0))],
    )
    doc = solve(prob)
    assert route_of(doc, "far") == ["moved"]
    assert route_of(doc, "near") == ["other"]


def test_a_pinned_sequence_opens_the_day_in_order():
    # Alone, A would do x, y, z along the line; the dispatcher pinned z then x first.
    prob = problem(
        [eng("A", shift=(0, 500)), eng("B", home=(100, 0), shift=(0, 500))],
        [
            job("x", (10, 0)),
            job("y", (20, 0)),
            job("z", (30, 0), pin_engineer="A", pin_sequence=1),
            job("x2", (11, 0), pin_engineer="A", pin_sequence=2),
        ],
    )
    doc = solve(prob)
    assert route_of(doc, "A")[:2] == ["z", "x2"]
    assert set(route_of(doc, "A")) == {"x", "y", "z", "x2"}


@pytest.mark.parametrize(
    "pin, reason",
    [
        pytest.param({"pin_engineer": "nobody"}, "pinned_engineer_unknown", id="unknown"),
        pytest.param({"pin_engineer": "A", "skills": {"gas"}}, "pinned_engineer_unskilled", id="unskilled"),
    ],
)
def test_a_pin_that_cannot_hold_is_reported(pin, reason):
    prob = problem([eng("A"), eng("B", skills={"gas"})], [job("J", (1, 0), **pin)])
    assert reasons(solve(prob)) == {"J": reason}


def test_a_pinned_sequence_that_breaks_a_window_is_reported_and_the_rest_kept():
    prob = problem(
        [eng("A", shift=(0, 500))],
        [
            job("first", (50, 0), window=(0, 500), duration=10, pin_engineer="A", pin_sequence=1),
            job("early", (1, 0), window=(0, 20), pin_engineer="A", pin_sequence=2),
        ],
    )
    doc = solve(prob)
    assert route_of(doc, "A") == ["first"]
    assert reasons(doc) == {"early": "pin_infeasible"}
    assert "starts at 109, after 20" in doc["unassigned"][0]["message"]


def test_a_full_day_leaves_the_rest_unassigned_for_want_of_room():
    prob = problem([eng("A", shift=(0, 100))], [job(f"J{k}", (5, k), duration=30) for k in range(5)])
    doc = solve(prob)
    assert len(route_of(doc, "A")) == 2  # 5 + 30 + 1 + 30 + 5 (home) fits; a third does not
    assert sorted(reasons(doc).values()) == ["no_room"] * 3


def test_the_departure_is_as_late_as_the_first_window_allows():
    prob = problem([eng("A", shift=(0, 500))], [job("J", (10, 0), window=(100, 120), duration=5)])
    route = solve(prob)["routes"][0]
    assert (route["departure"], route["stops"][0]["arrival"], route["stops"][0]["wait"]) == (90.0, 100.0, 0.0)
    assert route["duration"] == 25.0


def test_solomon_instance_is_planned_feasibly():
    text = "\n".join(
        [
            "MINI",
            "VEHICLE",
            "NUMBER     CAPACITY",
            "  3         20",
            "CUSTOMER",
            "    0   50   50    0    0  400    0",
            *(
                f"{k:5d} {50 + 7 * (k % 4 - 2):4d} {50 + 9 * (k // 4 - 1):4d}  5  {10 * k:4d} {10 * k + 150:4d}  10"
                for k in range(1, 11)
            ),
        ]
    )
    prob = parse_solomon(text)
    doc = solve(prob, 0.5)
    assert doc["jobs_unassigned"] == 0 and doc["jobs_assigned"] == 10
    assert sum(1 for r in doc["routes"] if r["stops"]) >= 3  # 10 × 5 units in vans of 20


def test_the_solver_beats_greedy_on_a_generated_day():
    prob = generate_day(40, 6, seed=3)
    greedy = checked(prob, plan_greedy(prob))
    planned = solve(prob, 1.5)
    assert planned["jobs_assigned"] >= greedy["jobs_assigned"]
    assert planned["total_distance"] < 0.9 * greedy["total_distance"]


@pytest.mark.parametrize("rule", ["ready", "distance"])
def test_greedy_plans_are_feasible(rule):
    prob = generate_day(40, 6, seed=4)
    doc = checked(prob, plan_greedy(prob, rule=rule))
    assert doc["solver"] == f"greedy-{rule}" and doc["jobs_assigned"] > 10


def test_a_required_job_the_solver_cannot_place_falls_back_to_greedy():
    # Two required jobs whose windows overlap at opposite ends of town, one engineer: no
    # feasible plan exists, so the planner answers with the greedy plan and says so.
    prob = problem(
        [eng("A", shift=(0, 100))],
        [job("w", (-20, 0), window=(20, 25), required=True), job("e", (20, 0), window=(20, 25), required=True)],
    )
    plan = plan_routes(prob, time_limit=FAST)
    assert plan.solver == "greedy" and plan.notes
    assert len(plan.unassigned) == 1 and plan.unassigned[0].reason == "no_room"


def test_leftover_jobs_are_inserted_where_they_add_least():
    from dispatch.routing.greedy import insert_leftovers
    from dispatch.routing.prepare import prepare

    prob = problem(
        [eng("A", shift=(0, 300)), eng("B", home=(100, 0), shift=(0, 300))],
        [job("a", (10, 0)), job("c", (30, 0)), job("b", (20, 0), window=(15, 25)), job("late", (12, 0), window=(0, 5))],
    )
    ctx = prepare(prob)
    orders = [[0, 1], []]  # A: a, c; b and late left out
    assert insert_leftovers(ctx, orders) == 1
    assert orders == [[0, 2, 1], []]  # b between a and c (after c it would start at 40); late is out of reach
    assert reasons(checked(prob, plan_routes(prob, time_limit=FAST))) == {"late": "unreachable_in_window"}
