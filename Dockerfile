# FitMyCV production image: gunicorn serves the app; the same image runs the Celery worker
# and beat (see compose.yaml). Static files are collected at build time and served by
# whitenoise.
FROM python:3.11-slim-bookworm

# The image runs in production mode unless DEBUG=True is passed at run time; SECRET_KEY
# (or SECRET_KEY_FILE) must then be given, or the app refuses to start.
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=fitmycv.settings DEBUG=False

RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig fonts-dejavu-core \
        postgresql-client \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 1000 fitmycv
WORKDIR /app
COPY requirements.txt .
RUN pip install --require-hashes -r requirements.txt
COPY . .
# collectstatic needs a key to import settings; it is not used at run time.
RUN SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput
USER fitmycv
EXPOSE 8000
# Workers, port and timeout come from gunicorn.conf.py (WEB_CONCURRENCY, PORT, GUNICORN_TIMEOUT).
CMD ["gunicorn", "fitmycv.wsgi"]
