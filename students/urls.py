from django.urls import path

import common.converters  # noqa: F401 - registers <id:...>

from . import views

app_name = "students"

urlpatterns = [
    path("", views.student_list_view, name="list"),
    path("kiezen/", views.pupil_search_view, name="pupil_search"),
    path("kiezen/gegevens/", views.pupil_details_view, name="pupil_details"),
    path("<id:student_id>/", views.student_detail, name="detail"),
    path("<id:student_id>/overplaatsen/", views.student_move_view, name="move"),
]
