"""PIPL erasure of a complaint's case file and of the survey and improvement texts about it:
evidence files deleted from storage, every free text replaced whole."""

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from complaints import services
from complaints.models import ComplaintClock, ComplaintDocument, ComplaintEvent
from complaints.tests.flow import complaint_in
from core.models import Document
from customers.pipl import PLACEHOLDER, personal_data_erase
from feedback import services as feedback
from feedback.choices import Outcome
from feedback.models import FollowUp, Response
from feedback.tests.helpers import answers
from improvement.choices import SourceKind
from improvement.models import ImprovementAction, VocTheme
from improvement.voc import tokenize, voc_compute
from notifications.models import Notification
from tests.factories import CustomerFactory, DepartmentFactory, UserFactory

PROGRESS = "已联系您家里的老人，约好周六上门"
CALLBACK = "客户说晚上八点后方便"
EVIDENCE = "客户拍的漏水照片"
REASON = "等待厂家对您家设备的检测报告"
COMMENT = "师傅把我家地板弄脏了"
FOLLOWUP = "客户说地板还没清理干净"


@pytest.fixture
def case(db, django_capture_on_commit_callbacks):
    """A complaint worked to closure with every kind of free text, its survey answered low with a
    comment, the follow-up finding an issue (which opens an improvement action), and the VoC."""
    desk = DepartmentFactory(code="problem-handling")
    handler = UserFactory(role="complaint_handler", department=desk)
    agent = UserFactory(role="agent")
    UserFactory(role="quality")
    user = UserFactory(role="customer")
    customer = CustomerFactory(user=user, name="欧阳娜娜", phone="13712340001")
    other = CustomerFactory(user=UserFactory(role="customer"), name="上官婉儿")
    c = complaint_in("investigating", handler=handler, customer=customer)
    kept = complaint_in("investigating", handler=handler, customer=other)
    services.complaint_progress_send(complaint_id=c.pk, actor=handler, text=PROGRESS)
    later = timezone.now() + timezone.timedelta(days=1)
    services.complaint_callback_set(complaint_id=c.pk, actor=handler, callback_at=later, note=CALLBACK)
    services.complaint_extend(complaint_id=c.pk, actor=handler, reason=REASON, extra=2)
    for target in (c, kept):
        photo = SimpleUploadedFile("欧阳娜娜-漏水.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
        services.complaint_evidence_add(complaint_id=target.pk, actor=handler, upload=photo, note=EVIDENCE)
    with django_capture_on_commit_callbacks(execute=True):  # closing invites to the survey
        for action in ("resolve", "close"):
            data = {"measures": "赔偿清洁费", "result": "客户接受", "follow_up": "一周后回访"}
            services.complaint_transition(
                complaint_id=c.pk, action=action, actor=handler, data=data if action == "resolve" else None
            )
    with django_capture_on_commit_callbacks(execute=True):
        response = feedback.survey_record_call(
            actor=agent, customer_id=customer.pk, answers=answers(after_sales=2, quality=3, comment=COMMENT)
        )
    followup = FollowUp.objects.get(response=response)
    with django_capture_on_commit_callbacks(execute=True):  # an issue found: an improvement action
        feedback.followup_complete(actor=agent, followup_id=followup.pk, outcome=Outcome.ISSUE_FOUND, note=FOLLOWUP)
    voc_compute(month=timezone.localdate())
    # a theme word that is the person's name (a customer who wrote it in their own text)
    VocTheme.objects.create(
        period=timezone.localdate().replace(day=1), source="complaints", language="zh", term="欧阳娜娜", count=1
    )
    return c, kept, customer


def test_erasure_deletes_the_evidence_files_and_replaces_the_case_files_texts(case, make_user):
    c, kept, customer = case
    mine = ComplaintDocument.objects.select_related("document").get(complaint=c)
    theirs = ComplaintDocument.objects.select_related("document").get(complaint=kept)
    path = mine.document.file.name
    assert default_storage.exists(path)
    action = ImprovementAction.objects.get(source_kind=SourceKind.SURVEY)
    assert FOLLOWUP in action.title and VocTheme.objects.filter(term="欧阳娜娜").exists()

    # when the customer's data is erased
    result = personal_data_erase(actor=make_user(role="admin"), customer_id=customer.pk, reason="request")

    # then the evidence file is gone from storage, its row keeps no name
    assert result["files_erased"] >= 1 and not default_storage.exists(path)
    doc = Document.objects.get(pk=mine.document_id)
    assert (doc.file.name, doc.original_name) == ("", PLACEHOLDER)
    mine.refresh_from_db()
    assert mine.note == PLACEHOLDER
    # and every note of the timeline, the evidence's file name, the extension's reason are replaced
    notes = set(ComplaintEvent.objects.filter(complaint=c).exclude(note="").values_list("note", flat=True))
    assert notes == {PLACEHOLDER}
    evidence = ComplaintEvent.objects.get(complaint=c, action="evidence")
    assert evidence.payload["name"] == PLACEHOLDER
    assert set(ComplaintClock.objects.filter(complaint=c).exclude(extension_reason="").values_list("extension_reason", flat=True)) == {PLACEHOLDER}  # fmt: skip
    # and what the customer was sent quotes none of it
    bodies = " ".join(Notification.objects.filter(recipient=customer.user_id).values_list("body", flat=True))
    bodies += " ".join(Notification.objects.filter(recipient__isnull=True).values_list("body", flat=True))
    told = " ".join(Notification.objects.filter(kind__startswith="complaint_").values_list("body", flat=True))
    for text in (PROGRESS, REASON, "赔偿清洁费", "客户接受"):
        assert text not in bodies and text not in told, text
    # and the survey's comment, the follow-up's note and the improvement action quoting it
    response = Response.objects.get(customer=customer)
    assert response.comment == PLACEHOLDER
    assert FollowUp.objects.get(response=response).note == PLACEHOLDER
    action.refresh_from_db()
    assert FOLLOWUP not in action.title and action.plan == PLACEHOLDER and PLACEHOLDER in action.title
    # and the voice of the customer: the person's name is no theme, the placeholder never one
    assert not VocTheme.objects.filter(term="欧阳娜娜").exists()
    assert tokenize(f"{PLACEHOLDER} 地板 {PLACEHOLDER}") == ["地板"]
    # and another customer's complaint keeps its file and texts
    theirs.refresh_from_db()
    assert theirs.note == EVIDENCE and default_storage.exists(theirs.document.file.name)
    assert ComplaintEvent.objects.filter(complaint=kept, note=EVIDENCE).exists()
