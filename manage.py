#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amvcoord.settings")
    # manage.py is the developer's tool: development defaults unless the environment says otherwise (production
    # sets DEBUG=0). The web server (wsgi/asgi) and Celery have no such default and refuse to start without a
    # SECRET_KEY.
    os.environ.setdefault("DEBUG", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
