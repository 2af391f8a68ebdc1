from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django_otp import user_has_device

from .middleware import HAS_DEVICE_SESSION_KEY


@receiver(user_logged_in)
def remember_two_factor_device(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[HAS_DEVICE_SESSION_KEY] = user_has_device(user, confirmed=True)
