# The Chuangcheng application image: the package built as a wheel, installed into a clean Python,
# run as an unprivileged user. One image serves every role of the compose file (deploy/compose.yaml):
# `chuangcheng migrate` (one-off), `chuangcheng serve --no-migrate` (app servers) and
# `chuangcheng worker --beat` (the one worker with the scheduler).
FROM python:3.11-slim-bookworm AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY src ./src
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    CHUANGCHENG_HOME=/data \
    TIME_ZONE=Asia/Shanghai \
    LOG_FORMAT=json
# CJK fonts for the photo watermark and the .docx bulletins' previews; curl-free health check below.
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-noto-cjk \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 chuangcheng \
 && useradd --system --uid 10001 --gid chuangcheng --home-dir /data --shell /usr/sbin/nologin chuangcheng \
 && mkdir -p /data && chown chuangcheng:chuangcheng /data
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir "$(ls /wheels/chuangcheng-*.whl)[postgres,s3]" && rm -rf /wheels
USER chuangcheng
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"]
CMD ["chuangcheng", "serve", "--host", "0.0.0.0", "--port", "8000", "--no-migrate"]
