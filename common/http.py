from django.http import HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme

# Larger ids cannot exist (64-bit primary keys) and some databases refuse to even compare them.
MAX_ID = 2**63 - 1


def safe_next_url(request, fallback) -> str:
    """The `next` parameter if it is a path on this site, else `fallback` (a URL or a URL name)."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate.startswith("/") and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(fallback)


def redirect_back(request, fallback) -> HttpResponseRedirect:
    return HttpResponseRedirect(safe_next_url(request, fallback))


def ids_from(values) -> list[int]:
    """The valid ids among submitted strings; anything else is ignored."""
    # isdigit() also accepts "²"; ASCII decimals are what int() reads.
    return [int(value) for value in values if value.isascii() and value.isdecimal() and int(value) <= MAX_ID]
