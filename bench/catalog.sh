#!/usr/bin/env bash
# The catalogue at scale on the embedded defaults: grows one bucket to each size in SIZES (records
# and blobs cloned from one object Granary stored, by bench/CatalogueFill.java over the embedded
# server's wire port), and at each size times the root listing with delimiter=/ (FOLDERS common
# prefixes), a plain page of 100 keys, a page from a deep cursor (the middle of a folder), HEADs
# of random keys and 4 KiB PUTs of new keys; prints p50/p99 in ms. Then restarts Granary with a
# short sweeper interval and times one full orphan sweep over every blob (ORPHANS old orphans
# among them must be removed).
#
#   bench/catalog.sh                          # 10,000, 100,000 and 1,000,000 objects
#   SIZES="10000 100000" SAMPLES=30 bench/catalog.sh
#
# Settings (environment): SIZES="10000 100000 1000000" FOLDERS=50 SAMPLES=50 ORPHANS=100
# JAVA_OPTS=-Xmx512m REBUILD= (rebuild the jar)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh

SIZES=${SIZES:-"10000 100000 1000000"}
FOLDERS=${FOLDERS:-50}
SAMPLES=${SAMPLES:-50}
ORPHANS=${ORPHANS:-100}
JAVA_OPTS=${JAVA_OPTS:--Xmx512m}
case "${1:-}" in
  -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
  "") ;;
  *) echo "usage: bench/catalog.sh (settings through the environment; --help lists them)" >&2; exit 2 ;;
esac
bench_need curl java awk
bench_init catalog
ensure_jar
./mvnw -q -o -B dependency:build-classpath -Dmdep.outputFile="$WORK/cp" > /dev/null
CP="$(cat "$WORK/cp")"

PORT=$(free_port)
MONGO_PORT=$((PORT + 1000))
BASE="http://127.0.0.1:$PORT"
start() { # extra application arguments...
  start_granary cat "$PORT" "$JAVA_OPTS" --granary.embedded-mongo.port="$MONGO_PORT" "$@"
  wait_http granary "$BASE/actuator/health" "$GRANARY_PID" "$WORK/granary-cat.log"
}
start
KEY=$(granary_tenant "$BASE" bench)
OBJECTS="$BASE/v1/buckets/bench/objects"
head -c 4096 /dev/urandom > "$WORK/body"
head -c 64 /dev/urandom > "$WORK/template" # small, so that a million clones fill the disk quickly
curl -sf -o /dev/null -T "$WORK/template" -H "X-Api-Key: $KEY" "$OBJECTS/template.bin"

# Prints "p50 p99" in ms of SAMPLES runs of the curl arguments ("%i" in them: the sample's number).
timed() { # curl arguments...
  local i args
  for i in $(seq 1 "$SAMPLES"); do
    args=("${@//%i/$i}")
    curl -s -o /dev/null -w '%{time_total}\n' -H "X-Api-Key: $KEY" "${args[@]}"
  done | awk '{ print $1 * 1000 }' | sort -n | awk '{ v[NR] = $1 } END { printf "%.1f %.1f", v[int((NR + 1) / 2)], v[int(NR * 0.99 + 0.5)] }'
}

machine_info
printf '%-10s %-24s %10s %10s\n' objects measure p50_ms p99_ms
filled=0
for n in $SIZES; do
  started=$(date +%s)
  java -cp "$CP" bench/CatalogueFill.java "$MONGO_PORT" "$WORK/data-cat/store/blobs" template.bin "$filled" $((n - filled)) "$FOLDERS" \
    > "$WORK/fill.log" 2>&1 || { tail -20 "$WORK/fill.log" >&2; exit 1; }
  echo "filled to $n objects in $(( $(date +%s) - started )) s"
  filled=$n
  curl -s -o /dev/null -H "X-Api-Key: $KEY" "$OBJECTS?delimiter=/" # one warm-up of each path
  cursor=$(curl -sf -H "X-Api-Key: $KEY" "$OBJECTS?prefix=f001/&limit=1" | json_field nextCursor)
  for _ in $(seq 1 $((n / FOLDERS / 2 / 1000))); do # to the middle of a folder, a page of 1,000 at a time
    cursor=$(curl -sf -H "X-Api-Key: $KEY" "$OBJECTS?prefix=f001/&limit=1000&cursor=$cursor" | json_field nextCursor)
  done
  for measure in "root listing, delimiter" "page of 100" "deep cursor page" "HEAD random key" "PUT 4 KiB new key"; do
    case "$measure" in
      root*) r=$(timed "$OBJECTS?delimiter=/") ;;
      "page of 100") r=$(timed "$OBJECTS?limit=100") ;;
      deep*) r=$(timed "$OBJECTS?prefix=f001/&limit=100&cursor=$cursor") ;;
      HEAD*) r=$(timed -I "$OBJECTS/$(printf 'f%03d/obj%08d.bin' $((RANDOM % FOLDERS)) $(( (RANDOM * 32768 + RANDOM) % n / FOLDERS * FOLDERS + RANDOM % FOLDERS )))") ;;
      PUT*) r=$(timed -T "$WORK/body" "$OBJECTS/new-$n-%i.bin") ;;
    esac
    printf '%-10s %-24s %10s %10s\n' "$n" "$measure" $r
  done
done

# Orphans: old blob files no record points at, among all the others.
bucket_dir=$(dirname "$(find "$WORK/data-cat/store/blobs/t" -type f | head -1)")
for i in $(seq 1 "$ORPHANS"); do
  head -c 16 /dev/urandom > "$bucket_dir/orphan$i"
  touch -d '2 days ago' "$bucket_dir/orphan$i"
done
bench_stop "$GRANARY_PID"
start --granary.sweeper.interval=5s --granary.sweeper.safety-age=1s
for _ in $(seq 1 1200); do grep -q 'Orphan sweep' "$WORK/granary-cat.log" && break; sleep 0.5; done
echo "metadata.mv: $(du -m "$WORK/data-cat/metadata.mv" | cut -f1) MiB"
echo "orphan sweep over $(find "$WORK/data-cat/store/blobs/t" -type f | wc -l) blobs (+ $ORPHANS removed): $(grep -o 'Orphan sweep.*' "$WORK/granary-cat.log" | head -1)"
