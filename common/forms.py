from django.contrib import messages
from django.core.exceptions import ValidationError


def add_service_errors(form, error: ValidationError):
    """Show a service's ValidationError on the form: on the matching field, or above the form."""
    if hasattr(error, "error_dict"):
        for field, field_errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, field_errors)
    else:
        form.add_error(None, error)


def run_and_report(request, action, *, success, failure_level=messages.ERROR) -> bool:
    """Run a service call from a view without a form to show errors on: its ValidationError becomes a message at
    `failure_level`, otherwise `success` is shown (a text, or a function of the call's result). True when the call
    succeeded."""
    try:
        result = action()
    except ValidationError as error:
        messages.add_message(request, failure_level, " ".join(error.messages))
        return False
    messages.success(request, success(result) if callable(success) else success)
    return True
