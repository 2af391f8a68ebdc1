from django.core.exceptions import ValidationError


def add_service_errors(form, error: ValidationError):
    """Show a service's ValidationError on the form: on the matching field, or above the form."""
    if hasattr(error, "error_dict"):
        for field, field_errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, field_errors)
    else:
        form.add_error(None, error)
