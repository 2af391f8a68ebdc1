from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import selectors
from .forms import DirectorySearchForm


@login_required
@require_GET
def directory_view(request):
    form = DirectorySearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    query = filters.get("q", "")
    organisations = selectors.directory_organisations(query=query, kind=filters.get("kind", ""))
    page = Paginator(organisations, 20).get_page(request.GET.get("page"))
    entries = selectors.directory_entries(page.object_list, query=query)
    return render(request, "contacts/directory.html", {"form": form, "page": page, "entries": entries})
