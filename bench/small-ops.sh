#!/usr/bin/env bash
# Small writes and reads at store speed (issue 14): 4 KiB PUTs of distinct keys and 4 KiB GETs
# of objects not in Granary's cache, through Granary (filesystem store, embedded MongoDB, API
# key) and straight to S3Proxy (filesystem-nio2 backend, no authentication, the jar the build
# copies to target/s3proxy/), with the same load generator (wrk, a Lua script per target) and
# the same concurrency.
#
#   put   every request a new key (<run>-<thread>-<n>), body SIZE_KB of random bytes, declared
#         length; Granary as installed (cache on, its default)
#   get   a random key of OBJECTS objects loaded beforehand; Granary with the cache off
#         (--granary.cache.enabled=false), so every read reaches MongoDB and the store
#
# Each target gets a warm-up pass (WARMUP), then RUNS measured passes, interleaved (PUT
# Granary, PUT S3Proxy, GET Granary, GET S3Proxy, ...). It prints per run and as medians the
# ops/s, p99 latency and the server's CPU time per operation (utime + stime from /proc/<pid>/stat,
# all threads; Granary's includes its embedded MongoDB), and the ratios Granary / S3Proxy.
# Then the first-minute rate: a fresh JVM of each (new data directory), PUTs from the moment it
# answers, FIRST_MINUTE seconds in slices of SLICE seconds; prints each slice's ops/s and the
# rate over the whole minute (JIT warm-up is what makes the first slices slow).
# Fails when any response is not a 2xx.
#
#   bench/small-ops.sh
#   RUNS=5 DURATION=30s bench/small-ops.sh
#   JAVA_OPTS="-Xmx512m -XX:TieredStopAtLevel=1" bench/small-ops.sh     # try JVM options
#   BASELINE_JAR=/tmp/before.jar bench/small-ops.sh                       # + an older build, same run
#   BASELINE_JAR=target/granary.jar BASELINE_JAVA_OPTS=-Xmx512m \
#     JAVA_OPTS="-Xmx512m -XX:TieredStopAtLevel=1" bench/small-ops.sh     # JVM options side by side
#   JFR=/tmp/put.jfr bench/small-ops.sh                                   # profile Granary's measured runs
#
# Settings (environment): SIZE_KB=4 OBJECTS=2000 RUNS=3 DURATION=15s WARMUP=15s THREADS=2
# CONNECTIONS=16 FIRST_MINUTE=60 SLICE=10 (FIRST_MINUTE=0 skips it) JAVA_OPTS=-Xmx512m (Granary)
# S3PROXY_JAVA_OPTS=-Xmx512m GRANARY_ARGS= (more application arguments for every Granary)
# JAR=target/granary.jar BASELINE_JAR= (adds "baseline" targets: that jar, PUT and GET)
# BASELINE_JAVA_OPTS= (the baseline's JVM options; default JAVA_OPTS) STEADY=1 (0: first minute only)
# JFR= (a JFR recording of the cache-on Granary, settings=profile, written at exit) PORT= REBUILD=
# Rate limits are off (RATE_LIMITS=true turns them on); access log as by default.
# Needs: java 17+, wrk, curl (Debian: apt-get install -y wrk curl).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh

SIZE_KB=${SIZE_KB:-4}
OBJECTS=${OBJECTS:-2000}
RUNS=${RUNS:-3}
DURATION=${DURATION:-15s}
WARMUP=${WARMUP:-15s}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-16}
FIRST_MINUTE=${FIRST_MINUTE:-60}
SLICE=${SLICE:-10}
JAVA_OPTS=${JAVA_OPTS:--Xmx512m}
export S3PROXY_JAVA_OPTS=${S3PROXY_JAVA_OPTS:--Xmx512m}
read -r -a GRANARY_ARGS <<< "${GRANARY_ARGS:-}"
JAR=${JAR:-target/granary.jar}
BASELINE_JAR=${BASELINE_JAR:-}
JFR=${JFR:-}
BASELINE_JAVA_OPTS=${BASELINE_JAVA_OPTS:-$JAVA_OPTS}
STEADY=${STEADY:-1}

case "${1:-}" in
  -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
  "") ;;
  *) echo "usage: bench/small-ops.sh (settings through the environment; --help lists them)" >&2; exit 2 ;;
esac
bench_need java wrk curl
bench_init small-ops
[ "$JAR" != target/granary.jar ] || ensure_jar
[ -f "$JAR" ] || { echo "JAR $JAR not found" >&2; exit 1; }
[ -z "$BASELINE_JAR" ] || [ -f "$BASELINE_JAR" ] || { echo "BASELINE_JAR $BASELINE_JAR not found" >&2; exit 1; }
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
BUCKET=bench
SIZE=$((SIZE_KB * 1024))
head -c "$SIZE" /dev/urandom > "$WORK/body.bin"

declare -A URL=() PID=() KEY=() PATHS=()

# wrk scripts. PUT: a key nobody used before per request (run, wrk thread, counter), the body
# read from a file once. GET: a random one of the loaded objects. Both print one parseable line.
lua_common() { # target
  cat <<EOF
local headers = { ["Content-Type"] = "application/octet-stream" }
if "${KEY[$1]}" ~= "none" then headers["X-Api-Key"] = "${KEY[$1]}" end
local base = "${PATHS[$1]}"
local counter, threads, tag = 0, 0, "r"
function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
  thread:set("seed", math.random(1, 2147483647))
end
function init(args)
  math.randomseed(seed + os.time())
  tag = (args[1] or "r") .. "-" .. id .. "-"
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT rps=%.1f p50=%.3f p99=%.3f requests=%d socket_errors=%d bad_status=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.requests, e.connect + e.read + e.write + e.timeout, e.status))
end
EOF
}
write_lua() { # target
  { lua_common "$1"; cat <<EOF
local file = io.open("$WORK/body.bin", "rb")
local body = file:read("*a")
file:close()
function request()
  counter = counter + 1
  return wrk.format("PUT", base .. "/" .. tag .. counter, headers, body)
end
EOF
  } > "$WORK/$1-put.lua"
  { lua_common "$1"; cat <<EOF
local objects = $OBJECTS
function request()
  return wrk.format("GET", string.format("%s/p%05d", base, math.random(1, objects)), headers)
end
EOF
  } > "$WORK/$1-get.lua"
}

# One wrk pass; prints "ops/s p99-ms cpu-us-per-op". tag makes PUT keys unique per pass.
run_wrk() { # target method duration tag
  local target=$1 method=$2 duration=$3 tag=$4 line ticks requests bad cpu
  ticks=$(cpu_ticks "${PID[$target]}")
  line=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$duration" --timeout 10s -s "$WORK/$target-$method.lua" \
    "${URL[$target]}" -- "$tag" | grep '^RESULT') || { echo "$target $method: wrk failed" >&2; exit 1; }
  bad=$(sed -n 's/.*bad_status=\([0-9]*\).*/\1/p' <<< "$line")
  [ "$bad" = 0 ] || { echo "$target $method: $bad responses other than 2xx/3xx ($line)" >&2; exit 1; }
  requests=$(sed -n 's/.*requests=\([0-9]*\).*/\1/p' <<< "$line")
  cpu=$(awk -v t="$(( $(cpu_ticks "${PID[$target]}") - ticks ))" -v hz="$CLK_TCK" -v n="$requests" \
    'BEGIN { printf "%.0f", t * 1e6 / hz / n }')
  echo "$(sed -n 's/.*rps=\([0-9.]*\) .*p99=\([0-9.]*\).*/\1 \2/p' <<< "$line") $cpu"
}

# Loads OBJECTS objects p00001.. into a target over one keep-alive curl connection.
load_objects() { # target
  local target=$1 i auth=() codes
  [ "${KEY[$target]}" = none ] || auth=(-H "X-Api-Key: ${KEY[$target]}")
  for i in $(seq 1 "$OBJECTS"); do
    printf 'upload-file = "%s"\nurl = "%s%s/p%05d"\noutput = "/dev/null"\n' "$WORK/body.bin" "${URL[$target]}" "${PATHS[$target]}" "$i"
  done > "$WORK/load-$target.curlrc"
  codes=$(curl -s -K "$WORK/load-$target.curlrc" "${auth[@]}" -H 'Content-Type: application/octet-stream' \
    -w '%{http_code}\n' | sort | uniq -c | tr -s ' ')
  [ "$codes" = " $OBJECTS 200" ] || { echo "loading $target answered: $codes" >&2; exit 1; }
}

granary_target() { # target jar java-options [application arguments...]
  local target=$1 jar=$2 opts=$3 port
  shift 3
  port=$(free_port); BENCH_NEXT_PORT=$((port + 1)) # free_port ran in a subshell
  JAR=$jar start_granary "$target" "$port" "$opts" "${GRANARY_ARGS[@]}" "$@"
  PID[$target]=$GRANARY_PID; URL[$target]="http://127.0.0.1:$port"; PATHS[$target]="/v1/buckets/$BUCKET/objects"
}
granary_ready() { # target
  wait_http "$1" "${URL[$1]}/actuator/health" "${PID[$1]}" "$WORK/granary-$1.log"
  KEY[$1]=$(granary_tenant "${URL[$1]}" "$BUCKET")
  write_lua "$1"
}
s3proxy_target() { # target
  local port
  port=$(free_port); BENCH_NEXT_PORT=$((port + 1)) # free_port ran in a subshell
  S3PROXY_AUTH=none start_s3proxy "$1" "$port"
  PID[$1]=$S3PROXY_PID; URL[$1]=$S3_ENDPOINT; PATHS[$1]="/$BUCKET"; KEY[$1]=none
  curl -sSf -X PUT "$S3_ENDPOINT/$BUCKET" > /dev/null
  write_lua "$1"
}

# ---- steady state: PUT and GET, interleaved ----------------------------------------------
declare -A OPS=() P99=() CPU=()
PUT_TARGETS=(granary s3proxy)
GET_TARGETS=(granary-nocache s3proxy)
if [ "$STEADY" = 1 ]; then
echo "Starting Granary (cache on, cache off) and S3Proxy..."
GJVM=$JAVA_OPTS
[ -z "$JFR" ] || GJVM="$GJVM -XX:StartFlightRecording=filename=$JFR,settings=profile,dumponexit=true"
granary_target granary "$JAR" "$GJVM"
granary_target granary-nocache "$JAR" "$JAVA_OPTS" --granary.cache.enabled=false
if [ -n "$BASELINE_JAR" ]; then
  granary_target baseline "$BASELINE_JAR" "$BASELINE_JAVA_OPTS"
  granary_target baseline-nocache "$BASELINE_JAR" "$BASELINE_JAVA_OPTS" --granary.cache.enabled=false
  PUT_TARGETS+=(baseline); GET_TARGETS+=(baseline-nocache)
fi
s3proxy_target s3proxy
for target in "${!PID[@]}"; do [ "$target" = s3proxy ] || granary_ready "$target"; done

echo "Loading $OBJECTS objects of $SIZE_KB KiB into each GET target..."
for target in "${GET_TARGETS[@]}"; do load_objects "$target"; done
for target in "${GET_TARGETS[@]}"; do
  auth=(); [ "${KEY[$target]}" = none ] || auth=(-H "X-Api-Key: ${KEY[$target]}")
  curl -sSf "${auth[@]}" "${URL[$target]}${PATHS[$target]}/p$(printf %05d "$OBJECTS")" | cmp -s - "$WORK/body.bin" \
    || { echo "$target: an object differs from what was loaded" >&2; exit 1; }
done

echo "Warming up each target for $WARMUP per method (load average $LOAD_BEFORE)..."
for target in "${PUT_TARGETS[@]}"; do run_wrk "$target" put "$WARMUP" w > /dev/null; done
for target in "${GET_TARGETS[@]}"; do run_wrk "$target" get "$WARMUP" w > /dev/null; done

for run in $(seq 1 "$RUNS"); do
  for method in put get; do
    [ "$method" = put ] && targets=("${PUT_TARGETS[@]}") || targets=("${GET_TARGETS[@]}")
    for target in "${targets[@]}"; do
      read -r ops p99 cpu <<< "$(run_wrk "$target" "$method" "$DURATION" "r$run")"
      OPS[$method-$target]+="$ops "; P99[$method-$target]+="$p99 "; CPU[$method-$target]+="$cpu "
      printf 'run %d %-3s %-17s %8.0f ops/s  p99 %7.2f ms  server CPU %5d us/op\n' "$run" "$method" "$target" "$ops" "$p99" "$cpu"
    done
  done
done
LOAD_STEADY=$(cut -d' ' -f1-3 /proc/loadavg)
for target in "${!PID[@]}"; do bench_stop "${PID[$target]}"; done
fi

# ---- the first minute of a fresh JVM ----------------------------------------------------
declare -A FIRST=() SLICES=() STARTUP=()
if [ "$FIRST_MINUTE" -gt 0 ]; then
  echo "First minute: fresh JVMs, PUTs from the first answer, $FIRST_MINUTE s in slices of $SLICE s..."
  FRESH=(fresh-granary fresh-s3proxy)
  [ -z "$BASELINE_JAR" ] || FRESH+=(fresh-baseline)
  for target in "${FRESH[@]}"; do
    t0=$(date +%s.%N)
    case $target in
      fresh-granary) granary_target "$target" "$JAR" "$JAVA_OPTS"; granary_ready "$target" ;;
      fresh-baseline) granary_target "$target" "$BASELINE_JAR" "$BASELINE_JAVA_OPTS"; granary_ready "$target" ;;
      fresh-s3proxy) s3proxy_target "$target" ;;
    esac
    STARTUP[$target]=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
    total=0
    for slice in $(seq 1 $((FIRST_MINUTE / SLICE))); do
      read -r ops _ _ <<< "$(run_wrk "$target" put "${SLICE}s" "f$slice")"
      SLICES[$target]+="$(printf '%.0f' "$ops") "
      total=$(awk -v t="$total" -v o="$ops" -v s="$SLICE" 'BEGIN { print t + o * s }')
    done
    FIRST[$target]=$(awk -v t="$total" -v d="$FIRST_MINUTE" 'BEGIN { printf "%.0f", t / d }')
    echo "  $target: ready after ${STARTUP[$target]} s; ops/s per ${SLICE} s: ${SLICES[$target]}; first $FIRST_MINUTE s: ${FIRST[$target]} ops/s"
    bench_stop "${PID[$target]}"
  done
fi

# ---- summary ------------------------------------------------------------------------------
echo "--"
echo "objects:     $SIZE_KB KiB; PUT: a new key per request; GET: random key of $OBJECTS loaded objects"
echo "wrk:         -t$THREADS -c$CONNECTIONS -d$DURATION, warm-up $WARMUP per target and method, $RUNS interleaved runs"
echo "Granary:     $JAR (sha256 $(sha256sum "$JAR" | cut -c1-12)), tree at $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet 2>/dev/null || echo '+changes');" \
  "JVM options $JAVA_OPTS; arguments ${GRANARY_ARGS[*]:-(none)}; filesystem store, embedded MongoDB, X-Api-Key, rate limits ${RATE_LIMITS:-off}"
[ -z "$BASELINE_JAR" ] || echo "baseline:    $BASELINE_JAR (sha256 $(sha256sum "$BASELINE_JAR" | cut -c1-12))"
echo "S3Proxy:     target/s3proxy/s3proxy.jar, filesystem-nio2, authorization none, $S3PROXY_JAVA_OPTS"
echo "machine:     $(machine_info)"
echo "load avg:    $LOAD_BEFORE at the start, ${LOAD_STEADY:-?} after the steady-state runs, $(cut -d' ' -f1-3 /proc/loadavg) at the end"
[ -z "$BASELINE_JAR" ] || echo "baseline JVM options: $BASELINE_JAVA_OPTS"
if [ "$STEADY" = 1 ]; then
echo "medians of $RUNS; CPU = the server process's CPU time per operation (all threads)"
printf '%-26s %10s %9s %11s   %s\n' target "ops/s" "p99 ms" "CPU us/op" "(ops/s of each run)"
for method in put get; do
  [ "$method" = put ] && targets=("${PUT_TARGETS[@]}") || targets=("${GET_TARGETS[@]}")
  for target in "${targets[@]}"; do
    printf '%-26s %10.0f %9.2f %11.0f   (%s)\n' "$method $target" "$(med "${OPS[$method-$target]}")" \
      "$(med "${P99[$method-$target]}")" "$(med "${CPU[$method-$target]}")" "$(printf '%.0f ' ${OPS[$method-$target]} | sed 's/ $//')"
  done
done
PUT_RATIO=$(ratio "$(med "${OPS[put-granary]}")" "$(med "${OPS[put-s3proxy]}")")
GET_RATIO=$(ratio "$(med "${OPS[get-granary-nocache]}")" "$(med "${OPS[get-s3proxy]}")")
echo "ratio PUT granary/s3proxy:          $PUT_RATIO   target >= 0.5x: $(met "$PUT_RATIO >= 0.5")"
echo "ratio GET granary (no cache)/s3proxy: $GET_RATIO   target >= 0.5x: $(met "$GET_RATIO >= 0.5")"
echo "per-run ratios PUT: $(paste -d' ' <(printf '%s\n' ${OPS[put-granary]}) <(printf '%s\n' ${OPS[put-s3proxy]}) | awk '{ printf "%.2f ", $1 / $2 }')"
echo "per-run ratios GET: $(paste -d' ' <(printf '%s\n' ${OPS[get-granary-nocache]}) <(printf '%s\n' ${OPS[get-s3proxy]}) | awk '{ printf "%.2f ", $1 / $2 }')"
if [ -n "$BASELINE_JAR" ]; then
  echo "ratio PUT granary/baseline: $(ratio "$(med "${OPS[put-granary]}")" "$(med "${OPS[put-baseline]}")")," \
    "GET: $(ratio "$(med "${OPS[get-granary-nocache]}")" "$(med "${OPS[get-baseline-nocache]}")")"
fi
fi
for target in "${!FIRST[@]}"; do
  echo "first $FIRST_MINUTE s PUT, $target: ${FIRST[$target]} ops/s (per $SLICE s: ${SLICES[$target]}); ready ${STARTUP[$target]} s after start"
done
[ -z "${FIRST[fresh-granary]:-}" ] || echo "ratio first minute granary/s3proxy: $(ratio "${FIRST[fresh-granary]}" "${FIRST[fresh-s3proxy]}")"
[ -z "${FIRST[fresh-baseline]:-}" ] || echo "ratio first minute granary/baseline: $(ratio "${FIRST[fresh-granary]}" "${FIRST[fresh-baseline]}")"
