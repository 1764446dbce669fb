#!/usr/bin/env bash
# Server-side sessions against a real Redis (web/tests/redis_sessions/,
# which runs web/examples/redis_sessions). Installs Debian's redis-server when missing,
# starts it on 127.0.0.1 on a free port with a random password (config on
# stdin, so the password is in no process list or file), runs the tests with
# COOKIE_SEAL_REQUIRE_REDIS=1 so they cannot skip, and stops it on exit.
# Some tests start and kill their own redis-server on other free ports.
set -euo pipefail
cd "$(dirname "$0")/../.."
. .ci/apt-install.sh

if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
  echo "installing Debian's redis-server"
  apt_install redis-server
fi
redis-server --version

# A free loopback port: nothing answers on it.
port=""
for _ in $(seq 1 50); do
  candidate=$((20000 + RANDOM % 40000))
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then
    port=$candidate
    break
  fi
done
[ -n "$port" ] || { echo "no free port found" >&2; exit 1; }
password=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
workdir=$(mktemp -d)

redis_pid=""
cleanup() {
  if [ -n "$redis_pid" ] && kill -0 "$redis_pid" 2>/dev/null; then
    kill "$redis_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do
      kill -0 "$redis_pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -9 "$redis_pid" 2>/dev/null || true
  fi
  rm -rf "$workdir"
}
trap cleanup EXIT

printf '%s\n' "port $port" "bind 127.0.0.1" "requirepass $password" 'save ""' \
  "appendonly no" "dir $workdir" "logfile $workdir/redis.log" \
  "daemonize yes" "pidfile $workdir/redis.pid" | redis-server -
for _ in $(seq 1 100); do
  if [ -s "$workdir/redis.pid" ] &&
     [ "$(REDISCLI_AUTH="$password" timeout 2 redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null)" = PONG ]; then
    break
  fi
  sleep 0.1
done
redis_pid=$(cat "$workdir/redis.pid")
[ "$(REDISCLI_AUTH="$password" timeout 2 redis-cli -h 127.0.0.1 -p "$port" ping)" = PONG ] || {
  echo "redis-server did not start" >&2
  cat "$workdir/redis.log" >&2 || true
  exit 1
}
echo "redis-server $redis_pid on 127.0.0.1:$port (password required)"
# Without a password the server refuses commands.
REDISCLI_AUTH="" timeout 2 redis-cli -h 127.0.0.1 -p "$port" ping 2>&1 | grep -q NOAUTH

# The tests start target/debug/examples/redis_sessions (of the `web/` member);
# `cargo test --test` alone does not build examples (a no-op after .ci/run's
# `cargo test --workspace`).
timeout 1800 cargo build -p cookie-seal-web --examples
export COOKIE_SEAL_TEST_REDIS_URL="redis://:$password@127.0.0.1:$port/"
export COOKIE_SEAL_REQUIRE_REDIS=1
timeout 900 cargo test -p cookie-seal-web --test redis_sessions -- --nocapture
# The measurement (not a pass/fail on speed): request rate of login + read
# cycles in this debug build, and Redis commands per request.
timeout 300 cargo test -p cookie-seal-web --test redis_sessions -- --ignored --nocapture measure_login_read_cycles
