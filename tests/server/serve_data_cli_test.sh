#!/usr/bin/env bash
# `telepp serve --data DIR` as a user runs it: the ready line, a clean stop on SIGTERM and SIGINT
# that says where the state is, the same fingerprint after a restart (DIR/server.pem), and a
# clear start error (exit 1, no ready line) for a file that is not a database.
#   serve_data_cli_test.sh PATH/TO/telepp
set -euo pipefail
telepp=$1
tmp=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
fail() { echo "serve --data: $*" >&2; cat "$tmp/err" >&2 || true; exit 1; }

# Starts the server on any free port; its ready line goes into $ready.
start() {
  "$telepp" serve --listen 127.0.0.1:0 --dcs 1 --data "$tmp/state" >"$tmp/out" 2>"$tmp/err" &
  pid=$!
  for _ in $(seq 200); do
    if grep -q '^ready ' "$tmp/out"; then ready=$(head -1 "$tmp/out"); return; fi
    kill -0 "$pid" 2>/dev/null || fail "exited before its ready line"
    sleep 0.05
  done
  fail "no ready line within 10 s"
}
stop() {
  kill "-$1" "$pid"
  local rc=0
  wait "$pid" || rc=$?
  pid=
  [ "$rc" -eq 0 ] || fail "exit status $rc after SIG$1"
  grep -q "stopped (SIG$1), state kept in $tmp/state" "$tmp/err" || fail "no stop message"
}

start
first=$ready
[[ $first =~ ^ready\ 127\.0\.0\.1:[0-9]+\ dcs=1\ fingerprint=[0-9a-f]{16}$ ]] || fail "bad ready line: $first"
stop TERM
[ -f "$tmp/state/telepp.sqlite" ] && [ -f "$tmp/state/server.pem" ] || fail "no telepp.sqlite or server.pem in DIR"
start
second=$ready
[ "${first##* }" = "${second##* }" ] || fail "the fingerprint changed across a restart: $first / $second"
stop INT

rm -f "$tmp/state/telepp.sqlite"*
head -c 8192 /dev/urandom >"$tmp/state/telepp.sqlite"
rc=0
"$telepp" serve --listen 127.0.0.1:0 --dcs 1 --data "$tmp/state" >"$tmp/out" 2>"$tmp/err" || rc=$?
[ "$rc" -eq 1 ] || fail "exit status $rc for a corrupt database (expected 1)"
grep -q 'not a usable telepp state database' "$tmp/err" || fail "unclear error for a corrupt database"
! grep -q '^ready' "$tmp/out" || fail "ready despite a corrupt database"
echo "serve --data: ok"
