# The platform image: the `lakehouse` command with its engines, the emulator and the web app.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /opt/lakehouse
COPY pyproject.toml README.md ./
COPY lakehouse ./lakehouse
COPY emulation ./emulation
COPY cloud ./cloud
COPY dashboards ./dashboards
RUN pip install . \
    && useradd --create-home --uid 10001 lakehouse \
    && mkdir -p /data \
    && chown lakehouse /data
USER lakehouse
WORKDIR /data
EXPOSE 4567 8050
CMD ["lakehouse", "--help"]
