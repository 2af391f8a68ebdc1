"""What the escalation app does when something happens below it (events from `attendance.signals` and
`students.signals`, connected in apps.py). Each runs inside the sender's transaction."""

from . import services


def close_for_requests(sender, *, request_ids, answered, actor, **kwargs):
    services.escalations_close_for_requests(request_ids, answered=answered, actor=actor)


def tell_school_of_hospital_admission(sender, *, sick_report, **kwargs):
    services.urgent_housing_news_create(sick_report=sick_report)


def settle_by_decision(sender, *, record, actor, **kwargs):
    services.escalations_settle_by_decision(record=record, actor=actor)


def cancel_for_leaver(sender, *, student, left_on, actor, **kwargs):
    services.escalations_cancel_for_student(student=student, actor=actor)
