"""The one place where the outcome of a write becomes UI.

A refused write (a ``DomainError``) becomes form errors on a re-rendered form, an
error partial for HTMX, or a message and a redirect back for a plain form. Missing
and forbidden objects stay 404 / 403 whatever the interface.
"""

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django_htmx.http import HttpResponseClientRedirect

from core.errors import DomainError, Forbidden, NotFound, ValidationFailed


def checked(form, *formsets) -> dict:
    """The form's clean data, or ``ValidationFailed`` carrying the form's errors."""
    ok = form.is_valid()
    ok = all([fs.is_valid() for fs in formsets]) and ok
    if not ok:
        fields = {name: list(errs) for name, errs in form.errors.items()}
        for fs in formsets:
            for i, errs in enumerate(fs.errors):
                fields.update({f"{fs.prefix}.{i}.{name}": list(v) for name, v in errs.items()})
            if fs.non_form_errors():
                fields[fs.prefix] = list(fs.non_form_errors())
        raise ValidationFailed(fields=fields)
    return form.cleaned_data


def _field_name(form, name: str) -> str | None:
    if form is None:
        return None
    for candidate in (name, name.removesuffix("_id")):
        if candidate in form.fields:
            return candidate
    return None


def _label(name: str, forms) -> str:
    """The label of a field named ``name`` or ``prefix.<row>.name`` in one of ``forms``."""
    parts = name.split(".")
    row = next((int(p) for p in parts if p.isdigit()), None)
    for form in forms:
        fields = getattr(form, "fields", None) or getattr(getattr(form, "form", None), "base_fields", {})
        for candidate in (parts[-1], parts[-1].removesuffix("_id")):
            if candidate in fields:
                label = str(fields[candidate].label or candidate)
                return f"{label} ({row + 1})" if row is not None else label
    return "" if name == "__all__" else name


def details(exc: DomainError, forms=()) -> list[str]:
    """Readable lines for each field error: "Label: message"."""
    lines = []
    for name, msgs in (exc.fields or {}).items():
        label = _label(name, forms)
        lines.extend(f"{label}: {msg}" if label else str(msg) for msg in msgs)
    return lines


def refuse(request, exc: DomainError, *, back: str | None = None, form=None, template=None, context=None, forms=()):
    """Answer a refused write.

    * ``form`` + ``template``: the bound form is shown again with the errors on its fields;
    * an HTMX request: an error partial swapped into ``#flash`` (status 409 / 422);
    * a plain form post: ``messages.error`` and a redirect to ``back``; nothing was changed.

    ``forms`` (forms or formsets) only lend their field labels to the message.
    """
    if isinstance(exc, NotFound):
        raise Http404(str(exc.message))
    if isinstance(exc, Forbidden):
        raise PermissionDenied(str(exc.message))
    if form is not None and template is not None:
        for name, msgs in (exc.fields or {}).items():
            field = _field_name(form, name)
            shown = form.errors.get(field or NON_FIELD_ERRORS, [])
            for msg in msgs:
                if str(msg) not in shown:
                    form.add_error(field, str(msg))
        if not exc.fields:
            form.add_error(None, str(exc.message))
        return render(request, template, context or {}, status=exc.status)
    lines = details(exc, forms)
    if request.htmx:
        response = render(
            request,
            "service/partials/refusal.html",
            {"message": exc.message, "details": lines, "back": back},
            status=exc.status,
        )
        response["HX-Retarget"] = "#flash"
        response["HX-Reswap"] = "innerHTML"
        return response
    messages.error(request, " ".join([str(exc.message), *lines]))
    return redirect(back)


def done(request, message, *, back: str):
    """A write went through: say so and show the page again (a full load for HTMX too)."""
    messages.success(request, message)
    if request.htmx:
        return HttpResponseClientRedirect(back)
    return redirect(back)


def wants_partial(request) -> bool:
    return bool(request.htmx) and not request.htmx.history_restore_request
