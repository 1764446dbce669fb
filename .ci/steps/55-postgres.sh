#!/usr/bin/env bash
# SQL sessions (the `sql/` member, cookie-seal-sql) against a real PostgreSQL and SQLite files.
# Installs Debian's postgresql when missing, starts a throwaway cluster as the unprivileged
# `postgres` user (the server refuses to run as root) on 127.0.0.1 on a free port, with a
# random password (scram-sha-256; the password reaches initdb through a 0600 file that is
# deleted at once), runs the tests with COOKIE_SEAL_POSTGRES_URL set and
# COOKIE_SEAL_REQUIRE_POSTGRES=1 so that they cannot skip (elsewhere, as in .ci/run's
# workspace test before this step, they skip with a message), and stops the cluster and
# deletes its files on exit. The fault test
# (sql/tests/faults.rs) starts, stops and restarts a cluster of its own.
set -euo pipefail
cd "$(dirname "$0")/../.."
. .ci/apt-install.sh
started=$(date +%s)

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }
if [ -z "$(pg_bin)" ] || [ ! -x "$(pg_bin)/initdb" ]; then
  echo "installing Debian's postgresql"
  apt_install postgresql
fi
bin=$(pg_bin)
"$bin/postgres" --version

# The server runs as an unprivileged user: `postgres` (made by Debian's package), or the
# current user when not root.
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

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
chmod 755 "$workdir"
data="$workdir/data"

cleanup() {
  if [ -f "$data/postmaster.pid" ]; then
    as_pg "$bin/pg_ctl" -D "$data" stop -m immediate -w -t 30 >/dev/null 2>&1 || true
  fi
  rm -rf "$workdir"
}
trap cleanup EXIT

if [ "$(id -u)" = 0 ]; then chown postgres: "$workdir"; fi
umask 077
printf '%s\n' "$password" > "$workdir/pwfile"
if [ "$(id -u)" = 0 ]; then chown postgres: "$workdir/pwfile"; fi
as_pg "$bin/initdb" -D "$data" -U cookie_seal --pwfile="$workdir/pwfile" \
  --auth=scram-sha-256 -E UTF8 --no-locale >/dev/null
rm -f "$workdir/pwfile"
as_pg "$bin/pg_ctl" -D "$data" -l "$workdir/postgres.log" -w -t 60 start \
  -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$workdir -c fsync=off -c max_connections=200" >/dev/null
echo "postgres on 127.0.0.1:$port (password required)"
# Without the password the server refuses.
if PGPASSWORD=wrong psql -h 127.0.0.1 -p "$port" -U cookie_seal -d postgres -c 'select 1' >/dev/null 2>&1; then
  echo "postgres accepted a wrong password" >&2
  exit 1
fi
PGPASSWORD=$password psql -qX -h 127.0.0.1 -p "$port" -U cookie_seal -d postgres -c 'create database cookie_seal' >/dev/null

export COOKIE_SEAL_POSTGRES_URL="postgres://cookie_seal:$password@127.0.0.1:$port/cookie_seal"
export COOKIE_SEAL_REQUIRE_POSTGRES=1
timeout 1800 cargo test -p cookie-seal-sql --all-features -- --nocapture
# The HTTP store suite (both frameworks, both modes) against every store, SQL ones included.
timeout 1800 cargo test -p cookie-seal-web --test store
echo "55-postgres: $(( $(date +%s) - started )) s"
