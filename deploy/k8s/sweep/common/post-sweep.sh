#!/bin/sh
# Posts the sweep file $SWEEP_FILE to $CONTROLLER_URL/api/sweeps and fails unless the controller answers 2xx.
# It waits for the controller's readiness first and then posts once: retrying the POST itself could create the
# sweep twice (a sweep is not idempotent), so the Job and CronJob run it with backoffLimit 0.
set -eu
: "${CONTROLLER_URL:?}" "${SWEEP_FILE:?}"
answer="${TMPDIR:-/tmp}/sweep-answer.json"

attempts=0
until curl -fsS -o /dev/null --max-time 5 "$CONTROLLER_URL/q/health/ready"; do
  attempts=$((attempts + 1))
  if [ "$attempts" -ge "${READY_ATTEMPTS:-60}" ]; then
    echo "the controller at $CONTROLLER_URL is not ready after $attempts attempts" >&2
    exit 1
  fi
  sleep "${READY_DELAY_SECONDS:-5}"
done

code=$(curl -sS -o "$answer" -w '%{http_code}' --max-time 120 \
  -H 'Content-Type: application/json' --data-binary "@$SWEEP_FILE" "$CONTROLLER_URL/api/sweeps")
cat "$answer"
echo
case "$code" in
  2??) echo "sweep accepted (HTTP $code); progress: GET $CONTROLLER_URL/api/sweeps/<id>" ;;
  *) echo "the controller refused the sweep (HTTP $code)" >&2; exit 1 ;;
esac
