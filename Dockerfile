# dynimg's container image: one image for `dynimg serve` (the default command) and
# `dynimg worker`. Configuration is the documented DYNIMG_* variables (DYNIMG_<NAME>_FILE for
# secrets mounted as files); the data directory, DYNIMG_HOME=/var/lib/dynimg, is a volume.
#
#   docker build -t dynimg .
#   docker run -p 8080:8080 -v dynimg-data:/var/lib/dynimg dynimg
#   docker run ... dynimg worker --concurrency 2
#
# BASE is any Debian-based image with Python 3.11, `python3 -m venv` and `useradd`: the official
# python image by default, or one made from Debian's own packages (docs/deploy.md, "Containers").
ARG BASE=python:3.11-slim-bookworm

FROM ${BASE} AS build
# EXTRAS: dynimg's optional extras to install. `otel` (the default) lets the standard OTEL_*
# variables turn OpenTelemetry tracing on (it stays off until they do, docs/deploy.md "Traces");
# --build-arg EXTRAS= builds without it.
ARG EXTRAS=otel
# The wheels dynimg depends on bundle their native libraries (FFmpeg in av, libpq in psycopg's
# binary package, Pillow's codecs), so no compiler or -dev package is needed here.
RUN python3 -m venv /opt/dynimg \
 && /opt/dynimg/bin/python -m pip install --no-cache-dir --upgrade pip
COPY pyproject.toml README.md /build/
COPY src /build/src
# A regular (not editable) install: the package and its bytecode live in the venv, and the
# runtime (plus EXTRAS) only, without the test and development extras.
RUN /opt/dynimg/bin/python -m pip install --no-cache-dir "/build${EXTRAS:+[$EXTRAS]}"

FROM ${BASE}
ARG UID=10001
# A system user with no login shell. /var/lib/dynimg is created and owned by it before VOLUME,
# so a new named volume mounted there starts out writable by the user.
RUN useradd --system --uid "${UID}" --user-group --home-dir /var/lib/dynimg --create-home \
      --shell /usr/sbin/nologin dynimg \
 && mkdir -p /etc/dynimg && chown dynimg:dynimg /etc/dynimg
COPY --from=build /opt/dynimg /opt/dynimg
ENV PATH=/opt/dynimg/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DYNIMG_HOME=/var/lib/dynimg \
    DYNIMG_HOST=0.0.0.0 \
    DYNIMG_PORT=8080
USER dynimg
WORKDIR /var/lib/dynimg
VOLUME ["/var/lib/dynimg"]
EXPOSE 8080
# /healthz says the process answers (dependencies are /readyz's business, see docs/deploy.md).
# Python, not curl: the slim base has no curl. A worker has no /healthz: compose.yaml gives it
# a check of its own on its metrics port.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["python3", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('DYNIMG_PORT', '8080'), timeout=4)"]
ENTRYPOINT ["dynimg"]
CMD ["serve"]
