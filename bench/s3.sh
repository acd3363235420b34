#!/usr/bin/env bash
# The S3 API against S3Proxy (issue 15): the same SigV4 load client (bench/S3Load.java, the AWS
# SDK for Java v2 asynchronous client on Netty, path style, checksums only where required, no
# retries) against Granary's S3 port (filesystem store, embedded MongoDB, an S3 credential) and
# against S3Proxy (filesystem-nio2 backend, SigV4 authorization, the jar the build copies to
# target/s3proxy/), side by side:
#
#   put   4 KiB PUTs of new keys, CONNECTIONS in flight, DURATION seconds
#   get   4 KiB GETs of random keys of OBJECTS loaded objects (Granary with its cache off, so
#         every read reaches MongoDB and the store)
#   large one LARGE_MB MiB PUT of a file, then one GET of it, each timed (MiB/s)
#
# Each target gets a warm-up pass, then RUNS measured passes, interleaved; prints each run and
# the medians, and the ratios Granary / S3Proxy against the targets (small ops >= 1.0, large
# transfers >= 0.9). Rate limits are off on Granary (as in the other benchmarks). Fails when
# any request fails.
#
#   bench/s3.sh
#   RUNS=5 DURATION=20 LARGE_MB=1024 bench/s3.sh
#
# Settings (environment): RUNS=3 DURATION=15 WARMUP=10 CONNECTIONS=16 SIZE_KB=4 OBJECTS=2000
# LARGE_MB=1024 JAVA_OPTS=-Xmx512m (Granary) S3PROXY_JAVA_OPTS=-Xmx512m PORT= REBUILD=
# Needs: java 17+, curl 7.75+ (SigV4 for S3Proxy's bucket), the build's dependencies in ~/.m2.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh

RUNS=${RUNS:-3}
DURATION=${DURATION:-15}
WARMUP=${WARMUP:-10}
CONNECTIONS=${CONNECTIONS:-16}
SIZE_KB=${SIZE_KB:-4}
OBJECTS=${OBJECTS:-2000}
LARGE_MB=${LARGE_MB:-1024}
JAVA_OPTS=${JAVA_OPTS:--Xmx512m}
export S3PROXY_JAVA_OPTS=${S3PROXY_JAVA_OPTS:--Xmx512m}

case "${1:-}" in
  -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
  "") ;;
  *) echo "usage: bench/s3.sh (settings through the environment; --help lists them)" >&2; exit 2 ;;
esac
bench_need java curl
bench_init s3
ensure_jar
./mvnw -q -o -B dependency:build-classpath -Dmdep.outputFile="$WORK/cp" > /dev/null
CP=$(cat "$WORK/cp")
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
BUCKET=bench
SIZE=$((SIZE_KB * 1024))
head -c $((LARGE_MB * 1048576)) /dev/urandom > "$WORK/large.bin"

declare -A ENDPOINT=() ACCESS=() SECRET=() PID=()

load() { # target mode concurrency seconds-or-count size [tag]
  local target=$1
  shift
  java -Xmx1g -cp "$CP" bench/S3Load.java "${ENDPOINT[$target]}" "${ACCESS[$target]}" "${SECRET[$target]}" "$BUCKET" "$@" \
    2> "$WORK/load-$target.err" | grep '^RESULT' || { echo "$target $1: the load client failed:" >&2; tail -20 "$WORK/load-$target.err" >&2; exit 1; }
}

echo "Starting Granary (S3 port, cache off) and S3Proxy (SigV4)..."
# free_port runs in a subshell here, so each call is told where to go on.
http_port=$(free_port); BENCH_NEXT_PORT=$((http_port + 1))
s3_port=$(free_port); BENCH_NEXT_PORT=$((s3_port + 1))
GRANARY_S3_PORT=$s3_port start_granary granary "$http_port" "$JAVA_OPTS" --granary.cache.enabled=false
PID[granary]=$GRANARY_PID
proxy_port=$(free_port); BENCH_NEXT_PORT=$((proxy_port + 1))
start_s3proxy s3proxy "$proxy_port"
PID[s3proxy]=$S3PROXY_PID; ENDPOINT[s3proxy]=$S3_ENDPOINT; ACCESS[s3proxy]=$S3_ACCESS_KEY; SECRET[s3proxy]=$S3_SECRET_KEY
s3_curl -sSf -X PUT "$S3_ENDPOINT/$BUCKET" > /dev/null

wait_http granary "http://127.0.0.1:$http_port/actuator/health" "$GRANARY_PID" "$WORK/granary-granary.log"
granary_tenant "http://127.0.0.1:$http_port" "$BUCKET" > /dev/null
tenant=$(curl -sf -H "Authorization: Bearer $ROOT_KEY" "http://127.0.0.1:$http_port/v1/tenants" | json_field id)
credential=$(curl -sf -H "Authorization: Bearer $ROOT_KEY" -H 'Content-Type: application/json' \
  -d '{"name":"bench","permissions":["admin"]}' "http://127.0.0.1:$http_port/v1/tenants/$tenant/s3-credentials")
ENDPOINT[granary]="http://127.0.0.1:$s3_port"
ACCESS[granary]=$(json_field accessKeyId <<< "$credential"); SECRET[granary]=$(json_field secretAccessKey <<< "$credential")

echo "Loading $OBJECTS objects of $SIZE_KB KiB into each target..."
for target in granary s3proxy; do load "$target" load "$CONNECTIONS" "$OBJECTS" "$SIZE" > /dev/null; done
echo "Warming up each target for $WARMUP s per method (load average $LOAD_BEFORE)..."
for target in granary s3proxy; do
  load "$target" put "$CONNECTIONS" "$WARMUP" "$SIZE" w > /dev/null
  load "$target" get "$CONNECTIONS" "$WARMUP" "$OBJECTS" > /dev/null
done

declare -A RESULT=()
for run in $(seq 1 "$RUNS"); do
  for method in put get; do
    for target in granary s3proxy; do
      [ "$method" = put ] && size=$SIZE || size=$OBJECTS
      line=$(load "$target" "$method" "$CONNECTIONS" "$DURATION" "$size" "r$run")
      ops=$(sed -n 's/.*ops=\([0-9.]*\).*/\1/p' <<< "$line")
      RESULT[$method-$target]+="$ops "
      printf 'run %d %-3s %-8s %8.0f ops/s  %s\n' "$run" "$method" "$target" "$ops" "${line#RESULT }"
    done
  done
  for target in granary s3proxy; do
    put=$(load "$target" putfile 1 0 "$WORK/large.bin" "large-$run" | sed -n 's/.*mibps=\([0-9.]*\).*/\1/p')
    get=$(load "$target" getfile 1 0 0 "large-$run" | sed -n 's/.*mibps=\([0-9.]*\).*/\1/p')
    RESULT[largeput-$target]+="$put "; RESULT[largeget-$target]+="$get "
    printf 'run %d %s MiB %-8s PUT %7.1f MiB/s  GET %7.1f MiB/s\n' "$run" "$LARGE_MB" "$target" "$put" "$get"
  done
done

echo "--"
echo "client:      bench/S3Load.java, AWS SDK for Java v2 async (Netty), $CONNECTIONS in flight, checksums when required, no retries"
echo "Granary:     target/granary.jar, tree at $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet 2>/dev/null || echo '+changes');" \
  "$JAVA_OPTS; S3 port, filesystem store, embedded MongoDB, cache off, rate limits off"
echo "S3Proxy:     target/s3proxy/s3proxy.jar, filesystem-nio2, SigV4, $S3PROXY_JAVA_OPTS"
echo "machine:     $(machine_info)"
echo "load avg:    $LOAD_BEFORE at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end"
echo "medians of $RUNS interleaved runs"
for measure in put get largeput largeget; do
  granary=$(med "${RESULT[$measure-granary]}"); s3proxy=$(med "${RESULT[$measure-s3proxy]}")
  case $measure in put|get) unit="ops/s"; target=1.0 ;; *) unit="MiB/s"; target=0.9 ;; esac
  r=$(ratio "$granary" "$s3proxy")
  printf '%-9s Granary %8.1f  S3Proxy %8.1f %s  ratio %s (target >= %s: %s)\n' "$measure" "$granary" "$s3proxy" "$unit" \
    "$r" "$target" "$(met "$r >= $target")"
done
