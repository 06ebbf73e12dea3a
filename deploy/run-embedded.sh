#!/usr/bin/env bash
# Start the web server and a Celery worker (with beat) on the embedded default, stop both together.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${VENV:-.venv}/bin/python"
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"

"$PY" -m celery -A config worker --beat --loglevel INFO --concurrency 1 \
    --schedule var/celerybeat-schedule --queues default,recognition &
WORKER=$!
stop_worker() {
    kill -TERM "$WORKER" 2>/dev/null || return 0
    for _ in $(seq 1 15); do kill -0 "$WORKER" 2>/dev/null || return 0; sleep 1; done
    kill -KILL "$WORKER" 2>/dev/null || true  # warm shutdown took too long
}
trap stop_worker EXIT INT TERM

echo "Retrace on http://$HOST:$PORT/ (API docs: http://$HOST:$PORT/api/docs/). Ctrl-C stops web and worker."
"$PY" -m gunicorn config.wsgi:application -c deploy/gunicorn.conf.py --bind "$HOST:$PORT"
