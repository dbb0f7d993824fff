"""The write path: corrective actions per category, promises and their approval levels, PDCA."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.models import AuditLog
from core.policies import set_policy
from improvement import selectors, services
from improvement.choices import CorrectiveKind, PromiseStatus, Stage
from improvement.models import CorrectiveActionEvent, ImprovementActionEvent, TrainingNeed
from tests.factories import ProductModelFactory, UnitFactory

from .fixtures import DUE, complaint_of


def create(people, complaint, **kw):
    args = {"title": "Fix it", "owner_id": people["quality"].pk, "due_date": DUE} | kw
    return services.corrective_action_create(actor=people["handler"], complaint_id=complaint.pk, **args)


# --- corrective actions by category --------------------------------------------------------


def test_quality_complaint_sends_feedback_to_production_with_model_and_batch(people):
    complaint = complaint_of(
        "product_quality", handler=people["handler"], agent=people["agent"], engineer=people["engineer"]
    )

    row = create(people, complaint)

    assert row.kind == CorrectiveKind.QUALITY_FEEDBACK  # proposed from the category
    unit = complaint.order.unit
    assert (row.product_model_id, row.unit_id, row.batch) == (unit.model_id, unit.pk, "B2026-07")
    assert row.status == "open"
    assert AuditLog.objects.filter(object_type="improvement.correctiveaction", object_id=str(row.pk)).count() == 1
    assert list(CorrectiveActionEvent.objects.filter(action_row=row).values_list("action", flat=True)) == ["create"]


def test_quality_feedback_without_a_unit_needs_a_model_and_takes_a_typed_batch(people):
    complaint = complaint_of("product_quality", handler=people["handler"], with_order=False)
    with pytest.raises(ValidationFailed) as err:
        create(people, complaint)
    assert "product_model_id" in err.value.fields

    model = ProductModelFactory()
    row = create(people, complaint, product_model_id=model.pk, batch="LOT-9")
    assert (row.product_model_id, row.batch) == (model.pk, "LOT-9")


def test_a_unit_of_another_model_is_refused(people):
    complaint = complaint_of("product_quality", handler=people["handler"], with_order=False)
    with pytest.raises(ValidationFailed) as err:
        create(people, complaint, product_model_id=ProductModelFactory().pk, unit_id=UnitFactory().pk)
    assert "unit_id" in err.value.fields


def test_service_complaint_records_a_training_need_per_staff_member_and_a_major_one_flags_an_appraisal(people):
    complaint = complaint_of("service", handler=people["handler"], agent=people["agent"], engineer=people["engineer"])

    minor = create(people, complaint)
    major = create(people, complaint, staff_ids=[people["engineer"].pk, people["agent"].pk], major=True)

    assert minor.kind == CorrectiveKind.TRAINING
    # the order's engineer by default
    assert list(TrainingNeed.objects.filter(corrective_action=minor).values_list("user_id", "ad_hoc_appraisal")) == [
        (people["engineer"].pk, False)
    ]
    assert sorted(
        TrainingNeed.objects.filter(corrective_action=major).values_list("user_id", "ad_hoc_appraisal")
    ) == sorted([(people["engineer"].pk, True), (people["agent"].pk, True)])


def test_a_complaint_classified_as_major_flags_an_appraisal_without_being_asked(people):
    # given a service complaint the handler marked major when classifying
    complaint = complaint_of("service", handler=people["handler"], agent=people["agent"], engineer=people["engineer"])
    type(complaint).objects.filter(pk=complaint.pk).update(major=True)
    complaint.refresh_from_db()

    # when a training need is recorded without the box ticked
    action = create(people, complaint)

    # then the staff involved are flagged for an ad-hoc appraisal all the same
    assert action.major is True
    assert list(TrainingNeed.objects.filter(corrective_action=action).values_list("ad_hoc_appraisal", flat=True)) == [
        True
    ]


def test_training_needs_staff_not_customers(people, customer_user):
    complaint = complaint_of("service", handler=people["handler"], with_order=False)
    with pytest.raises(ValidationFailed) as err:
        create(people, complaint)
    assert "staff_ids" in err.value.fields
    with pytest.raises(ValidationFailed):
        create(people, complaint, staff_ids=[customer_user.pk])


def test_information_complaint_opens_a_fix_of_the_manual(people):
    complaint = complaint_of("information", handler=people["handler"], with_order=False)
    with pytest.raises(ValidationFailed) as err:
        create(people, complaint)
    assert set(err.value.fields) == {"document", "section"}

    row = create(people, complaint, document="manual", section="§4.2 Installation")
    assert (row.kind, row.document, row.section) == (CorrectiveKind.DOC_FIX, "manual", "§4.2 Installation")


def test_other_complaint_opens_a_free_action_and_the_kind_can_be_chosen(people):
    complaint = complaint_of("other", handler=people["handler"], with_order=False)
    assert create(people, complaint).kind == CorrectiveKind.FREE
    assert create(people, complaint, kind="doc_fix", document="service_guide", section="FAQ").kind == "doc_fix"


def test_corrective_action_runs_to_closure(people):
    complaint = complaint_of("other", handler=people["handler"], with_order=False)
    row = create(people, complaint)
    q = people["quality"]
    services.corrective_action_transition(actor=q, action_id=row.pk, action="start")
    with pytest.raises(ValidationFailed):
        services.corrective_action_transition(actor=q, action_id=row.pk, action="complete")  # note required
    services.corrective_action_transition(actor=q, action_id=row.pk, action="complete", note="Procedure changed.")
    row = services.corrective_action_transition(actor=q, action_id=row.pk, action="verify")
    assert row.status == "closed" and row.closed_at is not None
    with pytest.raises(Conflict):
        services.corrective_action_transition(actor=q, action_id=row.pk, action="start")
    assert [e.action for e in row.events.all()] == ["create", "start", "complete", "verify"]


def test_roles_without_the_capability_cannot_open_or_move_corrective_actions(people):
    complaint = complaint_of("other", handler=people["handler"], with_order=False)
    with pytest.raises(Forbidden):
        services.corrective_action_create(
            actor=people["engineer"], complaint_id=complaint.pk, title="x", owner_id=people["quality"].pk, due_date=DUE
        )
    row = create(people, complaint)
    with pytest.raises(NotFound):  # the engineer does not see corrective actions at all
        services.corrective_action_transition(actor=people["engineer"], action_id=row.pk, action="start")
    with pytest.raises(ValidationFailed) as err:
        create(people, complaint, owner_id=people["engineer"].pk)  # an engineer cannot own one
    assert "owner_id" in err.value.fields


def test_a_forged_complaint_id_reads_as_not_found(people):
    with pytest.raises(NotFound):
        services.corrective_action_create(
            actor=people["handler"], complaint_id=987654, title="x", owner_id=people["quality"].pk, due_date=DUE
        )


# --- promises -----------------------------------------------------------------------------


def promise(people, complaint, *, amount=None, kind="compensation", by="handler"):
    return services.promise_request(
        actor=people[by],
        complaint_id=complaint.pk,
        kind=kind,
        description="Refund of the visit fee" if amount else "A new unit next week",
        reason="The visit was missed twice.",
        amount=amount,
    )


@pytest.mark.parametrize(
    ("amount", "kind", "level"),
    [
        ("200.00", "compensation", "supervisor"),
        ("1000.00", "compensation", "supervisor"),
        ("1000.01", "compensation", "manager"),
        (None, "promise", "manager"),
    ],
)
def test_the_approval_level_follows_the_configured_thresholds(people, amount, kind, level):
    complaint = complaint_of("service", handler=people["handler"], with_order=False)
    assert promise(people, complaint, amount=amount, kind=kind).required_role == level


def test_the_thresholds_are_a_setting(people):
    set_policy(
        "improvement.approval_levels",
        [{"role": "supervisor", "max_amount": "100"}, {"role": "manager", "max_amount": None}],
    )
    complaint = complaint_of("service", handler=people["handler"], with_order=False)
    assert promise(people, complaint, amount="200.00").required_role == "manager"


def test_a_supervisor_approves_small_amounts_only_and_a_manager_any(people):
    complaint = complaint_of("service", handler=people["handler"], with_order=False)
    small, big = promise(people, complaint, amount="300.00"), promise(people, complaint, amount="5000.00")

    with pytest.raises(Forbidden) as err:
        services.promise_decide(actor=people["supervisor"], promise_id=big.pk, approve=True, note="OK")
    assert err.value.code == "level_too_low"
    ok = services.promise_decide(actor=people["supervisor"], promise_id=small.pk, approve=True, note="同意退还上门费。")
    big = services.promise_decide(actor=people["manager"], promise_id=big.pk, approve=False, note="Too much.")

    assert (ok.status, ok.decided_by, ok.decision_note) == ("approved", people["supervisor"], "同意退还上门费。")
    assert big.status == "refused"
    assert AuditLog.objects.filter(object_type="improvement.promise", action="approve").count() == 1


def test_the_requester_never_approves_their_own_promise(people):
    complaint = complaint_of("service", handler=people["handler"], with_order=False)
    own = promise(people, complaint, amount="50.00", by="manager")
    with pytest.raises(Forbidden) as err:
        services.promise_decide(actor=people["manager"], promise_id=own.pk, approve=True, note="Fine by me.")
    assert err.value.code == "own_request"
    assert selectors.approval_queue(actor=people["manager"], cursor=None, size=10)[0] == []
    assert [p.pk for p in selectors.approval_queue(actor=people["manager2"], cursor=None, size=10)[0]] == [own.pk]


def test_a_decision_needs_a_written_note_and_is_taken_once(people):
    complaint = complaint_of("service", handler=people["handler"], with_order=False)
    p = promise(people, complaint, amount="50.00")
    with pytest.raises(ValidationFailed):
        services.promise_decide(actor=people["manager"], promise_id=p.pk, approve=True, note="  ")
    services.promise_decide(actor=people["manager"], promise_id=p.pk, approve=True, note="OK")
    with pytest.raises(Conflict):
        services.promise_decide(actor=people["manager2"], promise_id=p.pk, approve=False, note="No")


def test_only_an_approved_promise_may_be_told_to_the_customer(people):
    complaint = complaint_of("service", handler=people["handler"], with_order=False)
    pending, refused, approved = (promise(people, complaint, amount=a) for a in ("10.00", "20.00", "30.00"))
    services.promise_decide(actor=people["manager"], promise_id=refused.pk, approve=False, note="No")
    services.promise_decide(actor=people["manager"], promise_id=approved.pk, approve=True, note="Yes")

    assert [p.pk for p in selectors.communicable_promises(complaint_id=complaint.pk)] == [approved.pk]
    pending.refresh_from_db()
    assert selectors.promise_communicable(pending) is False
    with pytest.raises(Conflict) as err:
        services.promise_communicate(actor=people["handler"], promise_id=pending.pk)
    assert err.value.code == "not_approved"
    told = services.promise_communicate(actor=people["handler"], promise_id=approved.pk)
    assert told.status == PromiseStatus.COMMUNICATED and told.communicated_at is not None


@pytest.mark.parametrize("amount", ["0", "-5", "1.005", "abc", "1e30", "NaN"])
def test_bad_amounts_are_refused(people, amount):
    complaint = complaint_of("service", handler=people["handler"], with_order=False)
    with pytest.raises(ValidationFailed) as err:
        promise(people, complaint, amount=amount)
    assert "amount" in err.value.fields


def test_compensation_needs_an_amount(people):
    complaint = complaint_of("service", handler=people["handler"], with_order=False)
    with pytest.raises(ValidationFailed) as err:
        promise(people, complaint, amount=None, kind="compensation")
    assert "amount" in err.value.fields


# --- improvement actions (PDCA) ----------------------------------------------------------------


def test_pdca_runs_plan_do_check_act_closed(people):
    complaint = complaint_of("service", handler=people["handler"], with_order=False)
    q = people["quality"]
    t0 = timezone.now() - dt.timedelta(days=20)
    a = services.improvement_action_open(
        actor=q, source_kind="complaint", source_id=complaint.pk, title="Shorter visits", plan="Train", now=t0
    )
    assert (a.status, a.owner, a.complaint) == (Stage.PLAN, q, complaint)
    a = services.improvement_action_transition(actor=q, action_id=a.pk, action="start", now=t0)
    assert a.status == Stage.DO and a.done_from == t0
    a = services.improvement_action_transition(actor=q, action_id=a.pk, action="to_check")
    with pytest.raises(Conflict) as err:
        services.improvement_action_transition(actor=q, action_id=a.pk, action="to_act")
    assert err.value.code == "guard_effect_measured"
    a = services.improvement_effect_check(actor=q, action_id=a.pk)
    assert a.effect_days == 20 and a.effect_checked_at is not None
    a = services.improvement_action_transition(actor=q, action_id=a.pk, action="to_act")
    with pytest.raises(ValidationFailed):
        services.improvement_action_transition(actor=q, action_id=a.pk, action="close")
    a = services.improvement_action_transition(actor=q, action_id=a.pk, action="close", note="Standardised.")
    assert a.status == Stage.CLOSED and a.closed_at is not None
    assert list(ImprovementActionEvent.objects.filter(improvement=a).values_list("action", flat=True)) == [
        "create",
        "start",
        "to_check",
        "effect",
        "to_act",
        "close",
    ]


def test_replan_starts_a_new_cycle_and_clears_the_effect(people):
    q = people["quality"]
    a = services.improvement_action_open(actor=q, source_kind="analysis", title="Reopen rate")
    for step in ("start", "to_check"):
        a = services.improvement_action_transition(actor=q, action_id=a.pk, action=step)
    a = services.improvement_effect_check(actor=q, action_id=a.pk, metric="reopen_rate")
    a = services.improvement_action_transition(actor=q, action_id=a.pk, action="replan", note="No effect.")
    assert (a.status, a.done_from, a.effect_checked_at, a.metric) == (Stage.PLAN, None, None, "reopen_rate")


def test_effect_check_only_at_check(people):
    q = people["quality"]
    a = services.improvement_action_open(actor=q, source_kind="analysis", title="x")
    with pytest.raises(Conflict):
        services.improvement_effect_check(actor=q, action_id=a.pk)


def test_a_low_survey_score_opens_one_action_owned_by_quality_without_an_actor(people):
    a = services.improvement_action_open(actor=None, source_kind="survey", source_id=77, title="Score 40 on survey 77")
    again = services.improvement_action_open(actor=None, source_kind="survey", source_id=77, title="again")
    assert a.pk == again.pk
    assert a.owner == people["quality"] and a.created_by is None
    assert a.due_date == (timezone.now() + dt.timedelta(days=30)).date()


def test_improvement_actions_are_refused_to_other_roles_and_bad_input(people):
    with pytest.raises(Forbidden):
        services.improvement_action_open(actor=people["engineer"], source_kind="analysis", title="x")
    with pytest.raises(ValidationFailed) as err:
        services.improvement_action_open(actor=people["quality"], source_kind="nonsense", title="", metric="x")
    assert {"source_kind", "title", "metric"} <= set(err.value.fields)
    with pytest.raises(ValidationFailed):
        services.improvement_action_open(actor=people["quality"], source_kind="complaint", title="x")  # no source id
    with pytest.raises(ValidationFailed):
        services.improvement_action_open(
            actor=people["quality"], source_kind="analysis", title="x", due_date=dt.date(2150, 1, 1)
        )
    a = services.improvement_action_open(actor=people["quality"], source_kind="analysis", title="x")
    with pytest.raises(Forbidden):
        services.improvement_action_transition(actor=people["analyst"], action_id=a.pk, action="start")


def test_the_decimal_amounts_are_kept_exactly(people):
    complaint = complaint_of("service", handler=people["handler"], with_order=False)
    assert promise(people, complaint, amount="999.99").amount == Decimal("999.99")
