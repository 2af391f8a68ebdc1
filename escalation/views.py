from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from common.forms import add_service_errors, run_and_report
from common.http import redirect_back
from students import access

from . import selectors, services
from .forms import ChainForm, DashboardFilterForm, StepFormSet

# -- notifications ----------------------------------------------------------------------------------------------


@login_required
@require_GET
def notification_list(request):
    page = Paginator(selectors.notifications_for(request.user), 30).get_page(request.GET.get("page"))
    return render(request, "escalation/notification_list.html", {"page": page})


@login_required
@require_GET
def notification_open(request, notification_id):
    notification = selectors.notification_for_user_or_404(request.user, notification_id)
    services.notifications_mark_read(person=notification.recipient, notification_ids=[notification.id])
    return redirect(notification.url)


@login_required
@require_POST
def notifications_read(request):
    person = access.person_of(request.user)
    if person is not None:
        services.notifications_mark_read(person=person)
    return redirect("escalation:notifications")


# -- escalations ------------------------------------------------------------------------------------------------


@login_required
@require_GET
def dashboard(request):
    access.require(access.can_view_escalation_dashboard(request.user))
    form = DashboardFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    now = timezone.now()
    since = now - timedelta(weeks=4)
    escalations = selectors.dashboard_escalations(
        request.user,
        location_id=filters.get("location"),
        class_id=filters.get("school_class"),
        step=filters.get("step"),
        now=now,
    )
    locations, classes = selectors.dashboard_filter_choices(request.user)
    context = {
        "page": Paginator(escalations, 50).get_page(request.GET.get("page")),
        "filters": filters,
        "locations": locations,
        "classes": classes,
        "counts_by_step": selectors.counts_by_step(request.user),
        "figures": selectors.location_figures(request.user, since=since, now=now),
        "exhausted": selectors.recently_exhausted(request.user, since=since),
        "failed_emails": selectors.failed_emails(request.user)[:20],
        "nobody_to_notify": selectors.students_nobody_to_notify(request.user, since=since),
        "health": selectors.sweep_health(request.user, since=since),
        # Every row is of the user's own school, so the right to resolve is the same for all of them.
        "can_resolve": access.can_resolve_escalations(request.user),
        "now": now,
    }
    return render(request, "escalation/dashboard.html", context)


@login_required
@require_GET
def my_escalations(request):
    access.require(access.person_of(request.user) is not None)
    page = Paginator(selectors.my_escalations(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "escalation/mine.html", {"page": page, "now": timezone.now()})


@login_required
@require_GET
def escalation_detail(request, escalation_id):
    escalation = selectors.escalation_for_user_or_404(request.user, escalation_id)
    context = {
        "escalation": escalation,
        "events": selectors.escalation_events(escalation),
        "can_resolve": access.can_resolve_escalation(request.user, escalation),
    }
    return render(request, "escalation/detail.html", context)


@login_required
@require_POST
def acknowledge(request, escalation_id):
    escalation = selectors.escalation_for_user_or_404(request.user, escalation_id)
    run_and_report(
        request,
        lambda: services.escalation_acknowledge(escalation=escalation, actor=request.user),
        success=_("U pakt de escalatie over %(name)s op.") % {"name": escalation.student.full_name},
        failure_level=messages.WARNING,
    )
    return redirect_back(request, "escalation:mine")


@login_required
@require_POST
def resolve(request, escalation_id):
    escalation = selectors.escalation_for_user_or_404(request.user, escalation_id)
    access.require(access.can_resolve_escalation(request.user, escalation))
    if services.escalation_resolve(escalation=escalation, actor=request.user):
        messages.success(request, _("Escalatie over %(name)s afgehandeld.") % {"name": escalation.student.full_name})
    else:
        messages.info(request, _("Deze escalatie was al gesloten."))
    return redirect_back(request, "escalation:dashboard")


@login_required
@require_POST
def resend_email(request, notification_id):
    notification = selectors.failed_email_for_user_or_404(request.user, notification_id)
    run_and_report(
        request,
        lambda: services.notification_resend(notification=notification, actor=request.user),
        success=_("De e-mail aan %(name)s wordt opnieuw verstuurd.") % {"name": notification.recipient.name},
        failure_level=messages.WARNING,
    )
    return redirect("escalation:dashboard")


# -- chain configuration ----------------------------------------------------------------------------------------


@login_required
@require_GET
def chain_list(request):
    access.require(access.can_manage_chains(request.user))
    return render(request, "escalation/chain_list.html", {"chains": selectors.chains_for(request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def chain_edit(request, chain_id=None):
    access.require(access.can_manage_chains(request.user))
    person = access.person_of(request.user)
    chain = selectors.chain_for_user_or_404(request.user, chain_id) if chain_id else None
    initial_steps = [
        {"roles": step.roles, "after_minutes": step.after_minutes, "channels": step.channels}
        for step in (chain.steps.all() if chain else [])
    ]
    form = ChainForm(request.POST or None, instance=chain)
    form.instance.school_id = person.organisation_id
    formset = StepFormSet(request.POST or None, initial=initial_steps, prefix="steps")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        steps = [
            {key: step_form.cleaned_data[key] for key in ("roles", "after_minutes", "channels")}
            for step_form in formset.forms
            if step_form.cleaned_data.get("roles") and not step_form.cleaned_data.get("DELETE")
        ]
        try:
            chain = services.chain_save_steps(chain=form.instance, steps=steps)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Escalatieketen opgeslagen. Lopende escalaties volgen hun oude keten."))
            return redirect("escalation:chains")
    return render(request, "escalation/chain_form.html", {"form": form, "formset": formset, "chain": chain})
