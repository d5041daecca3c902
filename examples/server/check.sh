#!/bin/sh
# May this number be called now?  A shell client of `callwindow serve`, with curl.
#
#   CALLWINDOW_URL=http://127.0.0.1:8787 sh check.sh +33612345678 [INSTANT] [consent]
#
# Prints the decision's JSON (the audit record) and exits 0 when the call is
# allowed, 1 when it is refused, 2 when the server could not be asked (fail
# closed: do not dial).  CALLWINDOW_TOKEN, when set, is sent as a bearer token.
set -u
url="${CALLWINDOW_URL:-http://127.0.0.1:8787}"
phone="$1"
at="${2:-}"
consent="${3:-false}"
[ "$consent" = "consent" ] && consent=true
body="{\"consumer\": {\"id\": \"$phone\", \"phone\": \"$phone\", \"consent\": $consent}"
[ -n "$at" ] && body="$body, \"at\": \"$at\""
body="$body}"
set -- -sS --max-time 5 -H 'Content-Type: application/json' --data "$body"
[ -n "${CALLWINDOW_TOKEN:-}" ] && set -- "$@" -H "Authorization: Bearer $CALLWINDOW_TOKEN"
answer=$(curl "$@" -w '\n%{http_code}' "$url/v1/check") || exit 2
status=$(printf '%s\n' "$answer" | tail -n 1)
decision=$(printf '%s\n' "$answer" | sed '$d')
printf '%s\n' "$decision"
[ "$status" = 200 ] || exit 2
case "$decision" in
  '{"allowed": true'*) exit 0 ;;
  *) exit 1 ;;
esac
