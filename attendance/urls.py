from django.urls import path

import common.converters  # noqa: F401 - registers <id:...> and <isodate:...>

from . import roster_views, views

app_name = "attendance"

urlpatterns = [
    path("vandaag/", roster_views.today_view, name="today"),
    path("klas/<id:class_id>/", roster_views.roster_view, name="roster"),
    path("klas/<id:class_id>/<isodate:day>/leerling/<id:student_id>/", roster_views.roster_row_view, name="roster_row"),
    path("te-beantwoorden/", views.inbox_view, name="inbox"),
    path("te-beantwoorden/leerling/<id:student_id>/", views.explain_view, name="explain"),
    path("ziekmelding/", views.sick_report_new_view, name="sick_report_new"),
    path("ziekmelding/<id:report_id>/beter/", views.sick_report_close_view, name="sick_report_close"),
    path("ziekmelding/<id:report_id>/ziekenhuis/", views.sick_report_hospital_view, name="sick_report_hospital"),
    path("afspraak/", views.appointment_new_view, name="appointment_new"),
    path("beoordelen/", views.decisions_view, name="decisions"),
    path("beoordelen/export.csv", views.decisions_export_view, name="decisions_export"),
    path("beoordelen/<id:record_id>/", views.decide_view, name="decide"),
    path("leerling/<id:student_id>/tijdlijn/", views.chronology_view, name="chronology"),
]
