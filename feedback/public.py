"""The survey page a customer opens from the link (``/s/<token>/``): no login, phone first, in
the invitation's language (switchable with ``?lang=``). CSRF-protected like every form. An
unknown token (forged, guessed, mistyped) is a 404, an answered survey a 409, an expired one a
410 — each with a clear page, and nothing changed."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.cache import never_cache

from core.errors import DomainError, ValidationFailed

from . import services
from .choices import QuestionKind
from .permissions import invitations_visible_to

LANGS = {code for code, _name in settings.LANGUAGES}


def _language(request, invitation=None) -> str:
    asked = request.GET.get("lang", "")
    if asked in LANGS:
        return asked
    language = invitation if isinstance(invitation, str) else getattr(invitation, "language", None)
    return language or translation.get_language()


def questions_of(version, values=None, errors=None) -> list[dict]:
    values, errors = values or {}, errors or {}
    return [
        {
            "q": q,
            "scale": list(range(q.scale_min, q.scale_max + 1)) if q.kind == QuestionKind.SCALE else None,
            "value": values.get(q.code, ""),
            "errors": errors.get(f"answers.{q.code}", []),
        }
        for q in version.questions.all()
    ]


def answers_from_post(version, post) -> dict:
    return {q.code: post.get(q.code, "") for q in version.questions.all()}


@never_cache
def survey_page(request, token: str):
    invitation, error = None, None
    try:
        invitation = services.invitation_by_token(token)
    except DomainError as exc:
        error = exc
        if exc.status in (409, 410):  # a real link: its page speaks the invitation's language
            language = _language(request, services.invitation_language(token))
        else:
            language = _language(request)
    else:
        language = _language(request, invitation)
    with translation.override(language):
        if error is not None:
            return _refused(request, error, token, language)
        context = {"token": token, "language": language, "invitation": invitation}
        if request.method == "POST":
            answers = answers_from_post(invitation.version, request.POST)
            try:
                response = services.survey_answer(token=token, answers=answers)
            except ValidationFailed as exc:
                context["questions"] = questions_of(invitation.version, answers, exc.fields)
                context["form_error"] = exc.message
                return render(request, "feedback/survey.html", context, status=422)
            except DomainError as exc:  # answered a moment ago in another tab, or expired meanwhile
                return _refused(request, exc, token, language)
            return render(request, "feedback/survey_done.html", {**context, "response": response})
        context["questions"] = questions_of(invitation.version)
        return render(request, "feedback/survey.html", context)


def _refused(request, error: DomainError, token: str, language: str):
    kind = {404: "invalid", 409: "answered", 410: "expired"}.get(error.status, "invalid")
    status = error.status if error.status in (404, 409, 410) else 404
    context = {
        "kind": kind,
        "message": error.message,
        "language": language,
        "token": token if kind != "invalid" else "",
    }
    return render(request, "feedback/survey_refused.html", context, status=status)


@login_required
@never_cache
def own_survey_page(request, invitation_id: int):
    """The same survey for a signed-in customer, from their portal (their own invitations only;
    another's reads as 404)."""
    invitation = (
        invitations_visible_to(request.user)
        .filter(pk=invitation_id, customer__user=request.user)
        .select_related("version", "order", "complaint")
        .first()
    )
    if invitation is None:
        raise Http404
    language = _language(request, invitation)
    with translation.override(language):
        if invitation.answered_at is not None:
            return _refused(request, services.AlreadyAnswered(), "", language)
        context = {"language": language, "invitation": invitation}
        if request.method == "POST":
            answers = answers_from_post(invitation.version, request.POST)
            try:
                response = services.survey_answer_own(actor=request.user, invitation_id=invitation.pk, answers=answers)
            except ValidationFailed as exc:
                context["questions"] = questions_of(invitation.version, answers, exc.fields)
                context["form_error"] = exc.message
                return render(request, "feedback/survey.html", context, status=422)
            except DomainError as exc:
                return _refused(request, exc, "", language)
            return render(request, "feedback/survey_done.html", {**context, "response": response})
        context["questions"] = questions_of(invitation.version)
        return render(request, "feedback/survey.html", context)
