#!/usr/bin/env bash
# Chunked sessions through a real nginx with its default header limits
# (tests/cookie/nginx.rs, `chunked_sessions_pass_a_default_nginx`). Installs
# Debian's nginx-light when missing, starts one nginx on 127.0.0.1: a front
# server proxying to a backend server that answers with the Cookie header it
# received. No `large_client_header_buffers` line: the default (4 8k) is
# what is tested. Runs the test with COOKIE_SEAL_REQUIRE_NGINX=1 so it
# cannot skip, and stops nginx on exit.
set -euo pipefail
cd "$(dirname "$0")/../.."
. .ci/apt-install.sh

if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
  echo "installing Debian's nginx-light"
  apt_install nginx-light
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
"$NGINX" -v

free_port() {
  for _ in $(seq 1 50); do
    candidate=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then
      echo "$candidate"
      return
    fi
  done
  echo "no free port found" >&2
  exit 1
}
front=$(free_port)
backend=$(free_port)
[ "$front" != "$backend" ] || backend=$((front + 1))
workdir=$(mktemp -d)
chmod 755 "$workdir"

cleanup() {
  if [ -s "$workdir/nginx.pid" ]; then
    pid=$(cat "$workdir/nginx.pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
  fi
  rm -rf "$workdir"
}
trap cleanup EXIT

cat > "$workdir/nginx.conf" <<CONF
worker_processes 1;
pid $workdir/nginx.pid;
error_log $workdir/error.log;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path $workdir/body;
  proxy_temp_path $workdir/proxy;
  fastcgi_temp_path $workdir/fastcgi;
  uwsgi_temp_path $workdir/uwsgi;
  scgi_temp_path $workdir/scgi;
  server {
    listen 127.0.0.1:$front;
    location / { proxy_pass http://127.0.0.1:$backend; }
  }
  server {
    listen 127.0.0.1:$backend;
    default_type text/plain;
    location / { return 200 "\$http_cookie"; }
  }
}
CONF
"$NGINX" -t -c "$workdir/nginx.conf" -p "$workdir" 2>&1 | tail -1
"$NGINX" -c "$workdir/nginx.conf" -p "$workdir"
for _ in $(seq 1 50); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$front") 2>/dev/null; then break; fi
  sleep 0.1
done
echo "nginx $(cat "$workdir/nginx.pid") on 127.0.0.1:$front (backend :$backend)"

export COOKIE_SEAL_NGINX="127.0.0.1:$front"
export COOKIE_SEAL_REQUIRE_NGINX=1
timeout 900 cargo test --all-features --test cookie -- --nocapture nginx
