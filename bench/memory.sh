#!/usr/bin/env bash
# Memory under concurrent large transfers: Granary with a 128 MiB heap takes CONCURRENCY
# simultaneous uploads of one random SIZE_MB file (a different key each), then serves the same
# number of simultaneous downloads, on the filesystem store and on the S3 store (S3Proxy with its
# filesystem-nio2 backend, started here). Every download's SHA-256 is checked against the
# source. Per store it prints the aggregate MiB/s each way, Granary's peak RSS (VmHWM) and its
# peak heap use sampled once a second with jstat, and fails when a transfer fails, the bytes
# differ, the JVM ran out of memory or the peak RSS reaches RSS_LIMIT_MB.
#
#   bench/memory.sh                          # 8 x 2 GiB per store, 1 run
#   SIZE_MB=256 CONCURRENCY=4 bench/memory.sh
#   STORES=s3 RUNS=3 bench/memory.sh
#
# Settings (environment): SIZE_MB=2048 CONCURRENCY=8 RUNS=1 STORES="fs s3" RSS_LIMIT_MB=400
# JAVA_OPTS=-Xmx128m PORT= (first port tried; random by default) REBUILD= (rebuild the jar)
# Disk: the source file plus CONCURRENCY x SIZE_MB for the store in use (removed between stores).
# Needs: java 17+ (with jstat), curl.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh

SIZE_MB=${SIZE_MB:-2048}
CONCURRENCY=${CONCURRENCY:-8}
RUNS=${RUNS:-1}
STORES=${STORES:-fs s3}
RSS_LIMIT_MB=${RSS_LIMIT_MB:-400}
JAVA_OPTS=${JAVA_OPTS:--Xmx128m}

case "${1:-}" in
  -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
  "") ;;
  *) echo "usage: bench/memory.sh (settings through the environment; --help lists them)" >&2; exit 2 ;;
esac
bench_need java jstat curl sha256sum
bench_init memory
ensure_jar

echo "Generating $SIZE_MB MiB of random data..."
head -c "$((SIZE_MB * 1024 * 1024))" /dev/urandom > "$WORK/input.bin"
EXPECTED=$(sha256sum "$WORK/input.bin" | cut -c1-64)
TOTAL_BYTES=$((CONCURRENCY * SIZE_MB * 1024 * 1024))
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

now() { date +%s.%N; }
rate() { awk -v b="$TOTAL_BYTES" -v s="$1" -v e="$2" 'BEGIN { printf "%.1f", b / 1048576 / (e - s) }'; }

# Highest heap use (young + survivors + old, MiB) and highest old-generation use in a jstat -gc log.
heap_peaks() { # jstat-log
  awk 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
       $1 ~ /^[0-9.]+$/ { h = $col["S0U"] + $col["S1U"] + $col["EU"] + $col["OU"]; if (h > max) max = h
                          if ($col["OU"] > old) old = $col["OU"] }
       END { printf "%.0f %.0f\n", max / 1024, old / 1024 }' "$1"
}

declare -A UP=() DOWN=() RSS=() HEAP=() OLD=()
FAILED=0
for run in $(seq 1 "$RUNS"); do
  for store in $STORES; do
    args=()
    if [ "$store" = s3 ]; then
      start_s3proxy "s3proxy-$run" "$(free_port)"
      read -r -a args <<< "$(granary_s3_args granary-blobs)"
    fi
    port=$(free_port)
    base="http://127.0.0.1:$port"
    start_granary "$store-$run" "$port" "$JAVA_OPTS" "${args[@]}"
    wait_http "granary ($store)" "$base/actuator/health" "$GRANARY_PID" "$WORK/granary-$store-$run.log"
    key=$(granary_tenant "$base" bench)
    url="$base/v1/buckets/bench/objects"

    jstat -gc "$GRANARY_PID" 1000 > "$WORK/jstat-$store-$run.log" 2>&1 &
    jstat_pid=$!
    bench_track "$jstat_pid"

    # Uploads: all at once, each its own key, the same source file.
    pids=()
    start=$(now)
    for i in $(seq 1 "$CONCURRENCY"); do
      curl -sS -T "$WORK/input.bin" -H "X-Api-Key: $key" -H 'Content-Type: application/octet-stream' \
        -o "$WORK/up-$i.body" -w '%{http_code}' "$url/m$i" > "$WORK/up-$i.code" 2> "$WORK/up-$i.err" &
      pids+=($!); bench_track "$!"
    done
    for i in $(seq 1 "$CONCURRENCY"); do
      if ! wait "${pids[$((i - 1))]}" || [ "$(cat "$WORK/up-$i.code")" != 200 ]; then
        echo "run $run $store: upload m$i failed: HTTP $(cat "$WORK/up-$i.code") $(cat "$WORK/up-$i.err" "$WORK/up-$i.body" | head -c 400)" >&2
        FAILED=1
      fi
    done
    up=$(rate "$start" "$(now)")
    [ "$FAILED" = 0 ] || exit 1

    # Downloads: all at once, hashed as they arrive (nothing lands on disk).
    pids=()
    start=$(now)
    for i in $(seq 1 "$CONCURRENCY"); do
      (curl -sSf -H "X-Api-Key: $key" "$url/m$i" | sha256sum | cut -c1-64 > "$WORK/down-$i.sha") 2> "$WORK/down-$i.err" &
      pids+=($!); bench_track "$!"
    done
    for i in $(seq 1 "$CONCURRENCY"); do
      if ! wait "${pids[$((i - 1))]}"; then
        echo "run $run $store: download m$i failed: $(head -c 400 "$WORK/down-$i.err")" >&2; FAILED=1
      elif [ "$(cat "$WORK/down-$i.sha")" != "$EXPECTED" ]; then
        echo "run $run $store: m$i SHA-256 mismatch ($(cat "$WORK/down-$i.sha") != $EXPECTED)" >&2; FAILED=1
      fi
    done
    down=$(rate "$start" "$(now)")
    [ "$FAILED" = 0 ] || exit 1

    kill -0 "$GRANARY_PID" 2>/dev/null || { echo "run $run $store: Granary exited" >&2; tail -30 "$WORK/granary-$store-$run.log" >&2; exit 1; }
    if grep -q OutOfMemoryError "$WORK/granary-$store-$run.log"; then
      echo "run $run $store: OutOfMemoryError in Granary's log" >&2; grep -m3 OutOfMemoryError "$WORK/granary-$store-$run.log" >&2; exit 1
    fi
    rss=$(peak_rss_mb "$GRANARY_PID")
    bench_stop "$jstat_pid"
    read -r heap old <<< "$(heap_peaks "$WORK/jstat-$store-$run.log")"
    UP[$store]+="$up "; DOWN[$store]+="$down "; RSS[$store]+="$rss "; HEAP[$store]+="$heap "; OLD[$store]+="$old "
    printf 'run %d %-3s upload %7.1f MiB/s  download %7.1f MiB/s  (aggregate of %d)  peak RSS %4d MiB  peak heap %4d MiB (old gen %d)  SHA-256 ok\n' \
      "$run" "$store" "$up" "$down" "$CONCURRENCY" "$rss" "$heap" "$old"

    # Free the disk before the next store.
    bench_stop "$GRANARY_PID"
    rm -rf "$WORK/data-$store-$run"
    if [ "$store" = s3 ]; then bench_stop "$S3PROXY_PID"; rm -rf "$WORK/s3proxy-$run"; fi
  done
done

echo "--"
echo "transfers:   $CONCURRENCY concurrent x $SIZE_MB MiB up, then $CONCURRENCY concurrent down, $RUNS run(s) per store; curl over loopback"
echo "JVM options: $JAVA_OPTS; jar ${JAR:-target/granary.jar} (sha256 $(sha256sum "${JAR:-target/granary.jar}" | cut -c1-12)), tree at $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
echo "machine:     $(machine_info)"
echo "load avg:    $LOAD_BEFORE at the start"
echo "medians; heap sampled once a second (jstat -gc), RSS = VmHWM over the process lifetime"
printf '%-6s %14s %16s %14s %15s\n' store "upload MiB/s" "download MiB/s" "peak RSS MiB" "peak heap MiB"
worst=0
for store in $STORES; do
  printf '%-6s %14.1f %16.1f %14d %15d   (RSS of each run: %s)\n' "$store" "$(med "${UP[$store]}")" \
    "$(med "${DOWN[$store]}")" "$(med "${RSS[$store]}")" "$(med "${HEAP[$store]}")" "${RSS[$store]% }"
  for r in ${RSS[$store]}; do [ "$r" -le "$worst" ] || worst=$r; done
done
if [[ " $STORES " == *" fs "* && " $STORES " == *" s3 "* ]]; then
  echo "ratio s3/fs upload:   $(ratio "$(med "${UP[s3]}")" "$(med "${UP[fs]}")")"
  echo "ratio s3/fs download: $(ratio "$(med "${DOWN[s3]}")" "$(med "${DOWN[fs]}")")"
fi
echo "target no OOM, every SHA-256 equal: met"
echo "target peak RSS < $RSS_LIMIT_MB MiB: $(met "$worst < $RSS_LIMIT_MB") (highest $worst MiB)"
[ "$worst" -lt "$RSS_LIMIT_MB" ] || exit 1
