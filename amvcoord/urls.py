from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

import common.converters  # noqa: F401 - registers <id:...>

from . import two_factor, views

admin.site.site_header = _("amvcoord beheer")
admin.site.site_title = _("amvcoord beheer")
admin.site.index_title = _("Organisaties, locaties, contactpersonen en leerlingen")

urlpatterns = [
    path("", views.home, name="home"),
    path("inloggen/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("uitloggen/", auth_views.LogoutView.as_view(), name="logout"),
    path("2fa/instellen/", two_factor.setup, name="two_factor_setup"),
    path("2fa/verifieren/", two_factor.verify, name="two_factor_verify"),
    path("privacy/", views.privacy, name="privacy"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("leerlingen/<id:student_id>/inzage/", views.student_audit_trail, name="student_audit_trail"),
    path("leerlingen/", include("students.urls")),
    path("contacten/", include("contacts.urls")),
    path("aanwezigheid/", include("attendance.urls")),
    path("", include("escalation.urls")),
    path("beheer/", admin.site.urls),
]
