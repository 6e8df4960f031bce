# Waakhond service images: one Dockerfile, one target per service, sharing the build.
# Build from the repository root:
#   docker build --target intake     -t waakhond/intake .
#   docker build --target classifier -t waakhond/classifier .
#   docker build --target aggregator -t waakhond/aggregator .
# The one-shot jobs (topics create, migrate) run the aggregator image with another command.

# --- build: the virtualenv with the run-time pins and the project -----------------------
FROM python:3.11-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/waakhond
ENV PATH=/opt/waakhond/bin:$PATH
WORKDIR /src
# Dependencies before sources, so this layer is rebuilt only when the pins change. Only the
# run-time set: the development set in requirements.txt (the tooling's libraries, test and
# lint tools) stays out of the images.
COPY requirements-runtime.txt ./
RUN pip install -r requirements-runtime.txt
COPY pyproject.toml LICENSE NOTICE ./
COPY services ./services
# The pins above are the complete run-time set; --no-deps keeps pip from resolving again,
# and the pinned setuptools builds the package. The repository root's distribution holds the
# services only; the tooling (tools/) is never in the build context.
RUN pip install --no-deps --no-build-isolation .

# --- base: what every service image shares ----------------------------------------------
FROM python:3.11-slim AS base
ENV PATH=/opt/waakhond/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    TZ=UTC \
    HOME=/var/lib/waakhond
# WeasyPrint (the signal report as PDF: `waakhond report`, GET /v1/reports/...) lays out text
# with pango from the system, and the report names DejaVu Sans. Debian's packages, once for
# every image (the targets share this stage), without recommends or package lists.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 waakhond \
    && useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/waakhond \
        --shell /usr/sbin/nologin waakhond \
    && install -d -o 10001 -g 10001 -m 0750 /var/lib/waakhond
COPY --from=build /opt/waakhond /opt/waakhond
WORKDIR /var/lib/waakhond
USER 10001:10001

# --- one target per service -------------------------------------------------------------
# The services bind 127.0.0.1 unless told otherwise; in a container they must listen on all
# interfaces to be reachable through the published port or the Kubernetes Service.

# Intake: the HTTP API that accepts signals and publishes them to Kafka.
FROM base AS intake
ENV WAAKHOND_INTAKE_HOST=0.0.0.0 \
    WAAKHOND_INTAKE_PORT=8000
# deduce builds its lookup cache inside the installed package on first use (about two
# minutes), and intake loads a compact copy converted from it. Building both here, as
# root, means no request ever waits for them and the package directory can stay
# read-only at run time.
USER root
RUN python -m waakhond_intake.processing.privacy.warmup
USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('WAAKHOND_INTAKE_PORT', '8000') + '/healthz', timeout=4)"]
CMD ["waakhond", "intake"]

# Classifier: the faust worker that classifies submitted signals.
FROM base AS classifier
ENV WAAKHOND_CLASSIFIER_WEB_HOST=0.0.0.0 \
    WAAKHOND_CLASSIFIER_WEB_PORT=8001
EXPOSE 8001
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('WAAKHOND_CLASSIFIER_WEB_PORT', '8001') + '/healthz', timeout=4)"]
CMD ["waakhond", "classifier"]

# Aggregator: the Kafka consumer that writes trends to ClickHouse, plus the read API.
FROM base AS aggregator
ENV WAAKHOND_AGGREGATOR_HOST=0.0.0.0 \
    WAAKHOND_AGGREGATOR_PORT=8002
EXPOSE 8002
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('WAAKHOND_AGGREGATOR_PORT', '8002') + '/healthz', timeout=4)"]
CMD ["waakhond", "aggregator"]
