"""TOTP two-factor login pages: set up an authenticator app, and verify a code after the password."""

from io import BytesIO
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.qr import write_qrcode_image

from common.http import safe_next_url

from .middleware import HAS_DEVICE_SESSION_KEY


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Code uit de app"),
        min_length=6,
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


def _next_url(request):
    return safe_next_url(request, "home")


@login_required
@require_http_methods(["GET", "POST"])
def setup(request):
    """Link an authenticator app: scan the QR code, confirm with one code.

    Whoever already has a confirmed app proves it with a code first: otherwise the password alone would be enough
    to link an app of one's own and be in. The database decides, not the session: an app may have been linked in
    another session since this one logged in.
    """
    if not request.user.is_verified() and user_has_device(request.user, confirmed=True):
        return redirect(f"{reverse('two_factor_verify')}?{urlencode({'next': request.get_full_path()})}")
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first() or TOTPDevice.objects.create(
        user=request.user, name="amvcoord", confirmed=False
    )
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            request.session[HAS_DEVICE_SESSION_KEY] = True
            return redirect(_next_url(request))
        form.add_error(
            "token", _("Deze code klopt niet. Controleer de tijd op uw telefoon en probeer de nieuwste code.")
        )
    qr_svg = BytesIO()
    write_qrcode_image(device.config_url, qr_svg)
    context = {"form": form, "qr_svg": qr_svg.getvalue().decode(), "secret": device.key, "next": _next_url(request)}
    return render(request, "registration/two_factor_setup.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def verify(request):
    """The second step of logging in for everyone who has linked an app."""
    if request.user.is_verified():
        return redirect(_next_url(request))
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            return redirect(_next_url(request))
        form.add_error("token", _("Deze code klopt niet of is verlopen. Probeer de nieuwste code uit uw app."))
    return render(request, "registration/two_factor_verify.html", {"form": form, "next": _next_url(request)})
