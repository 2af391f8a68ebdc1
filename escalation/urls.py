from django.urls import path

import common.converters  # noqa: F401 - registers <id:...>

from . import views

app_name = "escalation"

urlpatterns = [
    path("meldingen/", views.notification_list, name="notifications"),
    path("meldingen/gelezen/", views.notifications_read, name="notifications_read"),
    path("meldingen/<id:notification_id>/", views.notification_open, name="notification_open"),
    path("escalaties/", views.dashboard, name="dashboard"),
    path("escalaties/mijn/", views.my_escalations, name="mine"),
    path("escalaties/<id:escalation_id>/", views.escalation_detail, name="detail"),
    path("escalaties/<id:escalation_id>/oppakken/", views.acknowledge, name="acknowledge"),
    path("escalaties/<id:escalation_id>/afgehandeld/", views.resolve, name="resolve"),
    path("escalaties/e-mails/<id:notification_id>/opnieuw/", views.resend_email, name="resend_email"),
    path("escalaties/ketens/", views.chain_list, name="chains"),
    path("escalaties/ketens/nieuw/", views.chain_edit, name="chain_new"),
    path("escalaties/ketens/<id:chain_id>/", views.chain_edit, name="chain_edit"),
]
