"""Small helpers shared by the test folders."""

from django.urls import reverse


def text_of(response) -> str:
    return response.content.decode()


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)
