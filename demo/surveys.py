"""The satisfaction survey and follow-ups of each closed demo order, drafted once and written
either way (docs/demo.md, docs/feedback.md).

When an order is first closed, the feedback app's subscribers of ``service.order_closed``
invite its customer to the survey (a notification with the link to a customer with a portal
login) and open the after-service follow-up. What happens next is drawn per order
(``draw``), from its own random stream (the seed and the order's index: the orders' own
stream stays as it was): about two thirds of the surveys are answered on a call a few hours to
four days later (about one in eight low, some with a negative comment — a follow-up of the
answer), and the follow-ups that came due are mostly done with an outcome by the agent or the
supervisor, about one in eight left overdue (the feedback showcase's scan escalates them).

``Plan.of`` turns a draw into moments with the feedback policies (``Policy``, read once): the
service path calls ``survey_record_call`` and ``followup_complete`` at those moments
(``history.Replay``), the bulk path writes the rows those services and the subscribers write
(``Rows``), in the same shape (``demo/tests/test_history.py`` compares them per order). A low
answer's follow-up here never finds an issue: an issue found opens an improvement action
(``improvement.subscribers``), which the improvement showcase writes on its own.
"""

import datetime as dt
import json
import random
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from core.policies import get_policy
from feedback import scoring
from feedback.choices import Channel, FollowUpReason, FollowUpStatus, Outcome, QuestionKind, Reason
from feedback.models import Answer, FollowUp, Invitation, Response
from feedback.services import (
    BODY_LINK,
    BODY_ORDER,
    SUBJECT,
    current_version,
    new_token,
    survey_link,
)
from notifications.models import ChannelName
from notifications.services import Message, render
from service.models import order_number

ANSWERED_SHARE = 0.65
LOW_SHARE = 0.12
LEFT_OVERDUE = 0.12
SCALES = ("quality", "price", "delivery", "packaging", "after_sales")
GOOD = ("工程师很专业,响应快。", "Quick and friendly, thank you.", "", "", "上门准时,问题解决了。", "")
BAD = ("等了太久,服务太慢。", "The engineer was rude and it is not fixed.", "维修后还是有问题,很失望。", "")
NOTES = {
    Outcome.REACHED: ("客户表示设备运行正常。", "Customer says it works fine."),
    Outcome.ISSUE_FOUND: ("客户反映仍有异响,已安排复查。", "Still noisy; a second visit is booked."),
    Outcome.NOT_REACHED: ("电话无人接听,已发短信。", "No answer; sent a text message."),
}
AFTER_OUTCOMES = (Outcome.REACHED, Outcome.REACHED, Outcome.REACHED, Outcome.ISSUE_FOUND, Outcome.NOT_REACHED)
LOW_OUTCOMES = (Outcome.REACHED, Outcome.REACHED, Outcome.NOT_REACHED)  # (an issue found: see above)
HOUR_US = 3_600_000_000
DAY_US = 24 * HOUR_US
INAPP = ChannelName.INAPP.value


@dataclass(frozen=True, slots=True)
class Draw:
    """One closed order's random draws: hours until answered (None: never), the answers, and
    each follow-up's (fraction of its window, by "agent" or "lead", outcome, note) or None (left
    open)."""

    hours: int | None
    answers: dict
    after: tuple | None
    low: tuple | None


def draw(seed: int, index: int) -> Draw:
    rng = random.Random(seed * 1_000_003 + index)
    hours = rng.randint(2, 96) if rng.random() < ANSWERED_SHARE else None
    if rng.random() < LOW_SHARE:
        answers = {k: rng.randint(2, 6) for k in SCALES} | {"comment": rng.choice(BAD)}
    else:
        answers = {k: rng.choice((7, 8, 9, 9, 10, 10)) for k in SCALES} | {"comment": rng.choice(GOOD)}

    def followup(outcomes) -> tuple | None:
        if rng.random() < LEFT_OVERDUE:
            return None
        outcome = rng.choice(outcomes)
        return (rng.random(), rng.choice(("agent", "lead")), outcome, NOTES[outcome][rng.randint(0, 1)])

    return Draw(hours, answers, followup(AFTER_OUTCOMES), followup(LOW_OUTCOMES))


@dataclass(frozen=True)
class Policy:
    """The feedback policies and the survey's questions, read once (pure afterwards)."""

    invitation_days: int
    after_days: int
    due_days: int
    low_score: Decimal
    satisfied_score: Decimal
    product_weight: float
    negative_words: tuple
    version_id: int
    questions: tuple  # (id, code, kind, dimension, weight, lowest, highest)

    @classmethod
    def read(cls) -> "Policy":
        version = current_version()
        return cls(
            invitation_days=int(get_policy("feedback.invitation_days")),
            after_days=int(get_policy("feedback.followup_after_days")),
            due_days=int(get_policy("feedback.followup_due_days")),
            low_score=Decimal(str(get_policy("feedback.low_score"))),
            satisfied_score=Decimal(str(get_policy("feedback.satisfied_score"))),
            product_weight=float(get_policy("feedback.product_weight")),
            negative_words=tuple(get_policy("feedback.negative_words")),
            version_id=version.pk,
            questions=tuple(
                (q.pk, q.code, q.kind, q.dimension, q.weight, q.scale_min, q.scale_max) for q in version.questions.all()
            ),
        )


@dataclass(frozen=True, slots=True)
class Followup:
    reason: str
    created_us: int
    start_us: int
    due_us: int
    done: tuple | None  # (us, by, outcome, note)


@dataclass(frozen=True, slots=True)
class Answered:
    us: int
    answers: tuple  # (question id, value, score, text)
    score: Decimal
    product: Decimal | None
    service: Decimal | None
    overall: Decimal
    satisfied: bool
    negative: bool
    comment: str


@dataclass(frozen=True, slots=True)
class Plan:
    """What the services write for one closed order's survey, and when."""

    invited_us: int
    expires_us: int
    after: Followup | None
    answered: Answered | None
    low: Followup | None

    @classmethod
    def of(cls, drawn: Draw, closed_us: int, now_us: int, policy: Policy) -> "Plan":
        expires = closed_us + policy.invitation_days * DAY_US
        after = None
        if policy.after_days > 0:
            start = closed_us + policy.after_days * DAY_US
            after = _followup(FollowUpReason.AFTER_SERVICE, closed_us, start, drawn.after, now_us, policy)
        answered = low = None
        if drawn.hours is not None and closed_us + drawn.hours * HOUR_US < min(now_us, expires):
            answered = _answered(drawn.answers, closed_us + drawn.hours * HOUR_US, policy)
            if answered.score < policy.low_score or answered.negative:
                reason = FollowUpReason.LOW_SCORE if answered.score < policy.low_score else FollowUpReason.NEGATIVE_TEXT
                low = _followup(reason, answered.us, answered.us, drawn.low, now_us, policy)
        return cls(closed_us, expires, after, answered, low)


def _followup(reason: str, created: int, start: int, drawn: tuple | None, now_us: int, policy: Policy) -> Followup:
    due = start + policy.due_days * DAY_US
    done = None
    if drawn is not None and due < now_us:  # the follow-ups that came due: most are done
        fraction, by, outcome, note = drawn
        done = (start + int((due - start) * fraction), by, outcome, note)
    return Followup(reason, created, start, due, done)


def _answered(answers: dict, us: int, policy: Policy) -> Answered:
    """The response ``feedback.services`` computes for ``answers`` (its scoring, its rules)."""
    rows, items, comment = [], [], ""
    for pk, code, kind, dimension, weight, low, high in policy.questions:
        if kind == QuestionKind.SCALE:
            value = answers[code]
            score = scoring.scale_to_100(value, low, high)
            rows.append((pk, value, score, ""))
            items.append((score, weight, dimension))
        else:
            text = (answers.get(code) or "").strip()
            rows.append((pk, None, None, text))
            comment = comment or text
    s = scoring.scores(items, product_weight=policy.product_weight)
    return Answered(
        us=us,
        answers=tuple(rows),
        score=s.score,
        product=s.product,
        service=s.service,
        overall=s.overall,
        satisfied=s.score >= policy.satisfied_score,
        negative=scoring.is_negative(comment, policy.negative_words),
        comment=comment,
    )


def first_close_us(d) -> int | None:
    """When the order was first closed (the subscribers invite and open the follow-up once)."""
    step = d.plan.first("close")
    return None if step is None else step.us


# --- the bulk path: the rows --------------------------------------------------------------------

INVITATION_COLUMNS = (
    "id",
    "customer_id",
    "order_id",
    "version_id",
    "reason",
    "department_id",
    "product_line_id",
    "token_hash",
    "language",
    "channels",
    "period",
    "created_at",
    "expires_at",
    "answered_at",
)
RESPONSE_COLUMNS = (
    "id",
    "invitation_id",
    "version_id",
    "customer_id",
    "department_id",
    "product_line_id",
    "channel",
    "recorded_by_id",
    "score",
    "product_score",
    "service_score",
    "overall",
    "satisfied",
    "negative",
    "comment",
    "answered_at",
)
ANSWER_COLUMNS = ("response_id", "question_id", "value", "score", "text", "answered_at")
FOLLOWUP_COLUMNS = (
    "id",
    "customer_id",
    "reason",
    "order_id",
    "response_id",
    "team_id",
    "assignee_id",
    "status",
    "period",
    "created_at",
    "start_at",
    "due_at",
    "outcome",
    "note",
    "done_at",
    "done_by_id",
)
TABLES = {
    "invitations": (Invitation, INVITATION_COLUMNS),
    "responses": (Response, RESPONSE_COLUMNS),
    "answers": (Answer, ANSWER_COLUMNS),
    "followups": (FollowUp, FOLLOWUP_COLUMNS),
}


class Rows:
    """The feedback rows of a batch of drafted orders (pure: ids from the blocks given, the
    people, lines, languages and channels read before, in the parent)."""

    def __init__(self, *, policy: Policy, reach, people: dict[str, int], lines: dict[int, int], ids: dict, now_us: int):
        self.policy, self.reach, self.people, self.lines, self.ids, self.now_us = (
            policy,
            reach,
            people,
            lines,
            ids,
            now_us,
        )

    def plans(self, drafts) -> list[tuple]:
        """(draft, plan, closing actor role) of each closed order."""
        out = []
        for d in drafts:
            closed = first_close_us(d)
            if closed is not None and d.survey is not None:
                by = next(s.by for s in d.plan.steps if s.action == "close")
                out.append((d, Plan.of(d.survey, closed, self.now_us, self.policy), by))
        return out

    def rows(self, drafts, actors, stamp) -> dict[str, list]:
        """``actors(d)``: the user ids of a draft's roles (``OrderFormatter._actors``); ``stamp``:
        a time in microseconds as the table takes it (``bulk.Adapters.micros``)."""
        planned = self.plans(drafts)
        out = {name: [] for name in TABLES} | {"audits": [], "notifications": []}
        invitations = iter(self.ids["invitations"].take(len(planned)))
        answered = [p for _d, p, _b in planned if p.answered is not None]
        responses = iter(self.ids["responses"].take(len(answered)))
        count = sum((p.after is not None) + (p.low is not None) for _d, p, _b in planned)
        followups = iter(self.ids["followups"].take(count))
        policy, people = self.policy, self.people
        for d, plan, by in planned:
            inv = next(invitations)
            line = self.lines.get(d.product_model_id)
            language, channels = settings.LANGUAGE_CODE, []
            raw, hashed = new_token()
            found = self.reach.users.get(d.customer_user) if d.customer_user is not None else None
            if found is not None:
                user, language, chosen = found
                channels = sorted(set(chosen))
                link = survey_link(raw)
                expires = dt.datetime.fromtimestamp(plan.expires_us / 1e6, dt.UTC)
                values = {
                    "number": order_number(d.pk),
                    "link": link,
                    "expires": timezone.localtime(expires).strftime("%Y-%m-%d"),
                }
                subject, body = render(
                    Message([user], SUBJECT, [BODY_ORDER, BODY_LINK], None, "survey", values), language
                )
                out["notifications"] += [
                    (
                        user.pk,
                        ch,
                        "survey",
                        subject,
                        body,
                        None,
                        link,
                        stamp(plan.invited_us),
                        stamp(plan.invited_us) if ch == INAPP else None,
                        0,
                        "",
                    )  # fmt: skip
                    for ch in chosen
                ]
            answered_us = plan.answered.us if plan.answered is not None else None
            out["invitations"].append(
                (inv, d.customer_id, d.pk, policy.version_id, Reason.ORDER_CLOSED.value, d.department, line, hashed,
                 language, json.dumps(channels), "", stamp(plan.invited_us), stamp(plan.expires_us), stamp(answered_us))
            )  # fmt: skip
            after = {"reason": Reason.ORDER_CLOSED.value, "customer": d.customer_id, "order": d.pk, "period": ""}
            out["audits"].append(
                (
                    stamp(plan.invited_us),
                    actors(d)[by],
                    "create",
                    "feedback.invitation",
                    str(inv),
                    f"S{inv:08d}",
                    None,
                    json.dumps(after),
                )  # fmt: skip
            )
            if plan.after is not None:
                self._followup(out, next(followups), d, plan.after, None, stamp)
            a = plan.answered
            if a is None:
                continue
            resp = next(responses)
            out["responses"].append(
                (resp, inv, policy.version_id, d.customer_id, d.department, line, Channel.PHONE.value, people["agent"],
                 a.score, a.product, a.service, a.overall, a.satisfied, a.negative, a.comment, stamp(a.us))
            )  # fmt: skip
            at = stamp(a.us)
            out["answers"] += [(resp, q, value, score, text, at) for q, value, score, text in a.answers]
            out["audits"].append(
                (at, people["agent"], "create", "feedback.response", str(resp), f"R{resp}", None, None)
            )
            if plan.low is not None:
                self._followup(out, next(followups), d, plan.low, resp, stamp)
        return out

    def _followup(self, out, pk: int, d, f: Followup, response: int | None, stamp) -> None:
        done = f.done
        by = self.people[done[1]] if done else None
        out["followups"].append(
            (pk, d.customer_id, f.reason, d.pk, response, d.department, by,
             FollowUpStatus.DONE.value if done else FollowUpStatus.OPEN.value, "", stamp(f.created_us),
             stamp(f.start_us), stamp(f.due_us), done[2] if done else "", done[3] if done else "",
             stamp(done[0]) if done else None, by)
        )  # fmt: skip
        number = f"F{pk:08d}"
        out["audits"].append((stamp(f.created_us), None, "create", "feedback.followup", str(pk), number, None, None))
        if done:
            out["audits"].append((stamp(done[0]), by, "complete", "feedback.followup", str(pk), number, None, None))


def ops(d, now_us: int, policy: Policy) -> list[tuple[int, str, tuple]]:
    """The service path's calls for one closed order's survey: (us, kind, args)."""
    closed = first_close_us(d)
    if closed is None or d.survey is None:
        return []
    plan = Plan.of(d.survey, closed, now_us, policy)
    out = []
    if plan.after is not None and plan.after.done is not None:
        at, by, outcome, note = plan.after.done
        out.append((at, "followup_done", (plan.after.reason, by, outcome, note)))
    if plan.answered is not None:
        out.append((plan.answered.us, "survey_answer", (d.survey.answers,)))
        if plan.low is not None and plan.low.done is not None:
            at, by, outcome, note = plan.low.done
            out.append((at, "followup_done", (plan.low.reason, by, outcome, note)))
    return out
