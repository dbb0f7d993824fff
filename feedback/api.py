"""``/api/v1/surveys/``: answering a survey with its link token (no login) and the survey KPIs
(docs/api.md, docs/feedback.md)."""

import datetime as dt
from typing import Any

from django.utils import translation
from ninja import Field, Path, Query, Router, Schema, Status

from core.api import ERRORS, ErrorOut

from . import kpi, services

router = Router(tags=["surveys"])
TOKEN = Path(..., min_length=1, max_length=200, description="The token of the survey link (`/s/{token}/`).")


class QuestionOut(Schema):
    code: str
    kind: str = Field(description="`scale` (a whole number from `min` to `max`) or `text`.")
    text: str = Field(description="In the invitation's language (or `Accept-Language`).")
    min: int
    max: int
    weight: float
    dimension: str = Field(description="`product`, `service` or empty (free text).")


class SurveyOut(Schema):
    language: str
    expires_at: dt.datetime
    questions: list[QuestionOut]


class AnswersIn(Schema):
    answers: dict[str, Any] = Field(
        description="Question code → answer: a whole number within the question's scale for every `scale` "
        "question (all required), a text of at most 2,000 characters for a `text` question (optional).",
        examples=[{"quality": 9, "price": 8, "delivery": 10, "packaging": 9, "after_sales": 7, "comment": "Fast."}],
    )


class AnsweredOut(Schema):
    response_id: int
    score: float = Field(description="Weighted score, 0–100.")
    overall: float = Field(description="Overall satisfaction: product × w + service × (1 − w), 0–100.")
    satisfied: bool


def _questions(invitation) -> list[dict]:
    return [
        {
            "code": q.code,
            "kind": q.kind,
            "text": q.label,
            "min": q.scale_min,
            "max": q.scale_max,
            "weight": float(q.weight),
            "dimension": q.dimension,
        }
        for q in invitation.version.questions.all()
    ]


class SurveyKpiParams(Schema):
    date_from: dt.date | None = Field(
        default=None, description="First day (Asia/Shanghai); default: 89 days before `date_to`."
    )
    date_to: dt.date | None = Field(default=None, description="Last day, included; default: today.")
    department: int | None = Field(default=None, ge=1, le=2**31 - 1, description="Department id.")
    product_line: int | None = Field(default=None, ge=1, le=2**31 - 1, description="Product line id.")


class QuestionAverage(Schema):
    code: str
    label: str
    dimension: str
    average: float | None = Field(description="Mean answer on 0–100.")
    answers: int
    low: int = Field(description="Answers below 60.")


class MonthOut(Schema):
    month: str
    responses: int
    average_score: float | None
    satisfaction_rate: float | None


class SurveyKpiOut(Schema):
    date_from: dt.date
    date_to: dt.date
    served: int = Field(
        description="Distinct customers served: work order or complaint closed, or invited, in the period."
    )
    invitations_sent: int
    invitations_answered: int
    invited: int = Field(description="Distinct customers invited in the period.")
    responded: int = Field(description="Distinct invited customers who answered.")
    coverage: float | None = Field(description="invited / served.")
    response_rate: float | None = Field(description="responded / invited.")
    coverage_x_response: float | None = Field(description="responded / served, against `coverage_target`.")
    coverage_target: float
    coverage_met: bool
    responses: int = Field(description="Responses answered in the period.")
    satisfied: int
    negative: int
    satisfaction_rate: float | None = Field(description="satisfied / responses.")
    satisfied_score: float
    average_score: float | None
    product_score: float | None
    service_score: float | None
    product_weight: float
    overall_satisfaction: float | None = Field(description="w × product_score + (1 − w) × service_score.")
    questions: list[QuestionAverage] = Field(description="Every scale question's mean, weakest first.")
    months: list[MonthOut]


@router.get("/surveys/kpis", response={200: SurveyKpiOut, **ERRORS}, summary="Survey KPIs for a period")
def survey_kpis(request, params: Query[SurveyKpiParams]):
    """Coverage × response rate, satisfaction rate, average weighted score, overall satisfaction
    and the per-question means, computed in SQL from the daily roll-up that the survey services
    keep (the same figures as from the raw rows; managers, quality, analysts, supervisors)."""
    f = kpi.make_filter(
        date_from=params.date_from,
        date_to=params.date_to,
        department_id=params.department,
        product_line_id=params.product_line,
    )
    r = kpi.report(actor=request.user, f=f)
    return {**r["kpis"], "questions": r["questions"], "months": r["months"]}


@router.get(
    "/surveys/{token}",
    auth=None,
    response={200: SurveyOut, 404: ErrorOut, 409: ErrorOut, 410: ErrorOut, 422: ErrorOut},
    summary="A survey's questions",
)
def survey_get(request, token: str = TOKEN):
    """The questions of an open survey, in the invitation's language. 404 for an unknown token,
    409 once answered, 410 once expired, 422 for a token longer than any link's."""
    invitation = services.invitation_by_token(token)
    with translation.override(invitation.language):
        questions = _questions(invitation)
    return {"language": invitation.language, "expires_at": invitation.expires_at, "questions": questions}


@router.post(
    "/surveys/{token}/answers",
    auth=None,
    response={201: AnsweredOut, 410: ErrorOut, **ERRORS},
    summary="Answer a survey",
)
def survey_answer(request, payload: AnswersIn, token: str = TOKEN):
    """Answer once with the link's token (no login, no cookie: the token is the credential).
    404 unknown token (nothing is told about why), 409 `already_answered`, 410 `expired`, 422 bad
    answers (`fields` per question: `answers.<code>`)."""
    response = services.survey_answer(token=token, answers=payload.answers)
    return Status(
        201,
        {
            "response_id": response.pk,
            "score": float(response.score),
            "overall": float(response.overall),
            "satisfied": response.satisfied,
        },
    )
