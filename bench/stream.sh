#!/usr/bin/env bash
# Streams a large random file through Granary (128 MiB heap) with curl, one stream at a time,
# and compares its uploads with the direct path on the same disk in the same run:
#   fs   Granary on the filesystem store: upload (curl -T), download, SHA-256 comparison;
#        against nginx (nginx-light, dav_methods PUT) storing the same PUT on the same disk
#   s3   Granary on the S3 store (S3Proxy, filesystem-nio2): upload, download, SHA-256;
#        against the same PUT sent straight to S3Proxy (authorization none, plain body)
# The targets are interleaved within each run (Granary, direct, Granary, direct, ...), and the
# page cache's dirty pages are written out (sync, untimed) before every timed upload, so no
# transfer pays for the one before it. Per run it prints MiB/s each way; at the end the
# medians, the ratio Granary/direct for uploads (target >= 0.9x), the server CPU time per GiB
# uploaded (the steadier figure on a shared machine) and each Granary's peak resident set size.
# Each Granary first takes one uncounted upload (JIT warm-up). It fails when bytes differ, a transfer fails, or a peak RSS reaches the limit.
# Granary forces each blob to disk before its record commits; nginx and S3Proxy do not fsync.
#
#   bench/stream.sh                 # 2 GiB, 3 runs, both stores
#   SIZE_MB=512 RUNS=1 STORES=fs bench/stream.sh
#
# Settings (environment): SIZE_MB=2048 RUNS=3 WARMUP=1 STORES="fs s3" RSS_LIMIT_MB=400 JAVA_OPTS=-Xmx128m
# GRANARY_ARGS= (more application arguments) SYNC=1 (0: no sync before uploads) PORT= (first
# port tried; random by default) REBUILD= (rebuild the jar)
# Needs: java 17+, curl, nginx with the dav module (Debian's nginx-light), sha256sum.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh

SIZE_MB=${SIZE_MB:-2048}
RUNS=${RUNS:-3}
WARMUP=${WARMUP:-1}
STORES=${STORES:-fs s3}
RSS_LIMIT_MB=${RSS_LIMIT_MB:-400}
JAVA_OPTS=${JAVA_OPTS:--Xmx128m}
SYNC=${SYNC:-1}
TARGET_RATIO=0.9
read -r -a GRANARY_ARGS <<< "${GRANARY_ARGS:-}"
case "${1:-}" in
  -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
  "") ;;
  *) echo "usage: bench/stream.sh (settings through the environment; --help lists them)" >&2; exit 2 ;;
esac
wants() { [[ " $STORES " == *" $1 "* ]]; }

bench_need java curl sha256sum
wants fs && bench_need nginx
bench_init stream
ensure_jar
SIZE_BYTES=$((SIZE_MB * 1024 * 1024))
RESULTS=() # summary lines, printed at the end
FAILED=

echo "Generating $SIZE_MB MiB of random data..."
head -c "$SIZE_BYTES" /dev/urandom > "$WORK/input.bin"
EXPECTED=$(sha256sum "$WORK/input.bin" | cut -c1-64)

settle() { [ "$SYNC" = 0 ] || sync; }

# One upload with curl -T: prints MiB/s and the CPU seconds per GiB that the processes in
# $SERVERS (and their children) used meanwhile; fails unless the answer is 2xx. Arguments go to curl.
SERVERS=
put() {
  local out code speed ticks
  settle
  ticks=$(cpu_ticks $SERVERS)
  out=$(curl -sS -T "$WORK/input.bin" -o /dev/null -w '%{http_code} %{speed_upload}' "$@")
  ticks=$(($(cpu_ticks $SERVERS) - ticks))
  read -r code speed <<< "$out"
  case $code in 2??) ;; *) echo "PUT ${*: -1} answered $code" >&2; exit 1 ;; esac
  echo "$(mib "$speed") $(awk -v t="$ticks" -v hz="$CLK_TCK" -v mb="$SIZE_MB" 'BEGIN { printf "%.2f", t / hz / (mb / 1024) }')"
}

# One download into a file, whose SHA-256 must be the input's: prints MiB/s.
get_checked() {
  local speed actual
  speed=$(curl -sSf -o "$WORK/output.bin" -w '%{speed_download}' "$@")
  actual=$(sha256sum "$WORK/output.bin" | cut -c1-64)
  rm -f "$WORK/output.bin"
  [ "$actual" = "$EXPECTED" ] || { echo "GET ${*: -1}: SHA-256 mismatch ($actual != $EXPECTED)" >&2; exit 1; }
  mib "$speed"
}

# Interleaved runs: Granary upload, direct upload, Granary download (checked), after WARMUP
# uncounted Granary uploads. Arguments: the label, then functions that upload through Granary,
# upload directly and download from Granary, then the pids of the Granary path's servers and of
# the direct path's.
compare_uploads() { # label granary-put direct-put granary-get granary-pids direct-pids
  local label=$1 gput=$2 dput=$3 gget=$4 gpids=$5 dpids=$6 run g gc d dc r up=() direct=() down=() gcpu=() dcpu=()
  for run in $(seq 1 "$WARMUP"); do SERVERS=$gpids "$gput" > /dev/null; done
  for run in $(seq 1 "$RUNS"); do
    read -r g gc <<< "$(SERVERS=$gpids "$gput")"
    read -r d dc <<< "$(SERVERS=$dpids "$dput")"
    r=$("$gget")
    up+=("$g"); direct+=("$d"); down+=("$r"); gcpu+=("$gc"); dcpu+=("$dc")
    echo "$label run $run: upload Granary $g MiB/s ($gc s CPU/GiB), direct $d MiB/s ($dc s CPU/GiB); download Granary $r MiB/s, SHA-256 ok"
  done
  g=$(med "${up[*]}"); d=$(med "${direct[*]}"); r=$(ratio "$g" "$d")
  RESULTS+=("$label: upload median Granary $g MiB/s (${up[*]}), direct $d MiB/s (${direct[*]}), ratio ${r}x, target >= ${TARGET_RATIO}x $(met "$r >= $TARGET_RATIO")")
  RESULTS+=("$label: server CPU per GiB uploaded, median: Granary path $(med "${gcpu[*]}") s (${gcpu[*]}), direct $(med "${dcpu[*]}") s (${dcpu[*]})")
  RESULTS+=("$label: download median Granary $(med "${down[*]}") MiB/s (${down[*]})")
}

check_rss() { # label pid
  local peak
  peak=$(peak_rss_mb "$2")
  RESULTS+=("$1: Granary peak RSS $peak MiB (limit $RSS_LIMIT_MB MiB)")
  [ "$peak" -lt "$RSS_LIMIT_MB" ] || FAILED=1
}

if wants fs; then
  port=$(free_port)
  start_granary fs "$port" "$JAVA_OPTS" "${GRANARY_ARGS[@]}"
  FS_PID=$GRANARY_PID
  FS_BASE="http://127.0.0.1:$port"
  wait_http Granary "$FS_BASE/actuator/health" "$FS_PID" "$WORK/granary-fs.log"
  FS_KEY=$(granary_tenant "$FS_BASE" bench)
  # nginx stores the body in client_body_temp_path and renames it into its root: both on the
  # disk that holds Granary's data directory.
  NGINX_PORT=$(free_port)
  mkdir -p "$WORK/dav"
  NGINX_LOCATION='dav_methods PUT; create_full_put_path on; client_max_body_size 0;' start_nginx "$WORK/dav" "$NGINX_PORT"
  fs_gput() { put -H "X-Api-Key: $FS_KEY" -H 'Content-Type: application/octet-stream' "$FS_BASE/v1/buckets/bench/objects/large.bin"; }
  fs_dput() { put "http://127.0.0.1:$NGINX_PORT/large.bin"; }
  fs_gget() { get_checked -H "X-Api-Key: $FS_KEY" "$FS_BASE/v1/buckets/bench/objects/large.bin"; }
  compare_uploads "fs store vs nginx PUT" fs_gput fs_dput fs_gget "$FS_PID" "$NGINX_PID"
  [ "$(sha256sum "$WORK/dav/large.bin" | cut -c1-64)" = "$EXPECTED" ] || { echo "nginx stored other bytes" >&2; exit 1; }
  check_rss "fs store" "$FS_PID"
  bench_stop "$NGINX_PID"; bench_stop "$FS_PID"
  rm -rf "$WORK/dav" "$WORK/data-fs"
fi

if wants s3; then
  S3PROXY_AUTH=none start_s3proxy s3proxy "$(free_port)"
  curl -sSf -X PUT -o /dev/null "$S3_ENDPOINT/direct"
  port=$(free_port)
  read -r -a s3_args <<< "$(granary_s3_args granary)"
  start_granary s3 "$port" "$JAVA_OPTS" "${s3_args[@]}" "${GRANARY_ARGS[@]}"
  S3_PID=$GRANARY_PID
  S3_BASE="http://127.0.0.1:$port"
  wait_http Granary "$S3_BASE/actuator/health" "$S3_PID" "$WORK/granary-s3.log"
  S3_KEY=$(granary_tenant "$S3_BASE" bench)
  s3_gput() { put -H "X-Api-Key: $S3_KEY" -H 'Content-Type: application/octet-stream' "$S3_BASE/v1/buckets/bench/objects/large.bin"; }
  s3_dput() { put "$S3_ENDPOINT/direct/large.bin"; }
  s3_gget() { get_checked -H "X-Api-Key: $S3_KEY" "$S3_BASE/v1/buckets/bench/objects/large.bin"; }
  compare_uploads "S3 store vs S3Proxy PUT" s3_gput s3_dput s3_gget "$S3_PID $S3PROXY_PID" "$S3PROXY_PID"
  get_checked "$S3_ENDPOINT/direct/large.bin" > /dev/null
  check_rss "S3 store" "$S3_PID"
fi

echo "--"
echo "size: $SIZE_MB MiB x $RUNS runs (after $WARMUP uncounted Granary uploads), one stream; Granary JVM options: $JAVA_OPTS; jar $(sha256sum "${JAR:-target/granary.jar}" | cut -c1-12)"
echo "machine: $(machine_info)"
printf '%s\n' "${RESULTS[@]}"
[ -z "$FAILED" ] || { echo "FAIL: peak RSS over the limit"; exit 1; }
echo "PASS"
