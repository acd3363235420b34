# Helpers shared by the bench/ scripts; sourced, never run. Expects `set -euo pipefail` and the
# repository root as the working directory.
#
# A script calls bench_init once: it makes the working directory $WORK under ${TMPDIR:-/tmp} and
# installs an EXIT trap that stops every process registered with bench_track (servers, samplers)
# and deletes $WORK. Processes must be started in the script's own shell (not inside $(...)),
# so that $! and the registration stay visible to the trap.

BENCH_PIDS=()
WORK=

bench_init() { # name
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/granary-$1.XXXXXX")
  ROOT_KEY="bench-root-key-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
  trap bench_cleanup EXIT
  trap "exit 130" INT TERM
}

bench_track() { BENCH_PIDS+=("$1"); }

# Stops one tracked process (TERM, then KILL after 15 s) and waits for it.
bench_stop() { # pid
  local pid=$1
  kill -0 "$pid" 2>/dev/null || return 0
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null || true
}

bench_cleanup() {
  local pid
  for pid in "${BENCH_PIDS[@]}"; do bench_stop "$pid"; done
  [ -z "$WORK" ] || rm -rf "$WORK"
}

bench_need() { # tool...
  local tool
  for tool in "$@"; do
    command -v "$tool" > /dev/null || PATH="$PATH:/usr/sbin:/sbin" command -v "$tool" > /dev/null \
      || { echo "$(basename "$0"): '$tool' not found" >&2; exit 1; }
  done
}

json_field() { sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p"; }
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
med() { printf '%s\n' $1 | median; } # the median of a space-separated list
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
mib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; } # bytes (per second) -> MiB
met() { awk "BEGIN { exit !($1) }" && echo met || echo "NOT met"; }

# A port nothing listens on, starting from a random one (PORT overrides: PORT, PORT+1, ...).
BENCH_NEXT_PORT=${PORT:-$((20000 + RANDOM % 20000))}
free_port() {
  while (exec 3<> "/dev/tcp/127.0.0.1/$BENCH_NEXT_PORT") 2>/dev/null; do BENCH_NEXT_PORT=$((BENCH_NEXT_PORT + 1)); done
  echo "$BENCH_NEXT_PORT"
  BENCH_NEXT_PORT=$((BENCH_NEXT_PORT + 1))
}

# Builds target/granary.jar (and target/s3proxy/s3proxy.jar) when missing or with REBUILD=1.
ensure_jar() {
  [ -f target/granary.jar ] && [ -f target/s3proxy/s3proxy.jar ] && [ -z "${REBUILD:-}" ] \
    || ./mvnw -q -B package -DskipTests
}

# Waits until url answers 2xx, failing early when pid exits; log is shown on failure.
wait_http() { # name url pid log
  for _ in $(seq 1 240); do
    curl -sf -o /dev/null "$2" && return 0
    kill -0 "$3" 2>/dev/null || { echo "$1 did not start:" >&2; tail -50 "$4" >&2; exit 1; }
    sleep 0.5
  done
  echo "$1 did not answer $2 within 120 s" >&2; exit 1
}

# Starts Granary on port with its own data directory, rate limits off unless RATE_LIMITS=true;
# environment assignments in front of the call (GRANARY_STORE_TYPE=s3 ...) reach the JVM. Sets GRANARY_PID; logs to $WORK/granary-<name>.log.
start_granary() { # name port java-options [application arguments...]
  local name=$1 port=$2 jvm
  read -r -a jvm <<< "$3"
  shift 3
  GRANARY_ROOT_KEY="$ROOT_KEY" java "${jvm[@]}" -jar "${JAR:-target/granary.jar}" --server.port="$port" \
    --granary.data-dir="$WORK/data-$name" --granary.rate-limit.enabled="${RATE_LIMITS:-false}" --granary.s3.port="${GRANARY_S3_PORT:-0}" "$@" > "$WORK/granary-$name.log" 2>&1 &
  GRANARY_PID=$!
  bench_track "$GRANARY_PID"
}

# Creates a tenant, an admin key and a bucket through Granary at base and prints the key.
granary_tenant() { # base-url bucket
  local tenant key
  tenant=$(curl -sf -H "Authorization: Bearer $ROOT_KEY" -H 'Content-Type: application/json' \
    -d '{"name":"bench"}' "$1/v1/tenants" | json_field id)
  key=$(curl -sf -H "Authorization: Bearer $ROOT_KEY" -H 'Content-Type: application/json' \
    -d '{"name":"bench","permissions":["admin"]}' "$1/v1/tenants/$tenant/keys" | json_field secret)
  curl -sf -H "X-Api-Key: $key" -H 'Content-Type: application/json' -d "{\"name\":\"$2\"}" "$1/v1/buckets" > /dev/null
  echo "$key"
}

# Starts S3Proxy (filesystem-nio2 backend under $WORK/<name>) on port with fresh credentials.
# Sets S3PROXY_PID, S3_ACCESS_KEY, S3_SECRET_KEY and S3_ENDPOINT. S3PROXY_AUTH=none starts it
# without authentication: plain requests (wrk cannot sign) and Granary's signed ones both work.
start_s3proxy() { # name port
  local dir="$WORK/$1"
  mkdir -p "$dir/data"
  S3_ACCESS_KEY="AK$(od -An -N9 -tx1 /dev/urandom | tr -d ' \n')"
  S3_SECRET_KEY=$(od -An -N20 -tx1 /dev/urandom | tr -d ' \n')
  S3_ENDPOINT="http://127.0.0.1:$2"
  cat > "$dir/s3proxy.properties" <<EOF
s3proxy.endpoint=$S3_ENDPOINT
s3proxy.authorization=${S3PROXY_AUTH:-aws-v2-or-v4}
s3proxy.identity=$S3_ACCESS_KEY
s3proxy.credential=$S3_SECRET_KEY
jclouds.provider=filesystem-nio2
jclouds.filesystem.basedir=$dir/data
EOF
  java ${S3PROXY_JAVA_OPTS:--Xmx512m} -jar target/s3proxy/s3proxy.jar --properties "$dir/s3proxy.properties" \
    > "$dir/s3proxy.log" 2>&1 &
  S3PROXY_PID=$!
  bench_track "$S3PROXY_PID"
  for _ in $(seq 1 240); do
    (exec 3<> "/dev/tcp/127.0.0.1/$2") 2>/dev/null && return 0
    kill -0 "$S3PROXY_PID" 2>/dev/null || { echo "S3Proxy did not start:" >&2; tail -50 "$dir/s3proxy.log" >&2; exit 1; }
    sleep 0.5
  done
  echo "S3Proxy did not listen on port $2 within 120 s" >&2; exit 1
}

# curl options that sign a request for S3Proxy with SigV4 (curl 7.75 or newer).
s3_curl() { curl --aws-sigv4 "aws:amz:us-east-1:s3" --user "$S3_ACCESS_KEY:$S3_SECRET_KEY" -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" "$@"; }

# Application arguments that point Granary at the S3Proxy started last, using store bucket.
granary_s3_args() { # bucket
  echo "--granary.store.type=s3 --granary.store.s3.endpoint=$S3_ENDPOINT --granary.store.s3.bucket=$1" \
    "--granary.store.s3.access-key=$S3_ACCESS_KEY --granary.store.s3.secret-key=$S3_SECRET_KEY"
}

# CPU time (user + system, clock ticks) used so far by processes and their direct children.
cpu_ticks() { # pid...
  local pid
  for pid in "$@" $(for p in "$@"; do pgrep -P "$p"; done); do cat "/proc/$pid/stat" 2>/dev/null; done \
    | sed 's/.*) //' | awk '{ t += $12 + $13 } END { print t + 0 }'
}
CLK_TCK=$(getconf CLK_TCK)

# Peak resident set size of a live process, in MiB.
peak_rss_mb() { awk '/VmHWM/ { printf "%d", $2 / 1024 }' "/proc/$1/status"; }

# One line describing the machine, for the benchmark record.
machine_info() {
  echo "$(nproc) CPUs ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)), $(free -g | awk '/^Mem:/ { print $2 }') GiB," \
    "$(uname -sr), $(java -version 2>&1 | head -1), $(curl --version | head -1 | cut -d' ' -f1-2);" \
    "load average $(cut -d' ' -f1-3 /proc/loadavg) (shared machine)"
}

# Starts nginx (sendfile on, one worker per CPU) serving root on port; sets NGINX_PID.
# NGINX_ACCESS_LOG=on writes nginx's default access log (a line per request, unbuffered) to a
# file, as Granary writes its own; the default is off. NGINX_LOCATION adds directives to the
# server (e.g. 'dav_methods PUT; client_max_body_size 0;'); root is then made writable for the
# workers, which run as an unprivileged user when started by root.
start_nginx() { # root port
  local nginx dir="$WORK/nginx"
  nginx=$(PATH="$PATH:/usr/sbin:/sbin" command -v nginx)
  mkdir -p "$dir"
  # nginx's workers run as an unprivileged user when started by root.
  chmod a+rX "$WORK"
  [ -z "${NGINX_LOCATION:-}" ] || chmod a+rwx "$1"
  cat > "$dir/nginx.conf" <<CONF
worker_processes $(nproc);
daemon off;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 1024; }
http {
  access_log $([ "${NGINX_ACCESS_LOG:-off}" = on ] && echo "$dir/access.log" || echo off);
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  default_type application/octet-stream;
  client_body_temp_path $dir/body;
  proxy_temp_path $dir/proxy;
  fastcgi_temp_path $dir/fastcgi;
  uwsgi_temp_path $dir/uwsgi;
  scgi_temp_path $dir/scgi;
  server {
    listen 127.0.0.1:$2;
    root $1;
    ${NGINX_LOCATION:-}
  }
}
CONF
  "$nginx" -p "$dir" -c "$dir/nginx.conf" > "$dir/stdout.log" 2>&1 &
  NGINX_PID=$!
  bench_track "$NGINX_PID"
  for _ in $(seq 1 50); do
    (exec 3<> "/dev/tcp/127.0.0.1/$2") 2>/dev/null && return 0
    kill -0 "$NGINX_PID" 2>/dev/null || { echo "nginx did not start:" >&2; cat "$dir/stdout.log" "$dir/error.log" >&2; exit 1; }
    sleep 0.2
  done
  echo "nginx did not listen on port $2" >&2; exit 1
}
