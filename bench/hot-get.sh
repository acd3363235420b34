#!/usr/bin/env bash
# Hot small-object GETs: 1,000 objects of 4 KiB read with wrk (64 connections, API-key auth)
# from Granary with its cache (warm), from Granary with the cache disabled, and from nginx
# serving the same files from disk. Each target gets a warm-up pass, then RUNS measured passes,
# interleaved (cache, no cache, nginx, cache, ...); prints the median requests/s, p50/p99
# latency and server CPU time per request of each target, and the ratios against nginx (CPU per
# request is the steadier figure on a shared machine). Fails when any response is not a 2xx;
# socket errors (timeouts: 5 s) are counted and shown. The targets (cache >= 0.8x nginx,
# p99 < 10 ms) are reported, not enforced.
# Two floors run beside them (FLOORS=1, the default): the same-size answer from memory, with no
# credential or lookup, from Reactor Netty alone ("netty") and from a one-route WebFlux router
# ("webflux", the stack Granary is built on; bench/floor/FloorServer.java). They show how much
# of the gap to nginx is the stack's and how much is Granary's own work.
# An optional further target, "baseline" (cache on), runs another jar and/or other arguments in
# the same run, for before/after comparisons of a change.
#
#   bench/hot-get.sh                              # 3 runs of 15 s per target
#   RUNS=5 DURATION=30s bench/hot-get.sh
#   JFR=/tmp/hot.jfr bench/hot-get.sh             # also record a JFR profile of the cached Granary
#   PROFILE=/tmp/hot.collapsed ASPROF=/path/to/libasyncProfiler.so bench/hot-get.sh
#                                                 # ... or an async-profiler CPU profile of the
#                                                 # measured cache runs (collapsed stacks; .html for
#                                                 # a flame graph); the library is in the jar
#                                                 # tools.profiler:async-profiler on Maven Central
#   PROFILE_EVENT=alloc PROFILE=... ASPROF=...    # ... of heap allocations instead (by bytes)
#   BASELINE_JAR=/tmp/before.jar bench/hot-get.sh # + the cached Granary from an older build
#
# Settings (environment): OBJECTS=1000 SIZE_KB=4 RUNS=3 DURATION=15s WARMUP=30s THREADS=2
# CONNECTIONS=64 PORT=18281 (uses PORT..PORT+3, and PORT+10.. for Redis) JAVA_OPTS="-Xms512m -Xmx512m" JFR= PROFILE= PROFILE_EVENT=cpu ASPROF= REBUILD=
# JAR=target/granary.jar (built when missing or with REBUILD=1)
# BASELINE_JAR= BASELINE_ARGS= (either one adds the baseline target; the jar defaults to JAR)
# FLOORS=1 (0 leaves out the netty and webflux floors; they use PORT+4 and PORT+5)
# REDIS=on: every Granary runs with a Redis of its own (redis-server, started by the script) as
# its shared cache tier, as a multi-node installation does; metadata then stays in memory for the
# cache's ttl (5 min). off: Granary's embedded default, no Redis, where metadata lives in memory
# for local-ttl (5 s) only and each key's record is read from MongoDB again every 5 s.
# ACCESS_LOG=on: Granary writes its access-log line per request (its default) and nginx its
# access log, each to a file; off: neither does (Granary with logging.level.io.granary.access=warn).
# Needs: java 17+, wrk, nginx, curl, redis-server with REDIS=on
# (Debian: apt-get install -y wrk nginx curl redis-server).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh # json_field, median, med, ratio, met

OBJECTS=${OBJECTS:-1000}
SIZE_KB=${SIZE_KB:-4}
RUNS=${RUNS:-3}
DURATION=${DURATION:-15s}
WARMUP=${WARMUP:-30s}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-64}
PORT=${PORT:-18281}
JAVA_OPTS=${JAVA_OPTS:--Xms512m -Xmx512m}
JFR=${JFR:-}
PROFILE=${PROFILE:-}
ASPROF=${ASPROF:-}
case "${PROFILE_EVENT:-cpu}" in
  cpu) PROFILE_EVENT="event=itimer,interval=1ms" ;;
  alloc) PROFILE_EVENT="event=alloc" ;;
  *) echo "PROFILE_EVENT must be cpu or alloc" >&2; exit 2 ;;
esac
if [ -n "$PROFILE" ]; then
  [ -f "$ASPROF" ] || { echo "PROFILE needs ASPROF=<path of libasyncProfiler.so>" >&2; exit 1; }
  command -v jcmd > /dev/null || { echo "PROFILE needs jcmd (a JDK)" >&2; exit 1; }
fi
JAR=${JAR:-target/granary.jar}
BASELINE_JAR=${BASELINE_JAR:-}
BASELINE_ARGS=${BASELINE_ARGS:-}
FLOORS=${FLOORS:-1}
ACCESS_LOG=${ACCESS_LOG:-on}
REDIS=${REDIS:-on}
case "$REDIS" in on|off) ;; *) echo "REDIS must be on or off" >&2; exit 2 ;; esac
case "$ACCESS_LOG" in
  on) export NGINX_ACCESS_LOG=on; GRANARY_LOG_ARGS=() ;;
  off) export NGINX_ACCESS_LOG=off; GRANARY_LOG_ARGS=(--logging.level.io.granary.access=warn) ;;
  *) echo "ACCESS_LOG must be on or off" >&2; exit 2 ;;
esac

case "${1:-}" in
  -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
  "") ;;
  *) echo "usage: bench/hot-get.sh (settings through the environment; --help lists them)" >&2; exit 2 ;;
esac
TOOLS=(java wrk nginx curl)
[ "$REDIS" = off ] || TOOLS+=(redis-server)
for tool in "${TOOLS[@]}"; do
  command -v "$tool" > /dev/null || PATH="$PATH:/usr/sbin:/sbin" command -v "$tool" > /dev/null \
    || { echo "hot-get.sh: '$tool' not found (Debian: apt-get install -y wrk nginx curl redis-server)" >&2; exit 1; }
done
NGINX=$(PATH="$PATH:/usr/sbin:/sbin" command -v nginx)

WORK=$(mktemp -d "${TMPDIR:-/tmp}/granary-hot-get.XXXXXX")
ROOT_KEY="bench-root-key-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
BUCKET=bench
OBJECT_PATH="/v1/buckets/$BUCKET/objects"
declare -A PIDS=()

cleanup() {
  for name in "${!PIDS[@]}"; do
    pid=${PIDS[$name]}
    if kill -0 "$pid" 2>/dev/null; then kill "$pid"; wait "$pid" 2>/dev/null || true; fi
  done
  rm -rf "$WORK"
}
trap cleanup EXIT

object_name() { printf 'o%05d' "$1"; }

if [ "$JAR" = target/granary.jar ]; then
  [ -f "$JAR" ] && [ -z "${REBUILD:-}" ] || ./mvnw -q -B package -DskipTests
fi
[ -f "$JAR" ] || { echo "JAR $JAR not found" >&2; exit 1; }

# ---- the objects: one directory tree nginx serves at the very paths Granary uses --------------
echo "Generating $OBJECTS objects of $SIZE_KB KiB..."
FILES="$WORK/www$OBJECT_PATH"
mkdir -p "$FILES"
for i in $(seq 1 "$OBJECTS"); do
  head -c "$((SIZE_KB * 1024))" /dev/urandom > "$FILES/$(object_name "$i")"
done
# nginx's workers run as an unprivileged user when started by root.
chmod -R a+rX "$WORK"

# ---- Granary, twice: cache on and cache off -------------------------------------------------
start_granary() { # name jar port extra-options...
  local name=$1 jar=$2 port=$3; shift 3
  local jvm=($JAVA_OPTS)
  if [ "$name" = cache ] && [ -n "$JFR" ]; then
    jvm+=("-XX:StartFlightRecording=filename=$JFR,settings=profile,dumponexit=true")
  fi
  local redis=()
  if [ "$REDIS" = on ]; then
    # One Redis per Granary: a shared one would carry every node's invalidations to the others.
    local redis_port=$((port + 10))
    redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no > "$WORK/redis-$name.log" 2>&1 &
    PIDS[redis-$name]=$!
    redis=(--granary.redis.url="redis://127.0.0.1:$redis_port")
  fi
  GRANARY_ROOT_KEY="$ROOT_KEY" java "${jvm[@]}" -jar "$jar" --server.port="$port" "${redis[@]}" \
    --granary.data-dir="$WORK/data-$name" --granary.rate-limit.enabled=false --granary.s3.port=0 "${GRANARY_LOG_ARGS[@]}" "$@" > "$WORK/granary-$name.log" 2>&1 &
  PIDS[$name]=$!
}

wait_healthy() { # name url
  for _ in $(seq 1 240); do
    curl -sf "$2" > /dev/null && return 0
    kill -0 "${PIDS[$1]}" 2>/dev/null || { echo "$1 did not start:"; tail -n 50 "$WORK"/*"-$1.log"; exit 1; }
    sleep 0.5
  done
  echo "$1 did not become healthy in 120 s"; exit 1
}

# Creates a tenant, an admin key and the bucket, uploads every object over one keep-alive
# connection, and prints the key.
load_granary() { # base-url
  local base=$1 tenant key codes
  tenant=$(curl -sf -H "Authorization: Bearer $ROOT_KEY" -H 'Content-Type: application/json' \
    -d '{"name":"bench"}' "$base/v1/tenants" | json_field id)
  key=$(curl -sf -H "Authorization: Bearer $ROOT_KEY" -H 'Content-Type: application/json' \
    -d '{"name":"bench","permissions":["admin"]}' "$base/v1/tenants/$tenant/keys" | json_field secret)
  curl -sf -H "X-Api-Key: $key" -H 'Content-Type: application/json' -d "{\"name\":\"$BUCKET\"}" \
    "$base/v1/buckets" > /dev/null
  for i in $(seq 1 "$OBJECTS"); do
    name=$(object_name "$i")
    printf 'upload-file = "%s"\nurl = "%s"\noutput = "/dev/null"\n' "$FILES/$name" "$base$OBJECT_PATH/$name"
  done > "$WORK/upload.curlrc"
  codes=$(curl -s -K "$WORK/upload.curlrc" -H "X-Api-Key: $key" -H 'Content-Type: application/octet-stream' \
    -w '%{http_code}\n' | sort | uniq -c | tr -s ' ')
  [ "$codes" = " $OBJECTS 200" ] || { echo "uploads to $base answered: $codes" >&2; exit 1; }
  echo "$key"
}

declare -A URL=([cache]="http://127.0.0.1:$PORT" [nocache]="http://127.0.0.1:$((PORT + 1))" [nginx]="http://127.0.0.1:$((PORT + 2))")
declare -A KEY=([nginx]="none")
TARGETS=(cache nocache nginx)
GRANARIES=(cache nocache)
if [ -n "$BASELINE_JAR$BASELINE_ARGS" ]; then
  BASELINE_JAR=${BASELINE_JAR:-$JAR}
  [ -f "$BASELINE_JAR" ] || { echo "BASELINE_JAR $BASELINE_JAR not found" >&2; exit 1; }
  URL[baseline]="http://127.0.0.1:$((PORT + 3))"
  TARGETS+=(baseline); GRANARIES+=(baseline)
fi
FLOOR_TARGETS=()
if [ "$FLOORS" = 1 ]; then
  echo "Resolving the runtime classpath for the floors..."
  ./mvnw -q -B dependency:build-classpath -Dmdep.includeScope=runtime -Dmdep.outputFile="$WORK/classpath" > /dev/null
  for floor in netty webflux; do
    port=$((PORT + 4)); [ "$floor" = webflux ] && port=$((PORT + 5))
    java $JAVA_OPTS -cp "$(cat "$WORK/classpath")" bench/floor/FloorServer.java "$floor" "$port" "$((SIZE_KB * 1024))" \
      > "$WORK/floor-$floor.log" 2>&1 &
    PIDS[$floor]=$!; URL[$floor]="http://127.0.0.1:$port"; KEY[$floor]="none"
    FLOOR_TARGETS+=("$floor")
  done
fi

echo "Starting Granary ${#GRANARIES[@]} times (JVM options: $JAVA_OPTS)..."
start_granary cache "$JAR" "$PORT"
start_granary nocache "$JAR" "$((PORT + 1))" --granary.cache.enabled=false
# shellcheck disable=SC2086 # BASELINE_ARGS holds several arguments
[ -z "${URL[baseline]:-}" ] || start_granary baseline "$BASELINE_JAR" "$((PORT + 3))" $BASELINE_ARGS
for target in "${GRANARIES[@]}"; do wait_healthy "$target" "${URL[$target]}/actuator/health"; done
for target in "${FLOOR_TARGETS[@]}"; do wait_healthy "$target" "${URL[$target]}$OBJECT_PATH/$(object_name 1)"; done
echo "Uploading the objects to each..."
for target in "${GRANARIES[@]}"; do KEY[$target]=$(load_granary "${URL[$target]}"); done

# ---- nginx: the same files from disk --------------------------------------------------------
start_nginx "$WORK/www" "$((PORT + 2))"
PIDS[nginx]=$NGINX_PID

# Every target serves the same bytes (first, middle and last object); the floors serve a
# constant answer from memory and join afterwards.
for target in "${TARGETS[@]}"; do
  for i in 1 "$(((OBJECTS + 1) / 2))" "$OBJECTS"; do
    name=$(object_name "$i")
    curl -sf -H "X-Api-Key: ${KEY[$target]}" "${URL[$target]}$OBJECT_PATH/$name" | cmp -s - "$FILES/$name" \
      || { echo "$target: $name differs from the file"; exit 1; }
  done
done

TARGETS+=("${FLOOR_TARGETS[@]}")

# ---- wrk: a random object per request, the key in X-Api-Key, one parseable result line -------
for target in "${TARGETS[@]}"; do
  cat > "$WORK/$target.lua" <<EOF
local objects = $OBJECTS
local headers = { ["X-Api-Key"] = "${KEY[$target]}" }
local paths = {}
for i = 1, objects do paths[i] = string.format("$OBJECT_PATH/o%05d", i) end

function setup(thread)
  thread:set("seed", math.random(1, 2147483647))
end

function init(args)
  math.randomseed(seed + os.time())
end

function request()
  return wrk.format("GET", paths[math.random(1, objects)], headers)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT rps=%.1f p50=%.3f p99=%.3f requests=%d socket_errors=%d bad_status=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.requests, e.connect + e.read + e.write + e.timeout, e.status))
end
EOF
done

# CPU time (clock ticks) used so far by a target's server processes (nginx: master and workers).
cpu_ticks() { # target
  local pids=${PIDS[$1]}
  [ "$1" = nginx ] && pids="$pids $(pgrep -P "${PIDS[nginx]}" | tr '\n' ' ')"
  for pid in $pids; do cat "/proc/$pid/stat" 2>/dev/null; done | sed 's/.*) //' | awk '{ t += $12 + $13 } END { print t + 0 }'
}
CLK_TCK=$(getconf CLK_TCK)

run_wrk() { # target duration -> "rps p50 p99 server-cpu-us-per-request socket-errors"
  local target=$1 duration=$2 line ticks_before
  ticks_before=$(cpu_ticks "$target")
  line=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$duration" --timeout 5s -s "$WORK/$target.lua" "${URL[$target]}" | grep '^RESULT')
  local socket_errors bad_status
  socket_errors=$(sed -n 's/.*socket_errors=\([0-9]*\).*/\1/p' <<< "$line")
  bad_status=$(sed -n 's/.*bad_status=\([0-9]*\).*/\1/p' <<< "$line")
  if [ "$bad_status" != 0 ]; then
    echo "$target: $bad_status responses other than 2xx/3xx ($line)" >&2
    exit 1
  fi
  local requests cpu_us
  requests=$(sed -n 's/.*requests=\([0-9]*\).*/\1/p' <<< "$line")
  cpu_us=$(awk -v t="$(( $(cpu_ticks "$target") - ticks_before ))" -v hz="$CLK_TCK" -v n="$requests" \
    'BEGIN { printf "%.0f", t * 1e6 / hz / n }')
  echo "$(sed -n 's/.*rps=\([0-9.]*\) p50=\([0-9.]*\) p99=\([0-9.]*\).*/\1 \2 \3/p' <<< "$line") $cpu_us $socket_errors"
}

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
echo "Warming up each target for $WARMUP (load average $LOAD_BEFORE)..."
for target in "${TARGETS[@]}"; do run_wrk "$target" "$WARMUP" > /dev/null; done

declare -A RPS=() P50=() P99=() CPU=() ERRORS=()
for run in $(seq 1 "$RUNS"); do
  for target in "${TARGETS[@]}"; do
    # The profile covers the measured cache runs only (not start-up, loading or warm-up).
    # itimer: CPU samples without perf_events, which containers usually forbid.
    # (The inner quotes keep jcmd from reading the options as its own name=value arguments.)
    [ "$target" != cache ] || [ -z "$PROFILE" ] \
      || jcmd "${PIDS[cache]}" JVMTI.agent_load "$ASPROF" "\"resume,$PROFILE_EVENT\"" > /dev/null
    read -r rps p50 p99 cpu errors <<< "$(run_wrk "$target" "$DURATION")"
    [ "$target" != cache ] || [ -z "$PROFILE" ] \
      || jcmd "${PIDS[cache]}" JVMTI.agent_load "$ASPROF" "\"stop,file=$PROFILE\"" > /dev/null
    RPS[$target]+="$rps "; P50[$target]+="$p50 "; P99[$target]+="$p99 "; CPU[$target]+="$cpu "
    ERRORS[$target]=$(( ${ERRORS[$target]:-0} + errors ))
    printf 'run %d %-8s %9.0f req/s  p50 %6.2f ms  p99 %6.2f ms  server CPU %4d us/req  socket errors %d\n' \
      "$run" "$target" "$rps" "$p50" "$p99" "$cpu" "$errors"
  done
done

declare -A MRPS=() MP50=() MP99=() MCPU=()
for target in "${TARGETS[@]}"; do
  MRPS[$target]=$(med "${RPS[$target]}"); MP50[$target]=$(med "${P50[$target]}"); MP99[$target]=$(med "${P99[$target]}")
  MCPU[$target]=$(med "${CPU[$target]}")
done
RATIO_CACHE=$(ratio "${MRPS[cache]}" "${MRPS[nginx]}")
RATIO_NOCACHE=$(ratio "${MRPS[nocache]}" "${MRPS[nginx]}")

echo "--"
echo "objects:     $OBJECTS x $SIZE_KB KiB, random key per request, X-Api-Key auth, rate limits off"
echo "wrk:         -t$THREADS -c$CONNECTIONS -d$DURATION, warm-up $WARMUP per target, $RUNS interleaved runs"
echo "jar:         $JAR (sha256 $(sha256sum "$JAR" | cut -c1-12)); working tree at $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
echo "JVM options: $JAVA_OPTS${JFR:+ (cache: + JFR to $JFR)}; $(java -version 2>&1 | head -1)"
echo "redis:       $REDIS$([ "$REDIS" = off ] || echo " ($(redis-server --version | cut -d' ' -f3), one per Granary, as its shared cache tier)")"
echo "nginx:       $("$NGINX" -v 2>&1 | sed 's/.*: //'), $(nproc) workers, sendfile on, access_log $ACCESS_LOG"
echo "machine:     $(nproc) CPUs, $(free -g | awk '/^Mem:/ { print $2 }') GiB; wrk, Granary and nginx share them"
echo "load avg:    $LOAD_BEFORE at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end (other work on the machine skews everything)"
[ -z "${URL[baseline]:-}" ] || echo "baseline:    $BASELINE_JAR ${BASELINE_ARGS:-(no extra arguments)}, cache on"
echo "medians; CPU = the server's own CPU time per request (user + system, all its threads or processes)"
printf '%-20s %10s %9s %9s %11s   %s\n' target "req/s" "p50 ms" "p99 ms" "CPU us/req" "(req/s of each run)"
for target in "${TARGETS[@]}"; do
  case $target in cache) label="granary (cache)" ;; nocache) label="granary (no cache)" ;; baseline) label="baseline (cache)" ;;
    netty) label="floor: reactor-netty" ;; webflux) label="floor: webflux" ;; *) label=$target ;; esac
  printf '%-20s %10.0f %9.2f %9.2f %11.0f   (%s)\n' "$label" "${MRPS[$target]}" "${MP50[$target]}" "${MP99[$target]}" \
    "${MCPU[$target]}" "$(printf '%.0f ' ${RPS[$target]} | sed 's/ $//')"
  [ "${ERRORS[$target]}" = 0 ] || echo "  ${ERRORS[$target]} socket errors (timeouts or resets) in $target's measured runs"
done
echo "ratio granary (cache)/nginx:    $RATIO_CACHE"
echo "ratio granary (no cache)/nginx: $RATIO_NOCACHE"
[ -z "${URL[baseline]:-}" ] || echo "ratio granary (cache)/baseline: $(ratio "${MRPS[cache]}" "${MRPS[baseline]}")"
for floor in "${FLOOR_TARGETS[@]}"; do
  echo "ratio floor $floor/nginx:$(printf '%*s' $((10 - ${#floor})) '')$(ratio "${MRPS[$floor]}" "${MRPS[nginx]}")   (granary (cache)/$floor: $(ratio "${MRPS[cache]}" "${MRPS[$floor]}"))"
done
echo "target cache >= 0.8x nginx:     $(met "$RATIO_CACHE >= 0.8") ($RATIO_CACHE)"
echo "target cache p99 < 10 ms:       $(met "${MP99[cache]} < 10") (${MP99[cache]} ms)"
