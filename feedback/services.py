"""The one write path of surveys and follow-ups (docs/feedback.md).

Invitations come from the closed work orders and complaints (subscribers of their events), the
periodic job for key customers, or an agent recording a survey on a call. Answering is once per
invitation, enforced by the database: a conditional UPDATE of ``answered_at`` (one of two
concurrent submissions changes the row, the other finds it answered) and the one-to-one
``Response.invitation``.
"""

import datetime as dt
import hashlib
import secrets
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.choices import Role
from accounts.models import User
from accounts.roles import can
from complaints.events import ComplaintClosed
from complaints.models import Complaint
from core import audit, events
from core.errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed
from core.policies import get_policy
from customers.models import Customer
from notifications.preferences import language_of, preferences_of
from notifications.services import Message, notify_many
from service.events import OrderClosed
from service.models import WorkOrder

from . import rollup, scoring
from .choices import Channel, FollowUpReason, FollowUpStatus, Outcome, QuestionKind, Reason
from .events import FollowupDone, SurveyAnswered
from .models import Answer, FollowUp, Invitation, Question, Response, SurveyTemplate, SurveyVersion
from .permissions import followup_for_update

TEMPLATE_CODE = "satisfaction"  # the template every invitation uses (its newest version)
MAX_TEXT = 2000
MAX_NOTE = 2000


class Expired(DomainError):
    status = 410
    code = "expired"
    default_message = gettext_lazy("This survey link has expired.")


class AlreadyAnswered(Conflict):
    code = "already_answered"
    default_message = gettext_lazy("This survey has already been answered. Thank you!")


# --- tokens ----------------------------------------------------------------------------------


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def new_token() -> tuple[str, str]:
    """An unguessable link token (256 random bits) and its hash (the only thing stored)."""
    raw = secrets.token_urlsafe(32)
    return raw, token_hash(raw)


def survey_link(raw: str) -> str:
    return settings.NOTIFY_BASE_URL.rstrip("/") + reverse("survey", args=[raw])


def invitation_by_token(raw: str, *, now: dt.datetime | None = None, for_update: bool = False) -> Invitation:
    """The invitation of a link token: 404 for an unknown (forged, guessed) token, 409 once
    answered, 410 once expired."""
    now = now or timezone.now()
    if not isinstance(raw, str) or not 20 <= len(raw) <= 100:
        raise NotFound(_("This survey link is not valid."))
    qs = Invitation.objects.select_related("version", "customer")
    if for_update:
        qs = qs.select_for_update()
    invitation = qs.filter(token_hash=token_hash(raw)).first()
    if invitation is None:
        raise NotFound(_("This survey link is not valid."))
    if invitation.answered_at is not None:
        raise AlreadyAnswered()
    if invitation.expires_at <= now:
        raise Expired()
    return invitation


def invitation_language(raw: str) -> str | None:
    """The language of a (known) link's invitation, for its refusal page."""
    if not isinstance(raw, str) or not 20 <= len(raw) <= 100:
        return None
    return Invitation.objects.filter(token_hash=token_hash(raw)).values_list("language", flat=True).first()


# --- invitations -----------------------------------------------------------------------------

SUBJECT = gettext_lazy("How satisfied are you with our service?")
BODY_ORDER = gettext_lazy("Your service order %(number)s is closed. Please tell us how we did (two minutes):")
BODY_COMPLAINT = gettext_lazy("Your complaint %(number)s is closed. Please tell us how we handled it:")
BODY_PERIODIC = gettext_lazy("As one of our key customers, please tell us how satisfied you are with us:")
BODY_LINK = gettext_lazy("%(link)s (valid until %(expires)s)")


def current_version() -> SurveyVersion:
    template = SurveyTemplate.objects.filter(code=TEMPLATE_CODE).first()
    version = template.current_version() if template is not None else None
    if version is None:
        raise NotFound(_("No survey template is set up."))
    return version


def _invite(
    *,
    actor,
    customer: Customer,
    reason: str,
    now: dt.datetime,
    order: WorkOrder | None = None,
    complaint: Complaint | None = None,
    period: str = "",
    send: bool = True,
) -> tuple[Invitation, str]:
    raw, hashed = new_token()
    user = customer.user if customer.user_id and customer.user.is_active else None
    language = language_of(user, preferences_of([user]).get(user.pk)) if user else settings.LANGUAGE_CODE
    department = order.department_id if order else complaint.department_id if complaint else None
    line = None
    if order is not None and order.product_model_id:
        line = order.product_model.line_id
    elif complaint is not None and complaint.order_id and complaint.order.product_model_id:
        line = complaint.order.product_model.line_id
    invitation = Invitation.objects.create(
        customer=customer,
        order=order,
        complaint=complaint,
        version=current_version(),
        reason=reason,
        department_id=department,
        product_line_id=line,
        token_hash=hashed,
        language=language,
        period=period,
        created_at=now,
        expires_at=now + dt.timedelta(days=int(get_policy("feedback.invitation_days"))),
    )
    rollup.invitation_created(invitation)
    if send and user is not None:
        body = {Reason.ORDER_CLOSED: BODY_ORDER, Reason.COMPLAINT_CLOSED: BODY_COMPLAINT}.get(reason, BODY_PERIODIC)
        number = order.number if order else complaint.number if complaint else ""
        values = {
            "number": number,
            "link": survey_link(raw),
            "expires": timezone.localtime(invitation.expires_at).strftime("%Y-%m-%d"),
        }
        rows = notify_many(
            [Message([user], SUBJECT, [body, BODY_LINK], None, "survey", values, link=values["link"])], now=now
        )
        invitation.channels = sorted({r.channel for r in rows})
        Invitation.objects.filter(pk=invitation.pk).update(channels=invitation.channels)
    audit.record(
        actor=actor,
        action="create",
        obj=invitation,
        after={"reason": reason, "customer": customer.pk, "order": getattr(order, "pk", None), "period": period},
        at=now,
    )
    return invitation, raw


def survey_invite(
    *, actor, customer_id: int, order_id: int | None = None, now: dt.datetime | None = None
) -> tuple[Invitation, str]:
    """Send a survey link now (staff, e.g. at the customer's request, or the demo): the
    invitation and its raw token (shown to no one else; only its hash is stored)."""
    if not can(actor, "survey.record"):
        raise Forbidden()
    now = now or timezone.now()
    with transaction.atomic():
        customer = Customer.objects.select_related("user").filter(pk=customer_id).first()
        if customer is None:
            raise NotFound(_("Customer not found."))
        order = None
        if order_id is not None:
            order = WorkOrder.objects.select_related("product_model").filter(pk=order_id, customer=customer).first()
            if order is None:
                msg = _("This customer has no such work order.")
                raise ValidationFailed(msg, fields={"order_id": [msg]})
        return _invite(actor=actor, customer=customer, reason=Reason.CALL, order=order, now=now)


def invite_after_order(evt: OrderClosed) -> Invitation | None:
    """Subscriber of ``service.order_closed``: invite the order's customer (once per order)."""
    order = WorkOrder.objects.select_related("customer__user", "product_model").get(pk=evt.order_id)
    if Invitation.objects.filter(order=order, reason=Reason.ORDER_CLOSED).exists():
        return None
    actor = User.objects.filter(pk=evt.actor_id).first() if evt.actor_id else None
    return _invite(
        actor=actor, customer=order.customer, reason=Reason.ORDER_CLOSED, order=order, now=evt.at or timezone.now()
    )[0]


def invite_after_complaint(evt: ComplaintClosed) -> Invitation | None:
    """Subscriber of ``complaints.complaint_closed``: invite the complainant (once per complaint)."""
    complaint = Complaint.objects.select_related("customer__user", "order__product_model").get(pk=evt.complaint_id)
    if Invitation.objects.filter(complaint=complaint, reason=Reason.COMPLAINT_CLOSED).exists():
        return None
    actor = User.objects.filter(pk=evt.actor_id).first() if evt.actor_id else None
    now = getattr(evt, "at", None) or complaint.closed_at or timezone.now()
    return _invite(
        actor=actor, customer=complaint.customer, reason=Reason.COMPLAINT_CLOSED, complaint=complaint, now=now
    )[0]


def periodic_surveys_send(*, now: dt.datetime | None = None) -> int:
    """Invite every key customer once per survey month (``feedback.periodic_months``; the job
    runs daily and is idempotent: the period is unique per customer). Returns how many were sent."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    if local.month not in [int(m) for m in get_policy("feedback.periodic_months")]:
        return 0
    period = f"{local.year}-{local.month:02d}"
    done = Invitation.objects.filter(period=period).values("customer_id")
    sent = 0
    for customer in Customer.objects.filter(tier=Customer.Tier.KEY).exclude(pk__in=done).select_related("user"):
        try:
            with transaction.atomic():
                _invite(actor=None, customer=customer, reason=Reason.PERIODIC, period=period, now=now)
            sent += 1
        except IntegrityError:  # a concurrent run invited them first
            continue
    return sent


# --- answering ----------------------------------------------------------------------------------


def _clean_answers(version: SurveyVersion, answers) -> tuple[list[tuple[Question, int | None, str]], str]:
    """Check ``answers`` ({question code: value}) against the version's questions."""
    if not isinstance(answers, dict):
        raise ValidationFailed(fields={"answers": [_("Expected an object of question codes and answers.")]})
    questions = list(version.questions.all())
    known = {q.code for q in questions}
    errors: dict[str, list] = {}
    for code in answers:
        if code not in known:
            errors[f"answers.{str(code)[:40]}"] = [_("No such question.")]
    rows, comment = [], ""
    for q in questions:
        value = answers.get(q.code)
        key = f"answers.{q.code}"
        if q.kind == QuestionKind.SCALE:
            if value is None or value == "":
                errors[key] = [_("Please answer this question.")]
                continue
            if isinstance(value, str) and value.strip().lstrip("-").isdigit():
                value = int(value)
            if isinstance(value, bool) or not isinstance(value, int) or not q.scale_min <= value <= q.scale_max:
                errors[key] = [
                    _("Choose a whole number from %(low)s to %(high)s.") % {"low": q.scale_min, "high": q.scale_max}
                ]
                continue
            rows.append((q, value, ""))
        else:
            text = "" if value is None else value
            if not isinstance(text, str):
                errors[key] = [_("Expected text.")]
                continue
            if len(text) > MAX_TEXT or "\x00" in text:
                errors[key] = [_("At most %(n)s characters.") % {"n": MAX_TEXT}]
                continue
            text = text.strip()
            rows.append((q, None, text))
            comment = comment or text
    if errors:
        raise ValidationFailed(fields=errors)
    return rows, comment


def _record_answer(*, invitation: Invitation, answers, channel: str, actor, now: dt.datetime) -> Response:
    rows, comment = _clean_answers(invitation.version, answers)
    # The one-answer rule: only one submission turns answered_at from NULL (the others wait on
    # the row lock and then match nothing).
    changed = Invitation.objects.filter(pk=invitation.pk, answered_at__isnull=True, expires_at__gt=now).update(
        answered_at=now
    )
    if not changed:
        fresh = Invitation.objects.filter(pk=invitation.pk).values_list("answered_at", flat=True).first()
        if fresh is not None:
            raise AlreadyAnswered()
        raise Expired()
    items = [
        (scoring.scale_to_100(v, q.scale_min, q.scale_max), q.weight, q.dimension)
        for q, v, _t in rows
        if q.kind == QuestionKind.SCALE
    ]
    s = scoring.scores(items, product_weight=float(get_policy("feedback.product_weight")))
    negative = scoring.is_negative(comment, get_policy("feedback.negative_words"))
    response = Response.objects.create(
        invitation=invitation,
        version=invitation.version,
        customer_id=invitation.customer_id,
        department_id=invitation.department_id,
        product_line_id=invitation.product_line_id,
        channel=channel,
        recorded_by=actor,
        score=s.score,
        product_score=s.product,
        service_score=s.service,
        overall=s.overall,
        satisfied=s.score >= Decimal(str(get_policy("feedback.satisfied_score"))),
        negative=negative,
        comment=comment,
        answered_at=now,
    )
    written = Answer.objects.bulk_create(
        [
            Answer(
                response=response,
                question=q,
                value=v,
                score=scoring.scale_to_100(v, q.scale_min, q.scale_max) if v is not None else None,
                text=t,
                answered_at=now,
            )
            for q, v, t in rows
        ]
    )
    rollup.invitation_answered(invitation, response, written)
    SurveyVersion.objects.filter(pk=invitation.version_id, answered=False).update(answered=True)
    audit.record(actor=actor, action="create", obj=response, at=now)
    low = s.score < Decimal(str(get_policy("feedback.low_score")))
    if low or negative:
        _followup_for_response(response, invitation, low=low, now=now)
    events.publish(
        SurveyAnswered(
            response_id=response.pk,
            invitation_id=invitation.pk,
            customer_id=invitation.customer_id,
            order_id=invitation.order_id,
            complaint_id=invitation.complaint_id,
            score=float(s.score),
            satisfied=response.satisfied,
            negative=negative,
        )
    )
    return response


def survey_answer(*, token: str, answers, now: dt.datetime | None = None) -> Response:
    """A customer answers through their link (no login: the token is the credential)."""
    now = now or timezone.now()
    with transaction.atomic():
        invitation = invitation_by_token(token, now=now)
        return _record_answer(invitation=invitation, answers=answers, channel=Channel.LINK, actor=None, now=now)


def survey_answer_own(*, actor, invitation_id: int, answers, now: dt.datetime | None = None) -> Response:
    """A signed-in customer answers their own pending survey from the portal."""
    now = now or timezone.now()
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_related("version")
            .filter(pk=invitation_id, customer__user=actor, customer__user__isnull=False)
            .first()
        )
        if invitation is None or actor.role != Role.CUSTOMER:
            raise NotFound(_("Survey not found."))
        if invitation.answered_at is not None:
            raise AlreadyAnswered()
        if invitation.expires_at <= now:
            raise Expired()
        return _record_answer(invitation=invitation, answers=answers, channel=Channel.LINK, actor=actor, now=now)


def survey_record_call(
    *, actor, customer_id: int, answers, order_id: int | None = None, now: dt.datetime | None = None
) -> Response:
    """An agent records a survey taken on a phone call: the customer's open invitation for the
    order if there is one, else a new one (reason ``call``), answered at once."""
    if not can(actor, "survey.record"):
        raise Forbidden()
    now = now or timezone.now()
    with transaction.atomic():
        customer = Customer.objects.select_related("user").filter(pk=customer_id).first()
        if customer is None:
            raise NotFound(_("Customer not found."))
        order = None
        if order_id is not None:
            order = WorkOrder.objects.select_related("product_model").filter(pk=order_id, customer=customer).first()
            if order is None:
                msg = _("This customer has no such work order.")
                raise ValidationFailed(msg, fields={"order_id": [msg]})
        invitation = None
        if order is not None:
            invitation = (
                Invitation.objects.select_for_update()
                .select_related("version")
                .filter(order=order, answered_at__isnull=True, expires_at__gt=now)
                .first()
            )
        if invitation is None:
            _clean_answers(current_version(), answers)  # refuse bad input before writing anything
            invitation, _raw = _invite(
                actor=actor, customer=customer, reason=Reason.CALL, order=order, now=now, send=False
            )
        return _record_answer(invitation=invitation, answers=answers, channel=Channel.PHONE, actor=actor, now=now)


# --- follow-ups -------------------------------------------------------------------------------


def _due(start: dt.datetime) -> dt.datetime:
    return start + dt.timedelta(days=int(get_policy("feedback.followup_due_days")))


def _followup(*, customer_id, reason, now, start=None, order=None, response=None, team_id=None, period=""):
    start = start or now
    row = FollowUp.objects.create(
        customer_id=customer_id,
        reason=reason,
        order=order,
        response=response,
        team_id=team_id,
        period=period,
        created_at=now,
        start_at=start,
        due_at=_due(start),
    )
    audit.record(actor=None, action="create", obj=row, at=now)
    return row


def _followup_for_response(response: Response, invitation: Invitation, *, low: bool, now) -> FollowUp:
    reason = FollowUpReason.LOW_SCORE if low else FollowUpReason.NEGATIVE_TEXT
    return _followup(
        customer_id=response.customer_id,
        reason=reason,
        now=now,
        order=invitation.order,
        response=response,
        team_id=invitation.department_id,
    )


def followup_after_order(evt: OrderClosed) -> FollowUp | None:
    """Subscriber of ``service.order_closed``: a follow-up call N days after the service
    (``feedback.followup_after_days``; 0 turns it off), listed from then on."""
    days = int(get_policy("feedback.followup_after_days"))
    if days <= 0:
        return None
    order = WorkOrder.objects.get(pk=evt.order_id)
    if FollowUp.objects.filter(order=order, reason=FollowUpReason.AFTER_SERVICE).exists():
        return None
    closed = evt.at or order.closed_at or timezone.now()
    return _followup(
        customer_id=order.customer_id,
        reason=FollowUpReason.AFTER_SERVICE,
        now=closed,
        start=closed + dt.timedelta(days=days),
        order=order,
        team_id=order.department_id,
    )


def key_visits_create(*, now: dt.datetime | None = None) -> int:
    """A visit record (follow-up ``key_visit``) for every key customer twice a year, in the
    months of ``feedback.visit_months``; idempotent (one per customer and half year)."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    if local.month not in [int(m) for m in get_policy("feedback.visit_months")]:
        return 0
    period = f"{local.year}-H{1 if local.month <= 6 else 2}"
    done = FollowUp.objects.filter(period=period).values("customer_id")
    made = 0
    for customer_id in (
        Customer.objects.filter(tier=Customer.Tier.KEY).exclude(pk__in=done).values_list("pk", flat=True)
    ):
        try:
            with transaction.atomic():
                _followup(customer_id=customer_id, reason=FollowUpReason.KEY_VISIT, now=now, period=period)
            made += 1
        except IntegrityError:
            continue
    return made


def followup_assign(*, actor, followup_id: int, assignee_id: int | None, now: dt.datetime | None = None) -> FollowUp:
    """Assign a follow-up to a person (``followup.assign``), or take it oneself (``followup.work``)."""
    now = now or timezone.now()
    with transaction.atomic():
        row = followup_for_update(actor=actor, followup_id=followup_id)
        if assignee_id != actor.pk and not can(actor, "followup.assign"):
            raise Forbidden()
        if row.status != FollowUpStatus.OPEN:
            raise Conflict(_("This follow-up is already done."))
        assignee = None
        if assignee_id is not None:
            assignee = User.objects.filter(pk=assignee_id, is_active=True).first()
            if assignee is None or not can(assignee, "followup.work"):
                msg = _("Choose an active colleague who makes follow-up calls.")
                raise ValidationFailed(msg, fields={"assignee": [msg]})
        before = {"assignee": row.assignee_id}
        row.assignee = assignee
        row.save(update_fields=["assignee"])
        audit.record(actor=actor, action="assign", obj=row, before=before, after={"assignee": assignee_id}, at=now)
        return row


def followup_complete(
    *, actor, followup_id: int, outcome: str, note: str = "", now: dt.datetime | None = None
) -> FollowUp:
    """Record the outcome of a follow-up; a note is required unless the customer was reached
    without an issue."""
    now = now or timezone.now()
    if outcome not in Outcome.values:
        msg = _("Not a valid choice.")
        raise ValidationFailed(msg, fields={"outcome": [msg]})
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise ValidationFailed(fields={"note": [_("At most %(n)s characters.") % {"n": MAX_NOTE}]})
    if outcome != Outcome.REACHED and not note:
        raise ValidationFailed(fields={"note": [_("Describe what happened.")]})
    with transaction.atomic():
        row = followup_for_update(actor=actor, followup_id=followup_id)
        if row.status != FollowUpStatus.OPEN:
            raise Conflict(_("This follow-up is already done."))
        row.status, row.outcome, row.note, row.done_at, row.done_by = FollowUpStatus.DONE, outcome, note, now, actor
        if row.assignee_id is None:
            row.assignee = actor
        row.save(update_fields=["status", "outcome", "note", "done_at", "done_by", "assignee"])
        audit.record(actor=actor, action="complete", obj=row, at=now)
        events.publish(
            FollowupDone(
                followup_id=row.pk,
                customer_id=row.customer_id,
                reason=row.reason,
                outcome=outcome,
                order_id=row.order_id,
                response_id=row.response_id,
                actor_id=actor.pk,
            )
        )
        return row


ESCALATION_SUBJECT = gettext_lazy("Follow-up %(number)s is overdue")
ESCALATION_BODY = gettext_lazy("The follow-up %(number)s (%(reason)s) was due on %(due)s and is not done yet.")


def followups_escalate(*, now: dt.datetime | None = None) -> int:
    """The periodic scan: every open follow-up past its due time is escalated once (a
    conditional update, safe to re-run) to the supervisors of its team (all supervisors when the
    team has none) and its assignee."""
    now = now or timezone.now()
    ids = list(
        FollowUp.objects.filter(status=FollowUpStatus.OPEN, due_at__lt=now, escalated_at__isnull=True)
        .order_by("due_at", "id")
        .values_list("pk", flat=True)[:1000]
    )
    if not ids:
        return 0
    with transaction.atomic():
        mine = list(
            FollowUp.objects.select_for_update(of=("self",))
            .filter(pk__in=ids, escalated_at__isnull=True)
            .select_related("assignee")
            .order_by("id")
        )
        FollowUp.objects.filter(pk__in=[f.pk for f in mine]).update(escalated_at=now)
        leads = list(User.objects.filter(role=Role.SUPERVISOR, is_active=True))
        reasons = dict(FollowUpReason.choices)
        messages = []
        for f in mine:
            users = [u for u in leads if u.department_id == f.team_id] or leads
            if f.assignee is not None and f.assignee.is_active:
                users = [*users, f.assignee]
            values = {
                "number": f.number,
                "reason": reasons.get(f.reason, f.reason),
                "due": timezone.localtime(f.due_at).strftime("%Y-%m-%d %H:%M"),
            }
            messages.append(Message(users, ESCALATION_SUBJECT, ESCALATION_BODY, f.order_id, "followup_overdue", values))
            audit.record(
                actor=None,
                action="escalate",
                obj=f,
                before={"escalated_at": None},
                after={"escalated_at": now.isoformat()},
                at=now,
            )
        notify_many(messages, now=now)
    return len(mine)
