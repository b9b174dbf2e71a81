# gdviz, one Streamlit process per container (see "Serving a lecture hall" in the README and deploy/).
#   docker build -t gdviz .
#   docker run --rm -p 8501:8501 gdviz          # then open http://localhost:8501
# Several replicas behind nginx with sticky sessions: deploy/compose.yaml; Kubernetes: deploy/k8s/.
# By tag; add the digest (python:3.11.7-slim-bookworm@sha256:…) where the registry is reachable:
# README, "Refreshing the pins".
FROM python:3.11.7-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
# Debian's DejaVu fonts: the slides' and GIFs' α ∂ ∇ ← − ′ λ and subscripts (a slim image has no fonts).
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
# The app's requirements only (no test tools), every package and its hashes locked (requirements.lock,
# made from requirements.txt), in their own layer so code changes reuse it.
COPY requirements.txt requirements.lock ./
RUN pip install --no-cache-dir --require-hashes --no-deps -r requirements.lock

# A user without a login or rights: the app writes only to /tmp (the views' component folder), so the
# root file system can be read-only (deploy/compose.yaml, deploy/k8s/).
RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin gdviz
COPY app.py ./
COPY gdviz ./gdviz
COPY .streamlit ./.streamlit
USER 10001

EXPOSE 8501
# Streamlit's own health endpoint answers "ok" once the server is up (Kubernetes probes it too).
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4).read().strip() != b'ok')"]
CMD ["python", "-m", "streamlit", "run", "app.py", "--server.port=8501", "--server.address=0.0.0.0", "--server.headless=true"]
