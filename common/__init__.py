"""Helpers shared by every app. This package imports no app of the project (import-linter checks it)."""
