"""The planner's JSON format, Solomon's reader and the distance rules (docs/dispatch.md)."""

import math
import subprocess
import sys
from pathlib import Path

import pytest

from dispatch.routing import InputError, parse_solomon, plan_greedy, plan_to_dict, problem_from_dict
from dispatch.routing.distance import leg
from dispatch.routing.generate import generate_day, problem_to_dict
from dispatch.routing.model import DistanceRule

ROOT = Path(__file__).resolve().parents[2]

MINIMAL = {
    "engineers": [{"id": "E1", "home": [0, 0], "shift": [480, 1020]}],
    "jobs": [{"id": "J1", "location": [3, 4]}],
}


def test_minimal_problem_takes_the_documented_defaults():
    p = problem_from_dict(MINIMAL)
    e, j = p.engineers[0], p.jobs[0]
    assert p.distance == DistanceRule(kind="euclidean")
    assert (e.skills, e.capacity) == (frozenset(), math.inf)
    assert (j.window, j.duration, j.demand, j.skills, j.deadline, j.required) == (
        (-math.inf, math.inf),
        0.0,
        0.0,
        frozenset(),
        None,
        False,
    )


def test_full_problem_reads_every_field():
    p = problem_from_dict(
        {
            "version": 1,
            "name": "Tianhe, 2026-12-08",
            "distance": {"kind": "haversine", "speed_kmh": 25, "detour": 1.3},
            "engineers": [
                {"id": "E1", "home": [113.32, 23.12], "shift": [480, 1020], "skills": ["ac", "tv"], "capacity": 12}
            ],
            "jobs": [
                {
                    "id": 7,
                    "location": [113.33, 23.13],
                    "time_window": [540, 660],
                    "duration": 45,
                    "skills": ["ac"],
                    "demand": 2,
                    "deadline": 600,
                    "required": True,
                    "pin": {"engineer": "E1", "sequence": 1},
                }
            ],
        }
    )
    j = p.jobs[0]
    assert p.name == "Tianhe, 2026-12-08"
    assert p.distance == DistanceRule(kind="haversine", speed_kmh=25.0, detour=1.3)
    assert p.engineers[0].skills == frozenset({"ac", "tv"}) and p.engineers[0].capacity == 12
    assert (j.id, j.window, j.latest, j.demand, j.required) == ("7", (540, 660), 600, 2, True)
    assert (j.pin_engineer, j.pin_sequence) == ("E1", 1)


@pytest.mark.parametrize(
    "change, expected",
    [
        pytest.param({"engineers": []}, "engineers: required (a non-empty list)", id="no-engineers"),
        pytest.param({"jobs": {"a": 1}}, "jobs: required (a list)", id="jobs-not-list"),
        pytest.param({"distance": "manhattan"}, 'distance.kind: must be "euclidean" or "haversine"', id="kind"),
        pytest.param(
            {"distance": {"kind": "haversine"}}, "distance.speed_kmh: required (a number)", id="haversine-speed"
        ),
        pytest.param({"distance": {"kind": "euclidean", "truncate": 9}}, "distance.truncate", id="truncate"),
        pytest.param({"version": 2}, "version: this planner reads version 1", id="version"),
        pytest.param({"colour": "red"}, "(top level): unknown keys ['colour']", id="unknown-key"),
        pytest.param(
            {"engineers": [{"id": "E1", "home": [0, 0], "shift": [600, 480]}]},
            "engineers[0].shift: the start 600 is after the end 480",
            id="shift-order",
        ),
        pytest.param(
            {"engineers": [{"id": "E1", "home": [0], "shift": [0, 1]}]},
            "engineers[0].home: must be a list of two numbers",
            id="home-shape",
        ),
        pytest.param(
            {"engineers": [{"id": "E1", "home": [0, 0], "shift": [0, 1], "capacity": -1}]},
            "engineers[0].capacity: must be at least 0",
            id="capacity-negative",
        ),
        pytest.param(
            {"engineers": [{"id": "", "home": [0, 0], "shift": [0, 1]}]},
            "engineers[0].id: required",
            id="empty-id",
        ),
        pytest.param(
            {"jobs": [{"id": "J", "location": [0, 0]}, {"id": "J", "location": [1, 1]}]},
            "jobs[1].id: 'J' appears twice",
            id="duplicate-id",
        ),
        pytest.param(
            {"jobs": [{"id": "J", "location": [0, 0], "time_window": [9, 8]}]},
            "jobs[0].time_window: the start 9 is after the end 8",
            id="window-order",
        ),
        pytest.param(
            {"jobs": [{"id": "J", "location": [0, 0], "duration": "1h"}]},
            "jobs[0].duration: must be a number, not '1h'",
            id="duration-type",
        ),
        pytest.param(
            {"jobs": [{"id": "J", "location": [0, 0], "demand": True}]},
            "jobs[0].demand: must be a number",
            id="bool-is-no-number",
        ),
        pytest.param(
            {"jobs": [{"id": "J", "location": [0, 0], "skills": "ac"}]},
            "jobs[0].skills: must be a list of non-empty strings",
            id="skills-string",
        ),
        pytest.param(
            {"jobs": [{"id": "J", "location": [0, 0], "pin": {"who": "E1"}}]},
            "jobs[0].pin: must be",
            id="pin-shape",
        ),
        pytest.param(
            {"jobs": [{"id": "J", "location": [0, 0], "pin": {"engineer": "E1", "sequence": 0}}]},
            "jobs[0].pin.sequence: must be a whole number from 1",
            id="pin-sequence",
        ),
        pytest.param(
            {
                "jobs": [
                    {"id": "A", "location": [0, 0], "pin": {"engineer": "E1", "sequence": 1}},
                    {"id": "B", "location": [0, 0], "pin": {"engineer": "E1", "sequence": 1}},
                ]
            },
            "'A' and 'B' are both pinned to 'E1' at sequence 1",
            id="pin-clash",
        ),
        pytest.param(
            {
                "distance": {"kind": "haversine", "speed_kmh": 30},
                "jobs": [{"id": "J", "location": [23.1, 213.3]}],
            },
            "jobs[0].location: [23.1, 213.3] is not [longitude, latitude]",
            id="lat-out-of-range",
        ),
    ],
)
def test_bad_input_names_each_fault_with_its_path(change, expected):
    with pytest.raises(InputError) as exc:
        problem_from_dict({**MINIMAL, **change})
    assert any(expected in e for e in exc.value.errors), exc.value.errors


def test_every_fault_is_reported_in_one_pass():
    with pytest.raises(InputError) as exc:
        problem_from_dict(
            {
                "engineers": [{"id": "E1", "home": "x", "shift": [2, 1]}],
                "jobs": [{"location": [0, 0]}, {"id": "J", "location": None}],
            }
        )
    assert len(exc.value.errors) == 4, exc.value.errors


def test_not_an_object():
    with pytest.raises(InputError, match="must be a JSON object"):
        problem_from_dict([1, 2])


def test_generated_problem_round_trips_through_the_format():
    p = generate_day(20, 4, seed=5)
    assert problem_from_dict(problem_to_dict(p)) == p


def test_plan_document_lists_every_engineer_and_reason():
    p = problem_from_dict(
        {
            "engineers": [
                {"id": "E1", "home": [0, 0], "shift": [0, 100]},
                {"id": "E2", "home": [50, 50], "shift": [0, 100]},
            ],
            "jobs": [
                {"id": "near", "location": [3, 4], "duration": 5, "demand": 1},
                {"id": "gas", "location": [1, 1], "skills": ["gas"]},
            ],
        }
    )
    doc = plan_to_dict(plan_greedy(p), p)
    assert [r["engineer"] for r in doc["routes"]] == ["E1", "E2"]
    e1, e2 = doc["routes"]
    assert e1["stops"] == [{"job": "near", "arrival": 5.0, "start": 5.0, "end": 10.0, "wait": 0.0, "distance": 5.0}]
    assert (e1["departure"], e1["return"], e1["distance"], e1["duration"], e1["load"]) == (0.0, 15.0, 10.0, 15.0, 1.0)
    assert e2 == {
        "engineer": "E2",
        "departure": None,
        "return": None,
        "distance": 0,
        "duration": 0,
        "load": 0,
        "stops": [],
    }
    assert doc["unassigned"] == [
        {"job": "gas", "reason": "no_skilled_engineer", "message": "No engineer has every skill the job requires."}
    ]
    assert (doc["total_distance"], doc["jobs_assigned"], doc["jobs_unassigned"]) == (10.0, 1, 1)
    assert doc["units"]["distance"] == "input unit"


SOLOMON = """TINY

VEHICLE
NUMBER     CAPACITY
   2         10

CUSTOMER
CUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME

    0      0          0          0          0        100          0
    1      1          1          4         10         20          5
    2      3          0          7          0         90          2
"""


def test_solomon_reader():
    p = parse_solomon(SOLOMON)
    assert p.name == "TINY"
    assert [(e.id, e.home, e.shift, e.capacity) for e in p.engineers] == [
        ("V1", (0, 0), (0, 100), 10),
        ("V2", (0, 0), (0, 100), 10),
    ]
    assert [(j.id, j.location, j.window, j.duration, j.demand, j.required) for j in p.jobs] == [
        ("1", (1, 1), (10, 20), 5, 4, True),
        ("2", (3, 0), (0, 90), 2, 7, True),
    ]
    assert p.distance.truncate == 1


@pytest.mark.parametrize(
    "text, expected",
    [
        pytest.param("nothing here", "VEHICLE", id="empty"),
        pytest.param(SOLOMON.replace("    0      0          0", "    9      0          0"), "no depot", id="no-depot"),
        pytest.param(SOLOMON.replace("10         20", "30         20"), "ready time 30 is after due date 20", id="tw"),
    ],
)
def test_solomon_reader_refuses_broken_files(text, expected):
    with pytest.raises(InputError) as exc:
        parse_solomon(text)
    assert any(expected in e for e in exc.value.errors)


def test_euclidean_legs_and_solomon_truncation():
    assert leg(DistanceRule(), (0, 0), (3, 4)) == (5.0, 5.0)
    assert leg(DistanceRule(), (0, 0), (1, 1))[0] == pytest.approx(math.sqrt(2))
    assert leg(DistanceRule(truncate=1), (0, 0), (1, 1)) == (1.4, 1.4)
    assert leg(DistanceRule(truncate=1), (0, 0), (0, 10)) == (10.0, 10.0)


def test_haversine_legs_in_km_and_minutes():
    # One degree of latitude is about 111.2 km; at 30 km/h that is about 222 minutes.
    km, minutes = leg(DistanceRule(kind="haversine", speed_kmh=30), (113.0, 23.0), (113.0, 24.0))
    assert km == pytest.approx(111.19, abs=0.01)
    assert minutes == pytest.approx(km * 2)
    km2, _ = leg(DistanceRule(kind="haversine", speed_kmh=30, detour=1.5), (113.0, 23.0), (113.0, 24.0))
    assert km2 == pytest.approx(km * 1.5)


def test_planner_imports_without_django():
    code = "import sys, dispatch.routing; assert not [m for m in sys.modules if m.startswith('django')], 'django'"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, env={"PATH": "/usr/bin:/bin"})
