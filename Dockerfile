# One image for web (gunicorn), worker and beat (celery); see docker-compose.yml.

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PATH=/opt/venv/bin:$PATH
# msgfmt for compilemessages; it stays in this stage.
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*
RUN python -m venv /opt/venv
WORKDIR /app

# Dependencies first, so a code change does not reinstall them: with only pyproject.toml there is no package
# to find yet, and pip installs just the dependencies (plus an empty amvcoord).
COPY pyproject.toml README.md ./
RUN pip install .

COPY . .
RUN pip install --no-deps --force-reinstall .
# Settings refuse to load without a SECRET_KEY when DEBUG is off; these commands never sign anything.
RUN if [ -d locale ]; then DEBUG=0 SECRET_KEY=build-only python manage.py compilemessages --ignore=.venv; fi \
    && DEBUG=0 SECRET_KEY=build-only python manage.py collectstatic --noinput --verbosity=0


FROM python:3.11-slim
# Run from /app: templates/, locale/ and staticfiles/ sit beside the packages there (BASE_DIR), not in the
# installed wheel, so /app goes first on the path.
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONPATH=/app \
    PATH=/opt/venv/bin:$PATH \
    DEBUG=0 \
    WEB_CONCURRENCY=3
# A writable home for the unprivileged user (gunicorn puts its control socket there).
RUN groupadd --system amvcoord && useradd --system --gid amvcoord --create-home amvcoord
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
WORKDIR /app
USER amvcoord
EXPOSE 8000
CMD ["gunicorn", "amvcoord.wsgi", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
