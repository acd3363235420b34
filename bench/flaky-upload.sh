#!/usr/bin/env bash
# A large resumable upload over a link that keeps breaking: tus-js-client uploads SIZE_MB of
# data to Granary (filesystem store by default, STORE=s3 for S3Proxy) through a proxy
# (bench/flaky-upload.mjs) that cuts each connection after a random CUT_MIN_MB..CUT_MAX_MB of
# request bytes, half of the cuts with a reset and half with an end of stream. The client
# resumes after every cut from the offset the server reports. The object is then downloaded and
# its SHA-256 compared with the source. Prints the time, the cuts, and the bytes the client had
# to send again (forwarded by the proxy minus the file size), in total and per cut.
#
#   bench/flaky-upload.sh                          # 16 GiB, cuts every 64..512 MiB
#   SIZE_MB=2048 CUT_MIN_MB=8 CUT_MAX_MB=64 bench/flaky-upload.sh
#   JAR=/path/to/other/granary.jar bench/flaky-upload.sh   # another build, same run
#   SOURCE=pattern SIZE_MB=51200 TMPDIR=/mnt/compressed bench/flaky-upload.sh   # 50 GiB, no source file
#
# SOURCE=random (default): a random file, written first. SOURCE=pattern: bytes generated as they
# are sent, 4 KiB blocks each holding its own offset plus filler (any lost, repeated or misplaced
# byte still changes the SHA-256); no source file, and a compressing filesystem under TMPDIR
# (e.g. btrfs with compress-force=zstd) holds the store's copies in a fraction of their size.
# Settings (environment): SIZE_MB=16384 CUT_MIN_MB=64 CUT_MAX_MB=512 STORE=fs SOURCE=random JAVA_OPTS=-Xmx256m
# JAR= (default target/granary.jar) PORT= REBUILD=
# Disk under TMPDIR: the source file (SOURCE=random), plus twice SIZE_MB in the store while the
# parts are joined.
# Needs: java 17+, curl, node and npm (tus-js-client is installed into target/tus-client).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh

SIZE_MB=${SIZE_MB:-16384}
CUT_MIN_MB=${CUT_MIN_MB:-64}
CUT_MAX_MB=${CUT_MAX_MB:-512}
STORE=${STORE:-fs}
SOURCE=${SOURCE:-random}
JAVA_OPTS=${JAVA_OPTS:--Xmx256m}

case "$SOURCE" in random|pattern) ;; *) echo "SOURCE must be random or pattern" >&2; exit 2 ;; esac
case "${1:-}" in
  -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
  "") ;;
  *) echo "usage: bench/flaky-upload.sh (settings through the environment; --help lists them)" >&2; exit 2 ;;
esac
bench_need java curl sha256sum node npm openssl
bench_init flaky
ensure_jar

CLIENT=target/tus-client
mkdir -p "$CLIENT"
cp src/test/tus/package.json src/test/tus/package-lock.json bench/flaky-upload.mjs "$CLIENT/"
[ -d "$CLIENT/node_modules/tus-js-client" ] || (cd "$CLIENT" && npm ci --no-audit --no-fund > /dev/null)

if [ "$SOURCE" = pattern ]; then
  INPUT="pattern:$((SIZE_MB * 1024 * 1024))"
  EXPECTED=$(cd "$CLIENT" && node flaky-upload.mjs --pattern-sha256 "$((SIZE_MB * 1024 * 1024))")
else
  echo "Generating $SIZE_MB MiB of pseudo-random data..."
  # AES-CTR of zeros: random-looking (nothing for a filesystem to compress) at GB/s, unlike /dev/urandom.
  # (openssl ends on a broken pipe once head has enough.)
  { openssl enc -aes-128-ctr -nosalt -pass "pass:$RANDOM$RANDOM" -pbkdf2 < /dev/zero 2> /dev/null || true; } \
    | head -c "$((SIZE_MB * 1024 * 1024))" > "$WORK/input.bin"
  INPUT="$WORK/input.bin"
  EXPECTED=$(sha256sum "$INPUT" | cut -c1-64)
fi

args=()
if [ "$STORE" = s3 ]; then
  start_s3proxy s3proxy "$(free_port)"
  read -r -a args <<< "$(granary_s3_args granary-blobs)"
fi
port=$(free_port)
start_granary flaky "$port" "$JAVA_OPTS" "${args[@]}"
wait_http Granary "http://127.0.0.1:$port/actuator/health" "$GRANARY_PID" "$WORK/granary-flaky.log"
KEY=$(granary_tenant "http://127.0.0.1:$port" flaky)

echo "Uploading through the cutting proxy (cuts every $CUT_MIN_MB..$CUT_MAX_MB MiB)..."
RESULT=$(cd "$CLIENT" && node flaky-upload.mjs "$port" flaky "$KEY" "$INPUT" big.bin \
  "$((CUT_MIN_MB * 1024 * 1024))" "$((CUT_MAX_MB * 1024 * 1024))")
num_field() { sed -n "s/.*\"$1\":\([0-9.]*\).*/\1/p"; }
SECONDS_TAKEN=$(num_field seconds <<< "$RESULT")
CUTS=$(num_field cuts <<< "$RESULT")
FORWARDED=$(num_field forwardedBytes <<< "$RESULT")
SIZE=$(num_field size <<< "$RESULT")

ACTUAL=$(curl -sf -H "X-Api-Key: $KEY" "http://127.0.0.1:$port/v1/buckets/flaky/objects/big.bin" | sha256sum | cut -c1-64)
RESENT=$((FORWARDED - SIZE))

echo
echo "flaky-upload: $(date -u +%Y-%m-%dT%H:%MZ), jar $(sha256sum "${JAR:-target/granary.jar}" | cut -c1-12), store $STORE"
echo "machine: $(machine_info)"
echo "size ${SIZE_MB} MiB ($SOURCE data), cuts every ${CUT_MIN_MB}..${CUT_MAX_MB} MiB (half resets, half ends of stream)"
echo "time ${SECONDS_TAKEN} s ($(awk -v b="$SIZE" -v s="$SECONDS_TAKEN" 'BEGIN { printf "%.1f", b / 1048576 / s }') MiB/s)," \
  "cuts $CUTS, sent again $(mib "$RESENT") MiB in total, $(awk -v r="$RESENT" -v c="$CUTS" 'BEGIN { printf "%.2f", c ? r / 1048576 / c : 0 }') MiB per cut"
if [ "$ACTUAL" = "$EXPECTED" ]; then
  echo "SHA-256 of the stored object matches the source ($EXPECTED)"
else
  echo "SHA-256 MISMATCH: source $EXPECTED, stored ${ACTUAL:-<download failed>}" >&2
  exit 1
fi
