from django.urls import path

from . import views

app_name = "students"

urlpatterns = [
    path("", views.student_list_view, name="list"),
    path("<int:student_id>/", views.student_detail, name="detail"),
    path("<int:student_id>/overplaatsen/", views.student_move_view, name="move"),
]
