#!/usr/bin/env bash
# Neighbour isolation under floods of refused requests, side by side in one run against two
# Granaries of the same build (embedded defaults, rate limits on: 200 req/s per key, burst 2 s;
# cache warm): "paced", with the default refusal pacing (a caller's refusals beyond 20 within a
# second are answered after 250 ms), and "unpaced" (--granary.rate-limit.refusal-delay=0s),
# where every refusal is answered as fast as the node can. Tenant A floods each with wrk
# (THREADS threads, CONNECTIONS connections, a cached 4 KiB GET) in three ways:
#   429  its own key, far over the key's limit (most requests refused with 429 rate_limited)
#   401  a wrong API key (every request refused with 401)
#   anon no credential at all (every request refused with 401)
# while tenant B reads its own 4 KiB object at PROBE_RATE req/s over one keep-alive connection,
# well inside its limits. The same wrk load of cached hits ("hit", with a key whose own limit is
# out of reach) on the unpaced Granary gives the CPU a served request costs. Every phase runs
# RUNS times, interleaved; medians are printed: A's refusals/s, the server's CPU per request of
# the flood (its CPU while B alone probes, "quiet", is taken off first: at a few hundred paced
# refusals per second the JVM's own background work would otherwise dominate), and B's p50/p99
# alone ("quiet") and during each flood. Targets (reported, not enforced): CPU per refusal <= CPU
# per cached hit (unpaced: the cost of a refusal itself); B's p50 during a flood <= 2x its quiet
# p50 (paced: what an installation with the defaults gives; unpaced shown beside it).
#
#   bench/refusals.sh
#   RUNS=5 DURATION=20s bench/refusals.sh
#
# Settings (environment): RUNS=3 DURATION=10s WARMUP=10s THREADS=2 CONNECTIONS=64 PROBE_RATE=20
# JAVA_OPTS="-Xms512m -Xmx512m" PORT= (random free ports by default) JAR=target/granary.jar
# (built when missing or with REBUILD=1). The tenant limit is raised out of the way
# (--granary.rate-limit.tenant-requests-per-second=1000000) so that the hit phase is not refused.
# Needs: java 17+, wrk, curl, python3 (Debian: apt-get install -y wrk curl python3).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh

RUNS=${RUNS:-3}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-10s}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-64}
PROBE_RATE=${PROBE_RATE:-20}
JAVA_OPTS=${JAVA_OPTS:--Xms512m -Xmx512m}

case "${1:-}" in
  -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
  "") ;;
  *) echo "usage: bench/refusals.sh (settings through the environment; --help lists them)" >&2; exit 2 ;;
esac
bench_need java wrk curl python3
bench_init refusals
JAR=${JAR:-target/granary.jar}
if [ "$JAR" = target/granary.jar ]; then ensure_jar; fi
[ -f "$JAR" ] || { echo "JAR $JAR not found" >&2; exit 1; }

# ---- two Granaries, each with a flooding tenant a and a neighbour b --------------------------
declare -A BASE=() PORTS=() PID=() KEY_A=() KEY_HIT=() KEY_B=()
SERVERS=(unpaced paced)
for server in "${SERVERS[@]}"; do
  PORTS[$server]=$(free_port)
  BENCH_NEXT_PORT=$((PORTS[$server] + 1)) # free_port ran in a subshell
  BASE[$server]="http://127.0.0.1:${PORTS[$server]}"
  pacing=()
  [ "$server" = paced ] || pacing=(--granary.rate-limit.refusal-delay=0s)
  RATE_LIMITS=true start_granary "$server" "${PORTS[$server]}" "$JAVA_OPTS" \
    --granary.rate-limit.tenant-requests-per-second=1000000 "${pacing[@]}"
  PID[$server]=$GRANARY_PID
done

new_tenant() { # base name -> tenant id
  curl -sf -H "Authorization: Bearer $ROOT_KEY" -H 'Content-Type: application/json' -d "{\"name\":\"$2\"}" \
    "$1/v1/tenants" | json_field id
}
new_key() { # base tenant-id body-extra -> secret
  curl -sf -H "Authorization: Bearer $ROOT_KEY" -H 'Content-Type: application/json' \
    -d "{\"name\":\"bench\",\"permissions\":[\"admin\"]$3}" "$1/v1/tenants/$2/keys" | json_field secret
}
head -c 4096 /dev/urandom > "$WORK/object"
OBJECT=/v1/buckets/bench/objects/o
for server in "${SERVERS[@]}"; do
  base=${BASE[$server]}
  wait_http "$server" "$base/actuator/health" "${PID[$server]}" "$WORK/granary-$server.log"
  tenant_a=$(new_tenant "$base" flooder)
  tenant_b=$(new_tenant "$base" neighbour)
  KEY_A[$server]=$(new_key "$base" "$tenant_a" "")
  # The hit phase's key: same tenant, a limit of its own out of reach.
  KEY_HIT[$server]=$(new_key "$base" "$tenant_a" ',"requestsPerSecond":1000000')
  KEY_B[$server]=$(new_key "$base" "$tenant_b" "")
  for key in "${KEY_A[$server]}" "${KEY_B[$server]}"; do
    curl -sf -H "X-Api-Key: $key" -H 'Content-Type: application/json' -d '{"name":"bench"}' "$base/v1/buckets" > /dev/null
    curl -sf -X PUT -H "X-Api-Key: $key" -H 'Content-Type: application/octet-stream' --data-binary @"$WORK/object" \
      "$base$OBJECT" > /dev/null
  done
done

# ---- wrk: one request shape per phase and server; one parseable line each ------------------
wrk_script() { # file header-line
  cat > "$WORK/$1.lua" <<EOF
local headers = { $2 }
function request() return wrk.format("GET", "$OBJECT", headers) end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT requests=%d refused=%d socket_errors=%d\n",
    summary.requests, e.status, e.connect + e.read + e.write + e.timeout))
end
EOF
}
for server in "${SERVERS[@]}"; do
  wrk_script "$server-hit" "[\"X-Api-Key\"] = \"${KEY_HIT[$server]}\""
  wrk_script "$server-429" "[\"X-Api-Key\"] = \"${KEY_A[$server]}\""
  wrk_script "$server-401" "[\"X-Api-Key\"] = \"wrong-${KEY_A[$server]}\""
  wrk_script "$server-anon" ""
done

# ---- B's reader: PROBE_RATE GETs per second over one keep-alive connection -----------------
# Arguments: port key path rate seconds; prints "p50 p99 failures" (ms).
cat > "$WORK/probe.py" <<'EOF'
import http.client, sys, time
port, key, path, rate, seconds = int(sys.argv[1]), sys.argv[2], sys.argv[3], float(sys.argv[4]), float(sys.argv[5])
connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
latencies, failures, start = [], 0, time.monotonic()
next_at = start
while time.monotonic() - start < seconds:
    sent = time.perf_counter()
    try:
        connection.request("GET", path, headers={"X-Api-Key": key})
        response = connection.getresponse()
        response.read()
        if response.status != 200:
            failures += 1
    except Exception:
        failures += 1
        connection.close()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    latencies.append((time.perf_counter() - sent) * 1000)
    next_at += 1 / rate
    time.sleep(max(0, next_at - time.monotonic()))
latencies.sort()
pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))]
print("%.3f %.3f %d" % (pick(0.5), pick(0.99), failures))
EOF

# One phase on one server with B probing beside it ("quiet": B alone). Prints
# "requests refused server-cpu-ticks b-p50 b-p99 b-failures".
phase() { # server name duration
  local server=$1 name=$2 ticks probe_pid line="RESULT requests=0 refused=0"
  python3 "$WORK/probe.py" "${PORTS[$server]}" "${KEY_B[$server]}" "$OBJECT" "$PROBE_RATE" "${3%s}" > "$WORK/probe.out" &
  probe_pid=$!
  ticks=$(cpu_ticks "${PID[$server]}")
  if [ "$name" != quiet ]; then
    line=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$3" --timeout 5s -s "$WORK/$server-$name.lua" "${BASE[$server]}" | grep '^RESULT')
  fi
  wait "$probe_pid"
  ticks=$(( $(cpu_ticks "${PID[$server]}") - ticks ))
  echo "$(sed -n 's/.*requests=\([0-9]*\).*/\1/p' <<< "$line") $(sed -n 's/.*refused=\([0-9]*\).*/\1/p' <<< "$line")" \
    "$ticks $(cat "$WORK/probe.out")"
}

PHASES=()
for server in "${SERVERS[@]}"; do
  for name in quiet hit 429 401 anon; do
    [ "$server:$name" = paced:hit ] || PHASES+=("$server:$name")
  done
done
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
echo "Warming up every flood for $WARMUP (load average $LOAD_BEFORE)..."
for entry in "${PHASES[@]}"; do
  [ "${entry#*:}" = quiet ] || phase "${entry%%:*}" "${entry#*:}" "$WARMUP" > /dev/null
done

declare -A RATE=() CPU=() SHARE=() P50=() P99=() FAILED=() IDLE=()
for run in $(seq 1 "$RUNS"); do
  for entry in "${PHASES[@]}"; do
    server=${entry%%:*}; name=${entry#*:}
    read -r requests refused ticks p50 p99 failed <<< "$(phase "$server" "$name" "$DURATION")"
    P50[$entry]+="$p50 "; P99[$entry]+="$p99 "; FAILED[$entry]=$(( ${FAILED[$entry]:-0} + failed ))
    if [ "$name" = quiet ]; then
      IDLE[$server]=$ticks # the server's background CPU over one phase, taken off its floods below
      printf 'run %d %-8s %-5s %47s B p50 %6.2f ms  p99 %6.2f ms\n' "$run" "$server" quiet "" "$p50" "$p99"
      continue
    fi
    cpu=$(awk -v t="$ticks" -v i="${IDLE[$server]}" -v hz="$CLK_TCK" -v n="$requests" \
      'BEGIN { m = t - i; if (m < 0) m = 0; printf "%.1f", m * 1e6 / hz / n }')
    rate=$(awk -v r="$refused" -v s="${DURATION%s}" 'BEGIN { printf "%.0f", r / s }')
    share=$(awk -v r="$refused" -v n="$requests" 'BEGIN { printf "%.2f", r / n }')
    RATE[$entry]+="$rate "; CPU[$entry]+="$cpu "; SHARE[$entry]+="$share "
    printf 'run %d %-8s %-5s refused %7.0f/s (%3.0f%%)  CPU %6.1f us/req  B p50 %6.2f ms  p99 %6.2f ms\n' \
      "$run" "$server" "$name" "$rate" "$(awk -v s="$share" 'BEGIN { print s * 100 }')" "$cpu" "$p50" "$p99"
  done
done

echo "--"
echo "granary:  $JAR (sha256 $(sha256sum "$JAR" | cut -c1-12)); working tree at $(git rev-parse --short HEAD 2>/dev/null || echo '?'); JVM $JAVA_OPTS"
echo "load:     wrk -t$THREADS -c$CONNECTIONS -d$DURATION per flood (warm-up $WARMUP each), $RUNS interleaved runs; B probes at $PROBE_RATE req/s"
echo "machine:  $(machine_info); load average $LOAD_BEFORE at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end"
echo "medians; CPU = the server's CPU time (user + system, all threads) during the flood less that during its quiet phase, per request"
printf '%-8s %-6s %10s %8s %11s %9s %9s %s\n' server phase "refused/s" refused "CPU us/req" "B p50 ms" "B p99 ms" "B failures"
for entry in "${PHASES[@]}"; do
  server=${entry%%:*}; name=${entry#*:}
  if [ "$name" = quiet ]; then
    printf '%-8s %-6s %10s %8s %11s %9.2f %9.2f %d\n' "$server" quiet - - - \
      "$(med "${P50[$entry]}")" "$(med "${P99[$entry]}")" "${FAILED[$entry]}"
  else
    printf '%-8s %-6s %10.0f %7.0f%% %11.1f %9.2f %9.2f %d\n' "$server" "$name" "$(med "${RATE[$entry]}")" \
      "$(awk -v s="$(med "${SHARE[$entry]}")" 'BEGIN { print s * 100 }')" "$(med "${CPU[$entry]}")" \
      "$(med "${P50[$entry]}")" "$(med "${P99[$entry]}")" "${FAILED[$entry]}"
  fi
done
HIT_CPU=$(med "${CPU[unpaced:hit]}")
for name in 429 401 anon; do
  cpu=$(med "${CPU[unpaced:$name]}")
  echo "target $name: CPU per refusal <= per cached hit (unpaced): $(met "$cpu <= $HIT_CPU") ($cpu vs $HIT_CPU us)"
  for server in "${SERVERS[@]}"; do
    p50=$(med "${P50[$server:$name]}"); quiet=$(med "${P50[$server:quiet]}")
    echo "target $name: B p50 <= 2x quiet ($server): $(met "$p50 <= 2 * $quiet") ($p50 vs $quiet ms, $(ratio "$p50" "$quiet")x)"
  done
done
