#!/usr/bin/env bash
# Server-side sessions against real Redis: cookie-seal-redis (the shared store
# suite, faults, Cluster redirections and failover), the HTTP tests of both
# frameworks on the store, and web/examples/redis_sessions.
#
# Installs Debian's redis-server when missing and starts, on 127.0.0.1 only,
# each with a random password (config on stdin, so the password is in no
# process list or file):
# - one standalone server          -> COOKIE_SEAL_TEST_REDIS_URL
# - a 3-master, 3-replica Cluster  -> COOKIE_SEAL_TEST_REDIS_CLUSTER_URLS
#   (redis-cli --cluster create ... --cluster-replicas 1)
# and runs the tests with COOKIE_SEAL_REQUIRE_REDIS=1 so they cannot skip.
# Fault tests start, kill and restart their own servers on other free ports.
# Everything is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/../.."
. .ci/apt-install.sh
started=$(date +%s)

if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
  echo "installing Debian's redis-server"
  apt_install redis-server
fi
redis-server --version

password=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
workdir=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  rm -rf "$workdir"
}
trap cleanup EXIT

# A free loopback port: nothing answers on it, and not handed out before.
taken=" "
free_port() {
  local candidate
  for _ in $(seq 1 100); do
    candidate=$((20000 + RANDOM % 40000))
    case "$taken" in *" $candidate "*) continue ;; esac
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then
      taken="$taken$candidate "
      echo "$candidate"
      return
    fi
  done
  echo "no free port found" >&2
  exit 1
}

ping_ok() { [ "$(REDISCLI_AUTH="$password" timeout 2 redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null)" = PONG ]; }

# start_redis PORT [EXTRA CONFIG LINE...]
start_redis() {
  local port=$1 dir="$workdir/$1"
  shift
  mkdir -p "$dir"
  { printf '%s\n' "port $port" "bind 127.0.0.1" "requirepass $password" "masterauth $password" \
      'save ""' "appendonly no" "dir $dir" "logfile $dir/redis.log" \
      "daemonize yes" "pidfile $dir/redis.pid"
    [ $# -eq 0 ] || printf '%s\n' "$@"; } | redis-server -
  for _ in $(seq 1 100); do
    if [ -s "$dir/redis.pid" ] && ping_ok "$port"; then break; fi
    sleep 0.1
  done
  ping_ok "$port" || { echo "redis-server on $port did not start" >&2; cat "$dir/redis.log" >&2; exit 1; }
  pids+=("$(cat "$dir/redis.pid")")
}

port=$(free_port)
start_redis "$port"
echo "standalone redis-server on 127.0.0.1:$port (password required)"
# Without a password the server refuses commands.
REDISCLI_AUTH="" timeout 2 redis-cli -h 127.0.0.1 -p "$port" ping 2>&1 | grep -q NOAUTH

cluster_ports=()
for _ in 1 2 3 4 5 6; do
  p=$(free_port)
  start_redis "$p" "cluster-enabled yes" "cluster-config-file nodes.conf" "cluster-node-timeout 1000"
  cluster_ports+=("$p")
done
nodes=()
for p in "${cluster_ports[@]}"; do nodes+=("127.0.0.1:$p"); done
REDISCLI_AUTH="$password" timeout 60 redis-cli --cluster create "${nodes[@]}" \
  --cluster-replicas 1 --cluster-yes >"$workdir/cluster-create.log" 2>&1 &
create_pid=$!
# redis-cli's CLUSTER MEETs are sometimes lost on fresh nodes (seen with Redis 7.0.15:
# "Waiting for the cluster to join" forever); repeating them while it waits is harmless.
while kill -0 "$create_pid" 2>/dev/null; do
  sleep 0.5
  for p in "${cluster_ports[@]:1}"; do
    REDISCLI_AUTH="$password" timeout 2 redis-cli -h 127.0.0.1 -p "$p" \
      cluster meet 127.0.0.1 "${cluster_ports[0]}" >/dev/null 2>&1 || true
  done
done
wait "$create_pid" || { echo "redis-cli --cluster create failed" >&2; cat "$workdir/cluster-create.log" >&2; exit 1; }
for _ in $(seq 1 200); do
  ok=1
  for p in "${cluster_ports[@]}"; do
    REDISCLI_AUTH="$password" timeout 2 redis-cli -h 127.0.0.1 -p "$p" cluster info 2>/dev/null |
      grep -q 'cluster_state:ok' || ok=0
  done
  [ "$ok" = 1 ] && break
  sleep 0.1
done
[ "$ok" = 1 ] || { echo "the cluster did not become ok" >&2; cat "$workdir/cluster-create.log" >&2; exit 1; }
REDISCLI_AUTH="$password" redis-cli -h 127.0.0.1 -p "${cluster_ports[0]}" cluster nodes |
  awk '{print $2, $3}' | sed 's/@[0-9]*//'
echo "cluster: 3 masters, 3 replicas on ${nodes[*]} (password required)"

export COOKIE_SEAL_TEST_REDIS_URL="redis://:$password@127.0.0.1:$port/"
urls=()
for p in "${cluster_ports[@]}"; do urls+=("redis://:$password@127.0.0.1:$p/"); done
COOKIE_SEAL_TEST_REDIS_CLUSTER_URLS=$(IFS=,; echo "${urls[*]}")
export COOKIE_SEAL_TEST_REDIS_CLUSTER_URLS
export COOKIE_SEAL_REQUIRE_REDIS=1

# The store: the shared suite (standalone, Cluster), faults, redirections, failover.
timeout 900 cargo test -p cookie-seal-redis -- --nocapture
# The tests of web/ start target/debug/examples/redis_sessions; `cargo test --test`
# alone does not build examples (a no-op after .ci/run's `cargo test --workspace`).
timeout 1800 cargo build -p cookie-seal-web --examples
timeout 900 cargo test -p cookie-seal-web --test redis_sessions -- --nocapture
# The HTTP suite of the store layers (both frameworks, both modes), now with
# the standalone and Cluster RedisStores beside MemoryStore.
timeout 900 cargo test -p cookie-seal-web --test store
echo "50-redis.sh: $(( $(date +%s) - started )) s"
