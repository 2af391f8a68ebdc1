from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from students.selectors import person_of

from . import selectors, services


@login_required
@require_GET
def notification_list(request):
    page = Paginator(selectors.notifications_for(request.user), 30).get_page(request.GET.get("page"))
    return render(request, "escalation/notification_list.html", {"page": page})


@login_required
@require_POST
def notifications_read(request):
    person = person_of(request.user)
    if person is not None:
        services.notifications_mark_read(person=person)
    return redirect("escalation:notifications")
