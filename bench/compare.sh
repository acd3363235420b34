#!/usr/bin/env bash
# Granary against the direct path, side by side in one invocation:
#   fs-get    large GET through Granary (filesystem store) vs nginx (sendfile on) serving the
#             same file from disk
#   s3-large  large PUT and GET through Granary (S3 store) vs the same requests signed with
#             SigV4 (curl --aws-sigv4) straight to the S3Proxy behind it
#   s3-small  small-object PUT and GET ops/s, PARALLEL keep-alive curl clients, through Granary
#             (S3 store) vs straight to S3Proxy
# With no sub-command all three run. Each comparison starts with uncounted warm-up rounds;
# then the targets are interleaved within each run (Granary,
# direct, Granary, direct, ...); the script prints each run, the medians and the ratio
# Granary/direct, for large transfers also the server CPU time per GiB (Granary plus S3Proxy, or
# nginx, or S3Proxy alone: the steadier figure on a shared machine), and whether the large-transfer target (>= 0.9x the direct path) is met.
# It fails when a request fails or bytes differ: every target's large object is downloaded once
# more and its SHA-256 compared, every timed GET must return the full length, every small
# request must answer 200 and a sample of small objects is compared byte for byte.
#
#   bench/compare.sh                       # all, 1 GiB large object, 3 runs
#   RUNS=5 SIZE_MB=2048 bench/compare.sh s3-large
#   bench/compare.sh fs-get s3-small
#
# Settings (environment): SIZE_MB=1024 RUNS=3 WARMUP=2 (uncounted s3-large rounds) OBJECTS=1000 SMALL_KB=4 PARALLEL=8
# JAVA_OPTS=-Xmx512m (Granary; add -XX:StartFlightRecording=... to profile) GRANARY_ARGS= (more
# application arguments for every Granary, e.g. --granary.store.s3.checksums=when-required) PORT= (first port
# tried; random by default) REBUILD= (rebuild the jar)
# S3Proxy runs with -Xmx512m, filesystem-nio2 backend, in the same temporary directory.
# Needs: java 17+, curl 7.75+ (SigV4), nginx (fs-get), sha256sum.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh

SIZE_MB=${SIZE_MB:-1024}
RUNS=${RUNS:-3}
WARMUP=${WARMUP:-2}
OBJECTS=${OBJECTS:-1000}
SMALL_KB=${SMALL_KB:-4}
PARALLEL=${PARALLEL:-8}
JAVA_OPTS=${JAVA_OPTS:--Xmx512m}
TARGET_RATIO=0.9
read -r -a GRANARY_ARGS <<< "${GRANARY_ARGS:-}"

COMMANDS=()
for arg in "$@"; do
  case $arg in
    fs-get|s3-large|s3-small) COMMANDS+=("$arg") ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "usage: bench/compare.sh [fs-get] [s3-large] [s3-small] (settings: --help)" >&2; exit 2 ;;
  esac
done
[ ${#COMMANDS[@]} -gt 0 ] || COMMANDS=(fs-get s3-large s3-small)
wants() { [[ " ${COMMANDS[*]} " == *" $1 "* ]]; }

bench_need java curl sha256sum
wants fs-get && bench_need nginx
bench_init compare
ensure_jar
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
SIZE_BYTES=$((SIZE_MB * 1024 * 1024))
BUCKET=bench
SERVERS= # the pids whose CPU time a timed transfer reports
DIRECT_BUCKET=bench-direct
RESULTS=() # summary lines, printed at the end

if wants fs-get || wants s3-large; then
  echo "Generating $SIZE_MB MiB of random data..."
  mkdir -p "$WORK/www"
  head -c "$SIZE_BYTES" /dev/urandom > "$WORK/www/large.bin"
  EXPECTED=$(sha256sum "$WORK/www/large.bin" | cut -c1-64)
fi

# One timed transfer: prints MiB/s and the CPU seconds per GiB that the processes in $SERVERS
# (and their children) used meanwhile; fails unless the status is 200 and, for a GET, the whole
# object arrived. The rest of the arguments go to curl (auth, URL, -T file).
timed() { # kind (get|put) curl-function args...
  local kind=$1 fn=$2 out code bytes speed ticks
  shift 2
  ticks=$(cpu_ticks $SERVERS)
  out=$("$fn" -sS -o /dev/null -w '%{http_code} %{size_download} %{speed_download} %{speed_upload}' "$@")
  read -r code bytes down up <<< "$out"
  if [ "$code" != 200 ] || { [ "$kind" = get ] && [ "$bytes" != "$SIZE_BYTES" ]; }; then
    echo "$kind ${*: -1}: HTTP $code, $bytes bytes" >&2; exit 1
  fi
  [ "$kind" = get ] && speed=$down || speed=$up
  echo "$(mib "$speed") $(awk -v t="$(( $(cpu_ticks $SERVERS) - ticks ))" -v hz="$CLK_TCK" -v b="$SIZE_BYTES" \
    'BEGIN { printf "%.2f", t / hz / (b / 1073741824) }')"
}

# timed, with the result appended to two lists: MiB/s and the servers' CPU seconds per GiB.
measure() { # speeds-var cpu-var "server pids" kind curl-function args...
  local -n speeds=$1 cpus=$2
  local servers=$3 result
  shift 3
  result=$(SERVERS="$servers" timed "$@")
  speeds+="${result% *} "; cpus+="${result#* } "
}

verify() { # label curl-function args...
  local label=$1 fn=$2 actual
  shift 2
  actual=$("$fn" -sSf "$@" | sha256sum | cut -c1-64)
  [ "$actual" = "$EXPECTED" ] || { echo "$label: SHA-256 mismatch ($actual != $EXPECTED)" >&2; exit 1; }
  echo "$label: SHA-256 ok"
}

plain_curl() { curl "$@"; }
granary_curl() { curl -H "X-Api-Key: $KEY" "$@"; }

summary() { # label granary-list direct-list unit large|small [granary-cpu-list direct-cpu-list]
  local g d r cpu=""
  g=$(med "$2"); d=$(med "$3"); r=$(ratio "$g" "$d")
  [ -z "${6:-}" ] || cpu=$(printf 'server CPU s/GiB: granary path %.2f, direct %.2f; ' "$(med "$6")" "$(med "$7")")
  RESULTS+=("$(printf '%-46s %10.1f %10.1f %6s  %s' "$1 ($4)" "$g" "$d" "${r}x" \
    "$cpu$([ "$5" = large ] && echo "target >= ${TARGET_RATIO}x: $(met "$r >= $TARGET_RATIO")")")")
  RESULTS+=("$(printf '%-46s runs: granary %s| direct %s' "" "$2" "$3")")
}

# ---- (a) large GET: Granary on the filesystem store vs nginx ------------------------------
if wants fs-get; then
  port=$(free_port); base="http://127.0.0.1:$port"
  start_granary fs "$port" "$JAVA_OPTS" "${GRANARY_ARGS[@]}"
  wait_http "granary (fs)" "$base/actuator/health" "$GRANARY_PID" "$WORK/granary-fs.log"
  FS_PID=$GRANARY_PID
  KEY=$(granary_tenant "$base" "$BUCKET")
  timed put granary_curl -T "$WORK/www/large.bin" -H 'Content-Type: application/octet-stream' \
    "$base/v1/buckets/$BUCKET/objects/large.bin" > /dev/null
  nginx_port=$(free_port)
  start_nginx "$WORK/www" "$nginx_port"
  verify "fs-get granary" granary_curl "$base/v1/buckets/$BUCKET/objects/large.bin"
  verify "fs-get nginx" plain_curl "http://127.0.0.1:$nginx_port/large.bin"
  for _ in 1 2; do # warm-up, not counted
    timed get granary_curl "$base/v1/buckets/$BUCKET/objects/large.bin" > /dev/null
    timed get plain_curl "http://127.0.0.1:$nginx_port/large.bin" > /dev/null
  done
  g=""; d=""; gc=""; dc=""
  for run in $(seq 1 "$RUNS"); do
    measure g gc "$FS_PID" get granary_curl "$base/v1/buckets/$BUCKET/objects/large.bin"
    measure d dc "$NGINX_PID" get plain_curl "http://127.0.0.1:$nginx_port/large.bin"
    echo "run $run fs-get: granary ${g% } | nginx ${d% } MiB/s"
  done
  summary "GET $SIZE_MB MiB, fs store vs nginx" "$g" "$d" "MiB/s" large "$gc" "$dc"
  bench_stop "$FS_PID"; bench_stop "$NGINX_PID"; rm -rf "$WORK/data-fs"
fi

# ---- the S3 store: one S3Proxy, one Granary on it, a bucket of its own for direct requests --
if wants s3-large || wants s3-small; then
  start_s3proxy s3proxy "$(free_port)"
  s3_curl -sSf -X PUT "$S3_ENDPOINT/$DIRECT_BUCKET" > /dev/null
  read -r -a s3args <<< "$(granary_s3_args granary-blobs)"
  port=$(free_port); S3_BASE="http://127.0.0.1:$port"
  start_granary s3 "$port" "$JAVA_OPTS" "${s3args[@]}" "${GRANARY_ARGS[@]}"
  wait_http "granary (s3)" "$S3_BASE/actuator/health" "$GRANARY_PID" "$WORK/granary-s3.log"
  S3_GRANARY_PID=$GRANARY_PID
  KEY=$(granary_tenant "$S3_BASE" "$BUCKET")
  G_OBJECTS="$S3_BASE/v1/buckets/$BUCKET/objects"
  D_OBJECTS="$S3_ENDPOINT/$DIRECT_BUCKET"
fi

# ---- (b) large PUT and GET: Granary (S3 store) vs S3Proxy directly ------------------------
if wants s3-large; then
  # Warm-up, not counted: WARMUP rounds, each with a key of its own. With one round the JIT
  # still compiled for about a second during the first measured run (JFR's CompilerStatistics).
  for w in $(seq 1 "$WARMUP"); do
    timed put granary_curl -T "$WORK/www/large.bin" -H 'Content-Type: application/octet-stream' "$G_OBJECTS/warm-$w.bin" > /dev/null
    timed put s3_curl -T "$WORK/www/large.bin" -H 'Content-Type: application/octet-stream' "$D_OBJECTS/warm-$w.bin" > /dev/null
    timed get granary_curl "$G_OBJECTS/warm-$w.bin" > /dev/null
    timed get s3_curl "$D_OBJECTS/warm-$w.bin" > /dev/null
  done
  gp=""; dp=""; gg=""; dg=""; gpc=""; dpc=""; ggc=""; dgc=""
  for run in $(seq 1 "$RUNS"); do
    # A fresh key per run: no replaced versions being deleted in the background.
    measure gp gpc "$S3_GRANARY_PID $S3PROXY_PID" put granary_curl -T "$WORK/www/large.bin" \
      -H 'Content-Type: application/octet-stream' "$G_OBJECTS/large-$run.bin"
    measure dp dpc "$S3PROXY_PID" put s3_curl -T "$WORK/www/large.bin" \
      -H 'Content-Type: application/octet-stream' "$D_OBJECTS/large-$run.bin"
    measure gg ggc "$S3_GRANARY_PID $S3PROXY_PID" get granary_curl "$G_OBJECTS/large-$run.bin"
    measure dg dgc "$S3PROXY_PID" get s3_curl "$D_OBJECTS/large-$run.bin"
    echo "run $run s3-large: PUT granary ${gp% } | direct ${dp% }; GET granary ${gg% } | direct ${dg% } MiB/s"
  done
  verify "s3-large granary" granary_curl "$G_OBJECTS/large-$RUNS.bin"
  verify "s3-large direct" s3_curl "$D_OBJECTS/large-$RUNS.bin"
  summary "PUT $SIZE_MB MiB, S3 store vs direct" "$gp" "$dp" "MiB/s" large "$gpc" "$dpc"
  summary "GET $SIZE_MB MiB, S3 store vs direct" "$gg" "$dg" "MiB/s" large "$ggc" "$dgc"
fi

# ---- (c) small PUT and GET ops/s: Granary (S3 store) vs S3Proxy directly ------------------
# PARALLEL curl processes, each sending its share of the requests over one keep-alive
# connection (a curl config file of URLs), so neither side pays process start-ups per request.
small_batch() { # granary|direct put|get run -> ops/s
  local side=$1 method=$2 run=$3 w i pids=() start end codes base fn
  [ "$side" = granary ] && { base=$G_OBJECTS; fn=granary_curl; } || { base=$D_OBJECTS; fn=s3_curl; }
  for w in $(seq 0 $((PARALLEL - 1))); do
    for i in $(seq $((w + 1)) "$PARALLEL" "$OBJECTS"); do
      [ "$method" = put ] && printf 'upload-file = "%s/small/%05d"\n' "$WORK" "$i"
      printf 'url = "%s/r%d/o%05d"\noutput = "/dev/null"\n' "$base" "$run" "$i"
    done > "$WORK/$side-$method-$w.curlrc"
  done
  start=$(date +%s.%N)
  for w in $(seq 0 $((PARALLEL - 1))); do
    "$fn" -s -K "$WORK/$side-$method-$w.curlrc" -H 'Content-Type: application/octet-stream' \
      -w '%{http_code}\n' > "$WORK/$side-$method-$w.codes" &
    pids+=($!); bench_track "$!"
  done
  for w in "${pids[@]}"; do wait "$w" || true; done
  end=$(date +%s.%N)
  codes=$(cat "$WORK/$side-$method-"*.codes | sort | uniq -c | tr -s ' ')
  [ "$codes" = " $OBJECTS 200" ] || { echo "small $method via $side answered: $codes" >&2; exit 1; }
  awk -v n="$OBJECTS" -v s="$start" -v e="$end" 'BEGIN { printf "%.0f", n / (e - s) }'
}

if wants s3-small; then
  echo "Generating $OBJECTS objects of $SMALL_KB KiB..."
  mkdir -p "$WORK/small"
  for i in $(seq 1 "$OBJECTS"); do head -c "$((SMALL_KB * 1024))" /dev/urandom > "$WORK/small/$(printf %05d "$i")"; done
  # Warm-up (JIT, connection pools, S3Proxy) with a run of its own, not counted.
  for side in granary direct; do small_batch "$side" put 0 > /dev/null; small_batch "$side" get 0 > /dev/null; done
  gp=""; dp=""; gg=""; dg=""
  for run in $(seq 1 "$RUNS"); do
    gp+="$(small_batch granary put "$run") "; dp+="$(small_batch direct put "$run") "
    gg+="$(small_batch granary get "$run") "; dg+="$(small_batch direct get "$run") "
    echo "run $run s3-small: PUT granary ${gp% } | direct ${dp% }; GET granary ${gg% } | direct ${dg% } ops/s"
  done
  for i in 1 "$(((OBJECTS + 1) / 2))" "$OBJECTS"; do
    name=$(printf %05d "$i")
    granary_curl -sSf "$G_OBJECTS/r$RUNS/o$name" | cmp -s - "$WORK/small/$name" || { echo "s3-small granary: o$name differs" >&2; exit 1; }
    s3_curl -sSf "$D_OBJECTS/r$RUNS/o$name" | cmp -s - "$WORK/small/$name" || { echo "s3-small direct: o$name differs" >&2; exit 1; }
  done
  echo "s3-small: sampled objects equal"
  summary "PUT $SMALL_KB KiB x $OBJECTS, S3 store vs direct" "$gp" "$dp" "ops/s" small
  summary "GET $SMALL_KB KiB x $OBJECTS, S3 store vs direct" "$gg" "$dg" "ops/s" small
fi

echo "--"
echo "commands:    ${COMMANDS[*]}; $RUNS interleaved runs after $WARMUP warm-up round(s) (s3-large); large object $SIZE_MB MiB (one curl stream);" \
  "small: $OBJECTS x $SMALL_KB KiB over $PARALLEL keep-alive curl clients"
echo "Granary:     JVM options $JAVA_OPTS, arguments: ${GRANARY_ARGS[*]:-(none)}, rate limits off, cache on (default); jar ${JAR:-target/granary.jar} (sha256 $(sha256sum "${JAR:-target/granary.jar}" | cut -c1-12))," \
  "tree at $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
echo "machine:     $(machine_info)"
echo "load avg:    $LOAD_BEFORE at the start"
printf '%-46s %10s %10s %6s\n' "medians" granary direct ratio
printf '%s\n' "${RESULTS[@]}"
