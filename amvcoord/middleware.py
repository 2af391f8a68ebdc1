from urllib.parse import urlencode

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_cache_control

# Session key set at login (amvcoord.signals): whether the user has a confirmed TOTP device. Kept in the session
# so that ordinary page views cost no extra query.
HAS_DEVICE_SESSION_KEY = "amvcoord_has_otp_device"


class ContentSecurityPolicyMiddleware:
    """Adds the Content-Security-Policy header (Django 5.2 has none built in)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        return response


class NoStoreForLoggedInMiddleware:
    """`Cache-Control: no-store, private` on every answer to someone logged in (also halfway, before the second
    factor, and the answer that logs them out): school computers are shared, and a pupil's page must not be
    readable from the browser cache after logout. Static files never come here (WhiteNoise answers them first,
    with its long max-age). A view that already says no-store (Django's login and logout) keeps its own header.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        logged_in_before = request.user.is_authenticated
        response = self.get_response(request)
        logged_in = logged_in_before or request.user.is_authenticated  # the answer to a successful login
        if logged_in and "no-store" not in response.get("Cache-Control", ""):
            patch_cache_control(response, no_store=True, private=True)
        return response


class TwoFactorMiddleware:
    """After the password, the second factor: verify a TOTP token if the person has a device, and set one up
    first if their role requires it. Until then only the two-factor pages, logout and static files answer; the
    set-up page only to someone without a device (linking another one needs a code of the first)."""

    OPEN_PREFIXES = ("/static/", "/i18n/", "/privacy/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not user.is_verified():
            has_device = request.session.get(HAS_DEVICE_SESSION_KEY, False)
            if not self._is_open(request.path, has_device=has_device):
                query = urlencode({"next": request.get_full_path()})
                if has_device:
                    return redirect(f"{reverse('two_factor_verify')}?{query}")
                if user.role in settings.TWO_FACTOR_REQUIRED_ROLES:
                    return redirect(f"{reverse('two_factor_setup')}?{query}")
        return self.get_response(request)

    def _is_open(self, path, *, has_device):
        open_paths = {reverse("two_factor_verify"), reverse("logout")}
        if not has_device:
            open_paths.add(reverse("two_factor_setup"))
        return path in open_paths or path.startswith(self.OPEN_PREFIXES)


class DutchFirstLocaleMiddleware(LocaleMiddleware):
    """Dutch unless the person chose English with the switch in the header.

    Django's LocaleMiddleware also follows the browser's Accept-Language, and many school computers run an
    English browser: the Dutch teacher would get English pages without asking for them.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        translation.activate(chosen if chosen in supported else settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()
