"""The complaint page's improvement panel: the complaint's corrective actions and promises with
their forms. Written like ``service.extensions`` order panels — ``panel(complaint, actor)``
returns HTML or "" — for the complaint page's extension point (registered by the coordinator
once it exists); ``/improvement/complaints/<id>/`` shows it meanwhile. Four queries (owners'
and staff choices included) plus one per form-less read; none for an actor without access."""

from django.template.loader import render_to_string

from accounts.roles import can

from . import selectors
from .choices import CorrectiveKind
from .forms import CorrectiveForm, DecisionForm, PromiseForm
from .services import proposed_kind


def complaint_improvement_panel(complaint, actor, request=None) -> str:
    """The panel's HTML. The forms need ``request`` (their CSRF token); without it the panel
    lists the rows and links to the complaint's improvement page for the forms."""
    if not can(actor, "improvement.view"):
        return ""
    data = selectors.complaint_panel(actor=actor, complaint_id=complaint.pk)
    forms = request is not None
    context = {
        "complaint": complaint,
        "forms": forms,
        "proposed": CorrectiveKind(proposed_kind(complaint)),
        **data,
    }
    if forms and can(actor, "improvement.work"):
        context["corrective_form"] = CorrectiveForm(
            owners=selectors.owner_choices(),
            staff=selectors.staff_choices(),
            initial={"kind": proposed_kind(complaint), "owner": actor.pk},
        )
    if forms and can(actor, "promise.request"):
        context["promise_form"] = PromiseForm()
    if forms:
        context["decision_form"] = DecisionForm()
    return render_to_string("improvement/partials/complaint_panel.html", context, request=request)
