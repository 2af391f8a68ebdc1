from django.urls import path

from . import views

app_name = "escalation"

urlpatterns = [
    path("meldingen/", views.notification_list, name="notifications"),
    path("meldingen/gelezen/", views.notifications_read, name="notifications_read"),
    path("meldingen/<int:notification_id>/", views.notification_open, name="notification_open"),
    path("escalaties/", views.dashboard, name="dashboard"),
    path("escalaties/mijn/", views.my_escalations, name="mine"),
    path("escalaties/<int:escalation_id>/", views.escalation_detail, name="detail"),
    path("escalaties/<int:escalation_id>/oppakken/", views.acknowledge, name="acknowledge"),
    path("escalaties/<int:escalation_id>/afgehandeld/", views.resolve, name="resolve"),
    path("escalaties/ketens/", views.chain_list, name="chains"),
    path("escalaties/ketens/nieuw/", views.chain_edit, name="chain_new"),
    path("escalaties/ketens/<int:chain_id>/", views.chain_edit, name="chain_edit"),
]
