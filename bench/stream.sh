#!/usr/bin/env bash
# Streams a large random file through Granary (filesystem store, 128 MiB heap) with curl:
# upload, download, SHA-256 comparison, throughput each way and the gateway's peak RSS.
# Fails when the bytes differ or peak RSS reaches the limit.
#
#   bench/stream.sh                 # 2 GiB, 3 runs
#   SIZE_MB=512 RUNS=1 bench/stream.sh
#
# Settings (environment): SIZE_MB=2048 RUNS=3 PORT=18181 RSS_LIMIT_MB=400 JAVA_OPTS=-Xmx128m
# REBUILD= (rebuild the jar)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh # json_field, median

SIZE_MB=${SIZE_MB:-2048}
RUNS=${RUNS:-3}
PORT=${PORT:-18181}
RSS_LIMIT_MB=${RSS_LIMIT_MB:-400}
JAVA_OPTS=${JAVA_OPTS:--Xmx128m}
case "${1:-}" in
  -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
  "") ;;
  *) echo "usage: bench/stream.sh (settings through the environment; --help lists them)" >&2; exit 2 ;;
esac
WORK=$(mktemp -d "${TMPDIR:-/tmp}/granary-bench.XXXXXX")
BASE="http://127.0.0.1:$PORT"
ROOT_KEY="bench-root-key-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
PID=

cleanup() {
  if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then kill "$PID"; wait "$PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

[ -f target/granary.jar ] && [ -z "${REBUILD:-}" ] || ./mvnw -q -B package -DskipTests

echo "Generating $SIZE_MB MiB of random data..."
head -c "$((SIZE_MB * 1024 * 1024))" /dev/urandom > "$WORK/input.bin"
expected=$(sha256sum "$WORK/input.bin" | cut -d' ' -f1)

GRANARY_ROOT_KEY="$ROOT_KEY" GRANARY_DATA_DIR="$WORK/data" \
  java $JAVA_OPTS -jar target/granary.jar --server.port="$PORT" > "$WORK/granary.log" 2>&1 &
PID=$!
for _ in $(seq 1 120); do
  curl -sf "$BASE/actuator/health" > /dev/null && break
  kill -0 "$PID" 2>/dev/null || { cat "$WORK/granary.log"; exit 1; }
  sleep 0.5
done

tenant=$(curl -sf -H "Authorization: Bearer $ROOT_KEY" -H 'Content-Type: application/json' \
  -d '{"name":"bench"}' "$BASE/v1/tenants" | json_field id)
key=$(curl -sf -H "Authorization: Bearer $ROOT_KEY" -H 'Content-Type: application/json' \
  -d '{"name":"bench","permissions":["admin"]}' "$BASE/v1/tenants/$tenant/keys" | json_field secret)
curl -sf -H "X-Api-Key: $key" -H 'Content-Type: application/json' -d '{"name":"bench"}' "$BASE/v1/buckets" > /dev/null
url="$BASE/v1/buckets/bench/objects/large.bin"

up=(); down=()
for run in $(seq 1 "$RUNS"); do
  u=$(curl -sf -T "$WORK/input.bin" -H "X-Api-Key: $key" -H 'Content-Type: application/octet-stream' \
    -o /dev/null -w '%{speed_upload}' "$url")
  d=$(curl -sf -H "X-Api-Key: $key" -o "$WORK/output.bin" -w '%{speed_download}' "$url")
  actual=$(sha256sum "$WORK/output.bin" | cut -d' ' -f1)
  rm -f "$WORK/output.bin"
  if [ "$actual" != "$expected" ]; then echo "run $run: SHA-256 mismatch ($actual != $expected)"; exit 1; fi
  up+=("$(awk -v b="$u" 'BEGIN { printf "%.1f", b / 1048576 }')")
  down+=("$(awk -v b="$d" 'BEGIN { printf "%.1f", b / 1048576 }')")
  echo "run $run: upload ${up[-1]} MiB/s, download ${down[-1]} MiB/s, SHA-256 ok"
done

peak_kb=$(awk '/VmHWM/ { print $2 }' "/proc/$PID/status")
peak_mb=$((peak_kb / 1024))
echo "--"
echo "size:           $SIZE_MB MiB x $RUNS runs, JVM options: $JAVA_OPTS"
echo "upload median:   $(printf '%s\n' "${up[@]}" | median) MiB/s"
echo "download median: $(printf '%s\n' "${down[@]}" | median) MiB/s"
echo "peak RSS:        $peak_mb MiB (limit $RSS_LIMIT_MB MiB)"
if [ "$peak_mb" -ge "$RSS_LIMIT_MB" ]; then echo "FAIL: peak RSS over the limit"; exit 1; fi
echo "PASS"
