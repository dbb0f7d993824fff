"""Business policies: administrable settings with the specification's defaults.

Values live in the ``core.Setting`` table; a missing row means the default below.
"""

from django.core.cache import cache

from .models import Setting

DEFAULTS: dict[str, object] = {
    # Warranty periods in months per component class kind (SPEC §2).
    "warranty.months.main": 36,
    "warranty.months.core": 36,
    "warranty.months.accessory": 12,
    "warranty.months.software": 12,
    # How a model without terms counts its periods (products.periods.Convention; docs/warranty.md).
    "warranty.convention": "civil_code",
    # A part replaced in a repair: its own warranty from the replacement date, the longer of the
    # rest of the unit's period and this many months (docs/warranty.md).
    "warranty.replaced_part.min_months": 3,
    # Replacement: a fault persisting after this many repairs within warranty allows a replacement.
    "replacement.prior_repairs": 1,
    # Uploads.
    "upload.max_bytes": 5 * 1024 * 1024,
    # Lists.
    "list.page_size": 25,
    # Dispatch: assign new orders automatically, and the default capacity of an engineer
    # (open orders) when their profile sets none (SPEC §4).
    "dispatch.auto_assign": True,
    "dispatch.max_open_orders": 20,
    # The eligibility rules (dispatch/eligibility.py, docs/dispatch.md): visits a day when the
    # profile sets none; the skill level an order needs (1 trainee, 2 qualified, 3 expert), and
    # an urgent one; without a visit time, the engineer must be on duty before the on-site
    # deadline, or within this many hours when the order has none.
    "dispatch.daily_visits": 6,
    "dispatch.min_skill_level": 1,
    "dispatch.min_skill_level_urgent": 2,
    "dispatch.availability_horizon_hours": 72,
    # Appointments (service/appointments.py): a visit's length, the windows offered (how many,
    # over how many days ahead), how long a customer's link stays valid, the reminder's lead.
    "appointments.visit_minutes": 120,
    "appointments.offer_count": 3,
    "appointments.search_days": 7,
    "appointments.link_days": 7,
    "appointments.reminder_hours": 24,
    # Route-optimised daily plans: the planner's time limit in seconds (docs/dispatch.md).
    "dispatch.route_time_limit": 10,
    # Complaints (SPEC §5; docs/complaints.md): the department each category is routed to (a
    # department code), the one that takes them when that one has nobody available, and how
    # an owner is picked in it: "round_robin" or "least_loaded".
    "complaints.department.product_quality": "production-quality",
    "complaints.department.service": "problem-handling",
    "complaints.department.information": "tech-support",
    "complaints.department.other": "problem-handling",
    "complaints.fallback_department": "problem-handling",
    "complaints.routing": "round_robin",
    # Improvement (docs/improvement.md). Who approves a promise to a customer: the levels in
    # rising order, each approving amounts up to ``max_amount`` CNY (null: any amount); a promise
    # without an amount needs at least ``improvement.promise_role`` (seed 003 §4.1.6: 营销副总).
    "improvement.approval_levels": [
        {"role": "supervisor", "max_amount": "1000.00"},
        {"role": "manager", "max_amount": None},
    ],
    "improvement.promise_role": "manager",
    "improvement.effect_window_days": 30,  # the effect check's window before and after
    "improvement.due_days": 30,  # an improvement action opened without a due date
    "improvement.default_owner_role": "quality",  # owner of an action opened by the system
    "improvement.voc_top": 20,  # themes shown per period
    # Satisfaction surveys and follow-ups (SPEC §6, seed 003; docs/feedback.md).
    "feedback.satisfied_score": 85,  # a weighted score (0–100) at or above it counts as satisfied
    "feedback.product_weight": 0.8,  # overall = product × w + service × (1 − w)
    "feedback.coverage_target": 0.75,  # coverage × response rate, of the customers served
    "feedback.invitation_days": 14,  # a survey link expires after this many days
    "feedback.periodic_months": [5, 10],  # key customers' surveys: May and the fourth quarter
    "feedback.visit_months": [3, 9],  # key customers' visit records: twice a year
    "feedback.followup_after_days": 7,  # a follow-up call this many days after a closed order (0: none)
    "feedback.followup_due_days": 3,  # a follow-up is due this many days after it starts
    "feedback.low_score": 60,  # a weighted score below it opens a follow-up
    "feedback.negative_words": (  # a comment holding one of them reads negative (one "|"-separated list)
        "差|慢|态度恶劣|不满意|失望|投诉|再也不|没解决|太贵|"
        "bad|slow|rude|disappointed|unhappy|terrible|never again|not fixed|too expensive"
    ).split("|"),
}

_CACHE_PREFIX = "policy:"


def get_policy(key: str):
    if key not in DEFAULTS:
        raise KeyError(key)
    cached = cache.get(_CACHE_PREFIX + key)
    if cached is not None:
        return cached
    row = Setting.objects.filter(key=key).values_list("value", flat=True).first()
    value = DEFAULTS[key] if row is None else row
    cache.set(_CACHE_PREFIX + key, value, 30)
    return value


def set_policy(key: str, value) -> None:
    if key not in DEFAULTS:
        raise KeyError(key)
    Setting.objects.update_or_create(key=key, defaults={"value": value})
    cache.delete(_CACHE_PREFIX + key)
