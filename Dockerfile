# syntax=docker/dockerfile:1

# --- Front-end: GOV.UK Frontend compiled with Arial, plus its JavaScript, into app/static/dist ---
FROM node:20-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY build-assets.mjs ./
COPY app/assets ./app/assets
RUN node build-assets.mjs

# --- The service ---
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    # Production refuses unsafe settings at start: supply RIIA_DATABASE_URL (PostgreSQL) and
    # RIIA_AUDIT_SIGNING_KEY_FILE (a key mounted from a secret store, not baked into the image).
    RIIA_ENVIRONMENT=production

# WeasyPrint (PDF packs) needs Pango; Liberation gives it a metric-compatible Arial.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-liberation \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /srv/riia
COPY pyproject.toml ./
COPY app ./app
COPY templates ./templates
COPY migrations ./migrations
COPY regions ./regions
COPY core_indicators.yaml ./
COPY --from=assets /build/app/static/dist ./app/static/dist
RUN pip install .
# The code finds templates/, regions/ and migrations/ beside app/, so it runs from this tree
# (PYTHONPATH comes before site-packages) rather than from the copy pip put in site-packages.
ENV PYTHONPATH=/srv/riia

RUN useradd --system --create-home --home-dir /home/riia --shell /usr/sbin/nologin riia \
 && mkdir -p /srv/riia/var \
 && chown riia:riia /srv/riia/var
USER riia

EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import urllib.request, sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"]
CMD ["riia", "serve", "--host", "0.0.0.0", "--port", "8000"]
