from attendance.models import Appointment, ExplanationRequest, SickReport
from students.models import Student


def quiet_pupils_of_the_demo_mentor(count):
    """Pupils of class 1A living at COA Wiekenweg (the demo housing worker's location, the demo guardian's wards)
    with nothing pending today: no sick report, appointment or open explanation request."""
    busy = (
        set(SickReport.objects.values_list("student_id", flat=True))
        | set(Appointment.objects.values_list("student_id", flat=True))
        | set(ExplanationRequest.objects.filter(status="open").values_list("student_id", flat=True))
    )
    pupils = (
        Student.objects.filter(
            school_class__name="1A",
            placements__location__name="COA Amersfoort Wiekenweg",
            guardianships__guardian__name="Pieter Brouwer",
        )
        .exclude(id__in=busy)
        .order_by("student_number")
    )
    return list(pupils[:count])
