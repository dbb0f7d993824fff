"""Small hand-made problems for the route planner's tests (planar, travel time = distance)."""

from dispatch.routing import plan_to_dict
from dispatch.routing.checker import check_plan
from dispatch.routing.model import DistanceRule, Engineer, Job, Problem


def eng(id, home=(0, 0), shift=(0, 1000), skills=(), capacity=float("inf")):
    return Engineer(id=id, home=tuple(home), shift=tuple(shift), skills=frozenset(skills), capacity=capacity)


def job(id, location, window=(0, 1000), duration=0, skills=(), demand=0, **kw):
    return Job(
        id=id,
        location=tuple(location),
        window=tuple(window),
        duration=duration,
        skills=frozenset(skills),
        demand=demand,
        **kw,
    )


def problem(engineers, jobs, **kw):
    return Problem(engineers=tuple(engineers), jobs=tuple(jobs), distance=DistanceRule(**kw))


def checked(prob, plan):
    """The plan's document, after asserting the independent checker passes it."""
    document = plan_to_dict(plan, prob)
    result = check_plan(prob, document)
    assert result.ok, result.violations
    return document


def route_of(document, engineer):
    return [s["job"] for r in document["routes"] if r["engineer"] == engineer for s in r["stops"]]


def reasons(document):
    return {u["job"]: u["reason"] for u in document["unassigned"]}
