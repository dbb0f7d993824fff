"""Opening complaints: by staff or the customer, and by a refused acceptance (a domain event)."""

import pytest

from complaints.choices import Source, Status
from complaints.models import Complaint, ComplaintEvent
from complaints.services import complaint_open
from core.errors import Forbidden, NotFound, ValidationFailed
from service import services
from service.tests.flow import order_in, signature_url
from tests.factories import CustomerFactory, UserFactory


@pytest.fixture
def people(db):
    customer_user = UserFactory(role="customer")
    return {
        "agent": UserFactory(role="agent"),
        "handler": UserFactory(role="complaint_handler"),
        "engineer": UserFactory(role="engineer"),
        "customer_user": customer_user,
        "customer": CustomerFactory(user=customer_user),
        "other": CustomerFactory(),
    }


def test_staff_open_a_complaint_with_an_event_row(people):
    c = complaint_open(
        actor=people["agent"], customer_id=people["customer"].pk, channel=Source.PHONE, description=" Late "
    )
    assert (c.status, c.description, c.version) == (Status.NEW, "Late", 1)
    assert list(ComplaintEvent.objects.filter(complaint=c).values_list("action", "to_status")) == [("open", "new")]
    assert c.number == f"CP{c.pk:08d}"


def test_a_customer_opens_one_for_themself_only(people):
    own = complaint_open(
        actor=people["customer_user"], customer_id=people["customer"].pk, channel=Source.PORTAL, description="Rude"
    )
    assert own.customer_id == people["customer"].pk
    with pytest.raises(NotFound):
        complaint_open(
            actor=people["customer_user"], customer_id=people["other"].pk, channel=Source.PORTAL, description="x"
        )
    with pytest.raises(Forbidden):
        complaint_open(
            actor=people["engineer"], customer_id=people["customer"].pk, channel=Source.PHONE, description="x"
        )
    assert Complaint.objects.count() == 1


@pytest.mark.parametrize(
    ("kw", "error"),
    [
        ({"channel": "fax"}, ValidationFailed),
        ({"channel": Source.REFUSED_ACCEPTANCE}, ValidationFailed),  # only a signed refusal opens those
        ({"description": "   "}, ValidationFailed),
        ({"customer_id": 10**9}, NotFound),
    ],
)
def test_bad_input_opens_nothing(people, kw, error):
    args = {"actor": people["agent"], "customer_id": people["customer"].pk, "channel": Source.PHONE, "description": "x"}
    with pytest.raises(error):
        complaint_open(**{**args, **kw})
    assert Complaint.objects.count() == 0


def test_another_customers_order_is_refused(people):
    order = order_in("new", agent=people["agent"], customer=people["other"])
    with pytest.raises(ValidationFailed):
        complaint_open(
            actor=people["agent"],
            customer_id=people["customer"].pk,
            channel=Source.PHONE,
            description="x",
            order_id=order.pk,
        )


def test_a_refused_acceptance_opens_a_complaint_after_commit(people, django_capture_on_commit_callbacks):
    order = order_in("resolved", agent=people["agent"], customer=people["customer"], engineer=people["engineer"])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.acceptance_sign(
            order_id=order.pk,
            actor=people["customer_user"],
            accepted=False,
            signer_name="Me",
            signature=signature_url(),
            comment="Still broken",
        )
        # nothing is opened before the refusal commits
        assert not Complaint.objects.exists()
    for callback in callbacks:
        callback()
    c = Complaint.objects.get(order=order)
    assert (c.channel, c.description, c.customer_id, c.status) == (
        Source.REFUSED_ACCEPTANCE,
        "Still broken",
        people["customer"].pk,
        Status.NEW,
    )
    assert ComplaintEvent.objects.get(complaint=c).actor_id == people["customer_user"].pk


def test_an_acceptance_opens_nothing(people, django_capture_on_commit_callbacks):
    order = order_in("resolved", agent=people["agent"], customer=people["customer"], engineer=people["engineer"])
    with django_capture_on_commit_callbacks(execute=True):
        services.acceptance_sign(
            order_id=order.pk, actor=people["customer_user"], accepted=True, signer_name="Me", signature=signature_url()
        )
    assert not Complaint.objects.exists()
