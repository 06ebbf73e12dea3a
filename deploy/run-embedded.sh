#!/usr/bin/env bash
# The embedded default (`make run`): the web server, a Celery worker, a housekeeping worker and Celery
# beat, started and stopped together.
#
# - beat runs as a process of its own with a pidfile, never inside a worker (`worker --beat`): a worker
#   killed with SIGKILL left its beat child running, and the next start had two schedulers. A beat left
#   over from an earlier run (this script killed outright) is stopped first, by its pidfile.
# - The housekeeping worker takes only the housekeeping queue (the sweep, the purges), so the sweep
#   that rescues files never waits behind a long video. The main worker takes that queue too, last.
# - The main worker takes its queues strictly in order: urgent evidence (recognition_urgent: a P1, or a
#   store an order in force prohibits) before the recognition backlog.
# - A worker or beat that stops (killed, crashed) is started again; a file its worker was running is
#   run again by the sweep once its heartbeat is stale (RECOGNITION_HEARTBEAT_STALE_S).
# - SIGTERM is a cold shutdown with a grace (REMAP_SIGTERM=SIGQUIT and
#   CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT): a running task gets that long to finish, then goes back to
#   the queue, and the worker stops. A warm shutdown waited for the whole file, so the worker ignored
#   SIGTERM for as long as a video took and was killed after 15 s.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${VENV:-.venv}/bin/python"
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"
VAR="${RETRACE_VAR_DIR:-var}"
# Seconds a stopping process gets before SIGKILL: more than the workers' soft shutdown.
STOP_GRACE_S="${STOP_GRACE_S:-25}"
# Extra arguments for the main worker (for example --concurrency 2).
read -r -a WORKER_ARGS <<< "${CELERY_WORKER_ARGS:-}"
export REMAP_SIGTERM=SIGQUIT
mkdir -p "$VAR"
BEAT_PIDFILE="$VAR/celerybeat.pid"
WEB="" WORKER="" HOUSEKEEPING="" BEAT=""

start_worker() {
    "$PY" -m celery -A config worker --loglevel INFO --concurrency 1 --hostname "worker@%h" \
        --queues recognition_urgent,default,recognition,housekeeping ${WORKER_ARGS[@]+"${WORKER_ARGS[@]}"} &
    WORKER=$!
}
start_housekeeping() {
    "$PY" -m celery -A config worker --loglevel INFO --concurrency 1 --hostname "housekeeping@%h" \
        --queues housekeeping &
    HOUSEKEEPING=$!
}
start_beat() {
    if [ -f "$BEAT_PIDFILE" ]; then  # a beat left over from a run that was killed outright
        old="$(cat "$BEAT_PIDFILE" 2>/dev/null || true)"
        if [ -n "$old" ] && ps -p "$old" -o command= 2>/dev/null | grep -q "celery.* beat"; then
            kill -TERM "$old" 2>/dev/null || true
            for _ in $(seq 1 10); do kill -0 "$old" 2>/dev/null || break; sleep 1; done
        fi
    fi
    "$PY" -m celery -A config beat --loglevel INFO --schedule "$VAR/celerybeat-schedule" --pidfile "$BEAT_PIDFILE" &
    BEAT=$!
}
alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }
stop_all() {
    trap - EXIT INT TERM
    local pids=()
    for pid in "$WEB" "$WORKER" "$HOUSEKEEPING" "$BEAT"; do
        if alive "$pid"; then kill -TERM "$pid" 2>/dev/null || true; pids+=("$pid"); fi
    done
    for _ in $(seq 1 "$STOP_GRACE_S"); do
        local running=0
        for pid in ${pids[@]+"${pids[@]}"}; do alive "$pid" && running=1; done
        [ "$running" = 0 ] && return 0
        sleep 1
    done
    for pid in ${pids[@]+"${pids[@]}"}; do kill -KILL "$pid" 2>/dev/null || true; done  # took too long
}
trap stop_all EXIT
trap 'stop_all; exit 130' INT
trap 'stop_all; exit 143' TERM

start_beat
start_worker
start_housekeeping
"$PY" -m gunicorn config.wsgi:application -c deploy/gunicorn.conf.py --bind "$HOST:$PORT" &
WEB=$!
echo "Retrace on http://$HOST:$PORT/ (API docs: http://$HOST:$PORT/api/docs/). Ctrl-C stops web, workers and beat."
while alive "$WEB"; do
    sleep 1 & wait $! || true
    alive "$WEB" || break
    alive "$WORKER" || { echo "retrace: the Celery worker stopped; starting it again" >&2; start_worker; }
    alive "$HOUSEKEEPING" || { echo "retrace: the housekeeping worker stopped; starting it again" >&2; start_housekeeping; }
    alive "$BEAT" || { echo "retrace: Celery beat stopped; starting it again" >&2; start_beat; }
done
echo "retrace: the web server stopped" >&2
