#!/usr/bin/env bash
# Benchmarks, not tests. Everything listens on loopback, on ports picked at run time, and every
# process started here is stopped on exit. Record figures in docs/performance.md with the
# command that produced them.
#
#   build/bench.sh [grpc|share|slow|micro|all]...   (default: all)
#
#   grpc   h2load on grpc.health.v1.Health/Check: the host (Release) and the bare-Kestrel ceiling
#          in alternating rounds (req/s, latency percentiles, server CPU and allocation per call,
#          ratio), then the host's RSS after 100,000 and after MEMORY_CALLS calls.
#   share  GenerateShareToken through the host against a local Sumsub fake, alternating with
#          h2load calling the fake directly over HTTP/1.1 keep-alive with the same request.
#   slow   GenerateShareToken while the fake answers after SLOW_DELAY_MS: req/s, p99, thread
#          pool threads and queue, RSS.
#   micro  BenchmarkDotNet framing benchmarks (read and write one frame) with allocations.
#
# Sizes (env): REQUESTS=200000 CONNECTIONS=16 STREAMS=16 ROUNDS=3 WARMUP=50000
#   MEMORY_CALLS=1000000  SHARE_REQUESTS=20000 SHARE_CONNECTIONS=16 SHARE_STREAMS=4
#   SLOW_REQUESTS=30000 SLOW_CONNECTIONS=10 SLOW_STREAMS=100 SLOW_DELAY_MS=100 SLOW_ROUNDS=3  BDN_JOB=short
#   HOST_ENV="NAME=VALUE ..." extra environment for the host only (e.g. DOTNET_gcServer=0), for experiments
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"

sections=("$@"); [[ ${#sections[@]} -eq 0 || " ${sections[*]} " == *" all "* ]] && sections=(grpc share slow micro)
wants() { [[ " ${sections[*]} " == *" $1 "* ]]; }

requests="${REQUESTS:-200000}"; connections="${CONNECTIONS:-16}"; streams="${STREAMS:-16}"; rounds="${ROUNDS:-3}"
warmup="${WARMUP:-50000}"; memory_calls="${MEMORY_CALLS:-1000000}"
share_requests="${SHARE_REQUESTS:-20000}"; share_connections="${SHARE_CONNECTIONS:-16}"; share_streams="${SHARE_STREAMS:-4}"
slow_requests="${SLOW_REQUESTS:-30000}"; slow_connections="${SLOW_CONNECTIONS:-10}"; slow_streams="${SLOW_STREAMS:-100}"
slow_delay_ms="${SLOW_DELAY_MS:-100}"; slow_rounds="${SLOW_ROUNDS:-3}"; bdn_job="${BDN_JOB:-short}"
read -r -a host_env <<<"${HOST_ENV:-}"

for tool in h2load curl python3; do
  command -v "$tool" >/dev/null || { echo "$tool missing: run build/install-test-deps.sh" >&2; exit 1; }
done

work="$(mktemp -d)"; pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
wait_port() {
  for _ in $(seq 1 600); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done
  echo "nothing listens on port $1" >&2; exit 1
}
clk_tck="$(getconf CLK_TCK)"
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
os_threads() { awk '/^Threads/ {print $2}' "/proc/$1/status"; }
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", a / b}'; }

# The startup hook (in the Benchmarks assembly) makes each .NET process append a line of runtime
# figures every 250 ms: unix-ms threadpool-threads queued completed allocated-bytes gen0 gen1 gen2 working-set.
hook="$repo/tests/IdentitySharing.Benchmarks/bin/Release/net10.0/IdentitySharing.Benchmarks.dll"
stat_now() { sleep 0.6; tail -n 1 "$1"; } # a sample taken after the run ended
allocated() { awk '{print $5}' <<<"$1"; }

# start NAME DIR COMMAND... : runs a .NET server in DIR with the stats hook; sets $last_pid.
start() {
  local name="$1" dir="$2"; shift 2
  (cd "$dir" && DOTNET_STARTUP_HOOKS="$hook" BENCH_STATS_FILE="$work/$name.stats" exec "$@") >"$work/$name.log" 2>&1 &
  last_pid=$!; pids+=("$last_pid")
}

# load PID STATS N ARGS... : one h2load run (call it in the main shell, not a subshell, so that a
# failed run ends the script) of N requests (ARGS: its options and URL). Prints
# "req/s mean_ms p50_ms p90_ms p99_ms max_ms cpu_us_per_call alloc_bytes_per_call data_bytes_per_call".
load() {
  local pid="$1" stats="$2" n="$3"; shift 3
  local cpu0 alloc0 cpu1 alloc1
  cpu0=$(cpu_ticks "$pid"); alloc0=$(allocated "$(stat_now "$stats")")
  rm -f "$work/latency.log"
  h2load -n "$n" --log-file="$work/latency.log" "$@" >"$work/h2load.txt" 2>&1 || { cat "$work/h2load.txt" >&2; exit 1; }
  cpu1=$(cpu_ticks "$pid"); alloc1=$(allocated "$(stat_now "$stats")")
  if ! grep -q "$n succeeded, 0 failed, 0 errored, 0 timeout" "$work/h2load.txt" || ! grep -q "status codes: $n 2xx" "$work/h2load.txt"; then
    echo "h2load saw failures:" >&2; grep -E "^(requests|status codes):" "$work/h2load.txt" >&2; exit 1
  fi
  local rps data
  rps=$(awk '/^finished in/ {print $4}' "$work/h2load.txt")
  data=$(awk '/^traffic:/ {for (i = 1; i <= NF; i++) if ($i ~ /^data/) {gsub(/[()]/, "", $(i - 1)); print $(i - 1)}}' "$work/h2load.txt")
  # The log has one line per request: start time, status, duration in microseconds.
  local percentiles
  percentiles=$(cut -f3 "$work/latency.log" | sort -n | awk '
    {d[NR] = $1; sum += $1}
    END {printf "%.2f %.2f %.2f %.2f %.2f", sum / NR / 1000, d[int(NR * 0.50)] / 1000, d[int(NR * 0.90)] / 1000, d[int(NR * 0.99)] / 1000, d[NR] / 1000}')
  echo "$rps $percentiles $(awk -v t=$((cpu1 - cpu0)) -v hz="$clk_tck" -v n="$n" 'BEGIN {printf "%.1f", t / hz * 1e6 / n}') \
$(((alloc1 - alloc0) / n)) $(awk -v d="${data:-0}" -v n="$n" 'BEGIN {printf "%.0f", d / n}')"
}
header() { printf '%-5s %-22s %10s %8s %8s %8s %8s %8s %9s %9s %8s\n' round target "req/s" "mean ms" "p50 ms" "p90 ms" "p99 ms" "max ms" "cpu us/c" "alloc B/c" "data B/c"; }
row() { printf '%-5s %-22s %10s %8s %8s %8s %8s %8s %9s %9s %8s\n' "$@"; }

# Frames and bodies. Health: an empty HealthCheckRequest. Share token: GenerateShareTokenRequest
# {applicant_id, for_client_id, ttl_seconds = 600[, account]} and the JSON body the service sends for it.
applicant="63a1b2c3d4e5f60718293a4b"; partner="bench.partner_1"
printf '\x00\x00\x00\x00\x00' >"$work/health.bin"
share_frame() { # ACCOUNT (empty = the default account) -> share-ACCOUNT.bin
  python3 - "$applicant" "$partner" "$1" >"$work/share-$1.bin" <<'PY'
import struct, sys
def field(number, value): return bytes([number << 3 | 2, len(value)]) + value.encode()
applicant, partner, account = sys.argv[1:]
message = field(1, applicant) + field(2, partner) + bytes([3 << 3, 0xd8, 0x04]) + (field(4, account) if account else b"")
sys.stdout.buffer.write(b"\x00" + struct.pack(">I", len(message)) + message)
PY
}
share_frame ""; share_frame slow
printf '{"applicantId":"%s","forClientId":"%s","ttlInSecs":600}' "$applicant" "$partner" >"$work/share.json"
grpc_headers=(-H 'content-type: application/grpc' -H 'te: trailers')

need_host=false; need_fake=false
{ wants grpc || wants share || wants slow; } && need_host=true
{ wants share || wants slow; } && need_fake=true

if $need_host; then
  echo "== build (Release)"
  dotnet build -c Release src/IdentitySharing.Host -nologo -v q >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
  dotnet build -c Release tests/IdentitySharing.Benchmarks -nologo -v q >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }

  fake_port=$(free_port); slow_port=$(free_port); host_port=$(free_port); bare_port=$(free_port)
  bench_dir="$repo/tests/IdentitySharing.Benchmarks/bin/Release/net10.0"
  start fake "$bench_dir" dotnet IdentitySharing.Benchmarks.dll sumsub-fake "http://127.0.0.1:$fake_port"; fake_pid=$last_pid
  start slowfake "$bench_dir" dotnet IdentitySharing.Benchmarks.dll sumsub-fake "http://127.0.0.1:$slow_port" "$slow_delay_ms"
  start bare "$bench_dir" dotnet IdentitySharing.Benchmarks.dll bare "http://127.0.0.1:$bare_port"; bare_pid=$last_pid
  # The host as deployed (from its output folder, with its appsettings.json), with two Sumsub
  # accounts on the fakes ("bench" the default, "slow") and Banxa keys, which are required.
  # Client-side pacing is lifted: it would (rightly) hold the load to Sumsub's 50 POST per 5 s.
  start host "$repo/src/IdentitySharing.Host/bin/Release/net10.0" env \
    Sumsub__DefaultAccount=bench \
    Sumsub__Accounts__bench__AppToken=bench-app-token Sumsub__Accounts__bench__SecretKey=bench-secret-key \
    Sumsub__Accounts__bench__BaseUrl="http://127.0.0.1:$fake_port" \
    Sumsub__Accounts__slow__AppToken=bench-app-token Sumsub__Accounts__slow__SecretKey=bench-secret-key \
    Sumsub__Accounts__slow__BaseUrl="http://127.0.0.1:$slow_port" \
    Banxa__ApiKey=bench-banxa-key Banxa__ApiSecret=bench-banxa-secret Banxa__BaseUrl="http://127.0.0.1:$fake_port" \
    Auth__AllowAnonymous=true \
    Sumsub__RateLimits__PostPer5Seconds=10000000 Sumsub__RateLimits__GetPer5Seconds=10000000 \
    Storage__ConnectionString="Data Source=$work/bench.db" \
    "${host_env[@]}" dotnet IdentitySharing.Host.dll --urls "http://127.0.0.1:$host_port"
  host_pid=$last_pid
  for port in "$fake_port" "$slow_port" "$bare_port" "$host_port"; do wait_port "$port"; done
  host_url="http://127.0.0.1:$host_port"

  # One checked call each, so a misconfiguration cannot pass as speed (h2load sees only HTTP 200).
  check_call() { # PATH FRAME
    curl -s --http2-prior-knowledge "${grpc_headers[@]}" --data-binary @"$2" -D "$work/check.headers" -o /dev/null "$host_url$1"
    grep -qi '^grpc-status: 0' "$work/check.headers" || { echo "call $1 failed:" >&2; cat "$work/check.headers" >&2; exit 1; }
  }
  check_call /grpc.health.v1.Health/Check "$work/health.bin"
  $need_fake && check_call /identitysharing.v1.IdentitySharingService/GenerateShareToken "$work/share-.bin"
  [[ ${#host_env[@]} -gt 0 ]] && echo "host environment added: ${host_env[*]}"
  echo "machine: $(nproc) cores, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), load average $(cut -d' ' -f1-3 /proc/loadavg); $(date -u '+%Y-%m-%d %H:%M UTC')"
fi

if wants grpc; then
  health_url="$host_url/grpc.health.v1.Health/Check"; bare_url="http://127.0.0.1:$bare_port/grpc.health.v1.Health/Check"
  health_args=(-c "$connections" -m "$streams" -d "$work/health.bin" "${grpc_headers[@]}")
  echo "== warm-up: $warmup calls each"
  load "$host_pid" "$work/host.stats" "$warmup" "${health_args[@]}" "$health_url" >/dev/null
  load "$bare_pid" "$work/bare.stats" "$warmup" "${health_args[@]}" "$bare_url" >/dev/null
  echo "== Health/Check: $requests calls per round, $connections connections x $streams streams, $rounds alternating rounds"
  echo "   h2load -n $requests -c $connections -m $streams -d <empty HealthCheckRequest frame> -H 'content-type: application/grpc' -H 'te: trailers' URL"
  header
  host_rps=(); bare_rps=(); host_cpu=(); bare_cpu=()
  for round in $(seq 1 "$rounds"); do
    load "$host_pid" "$work/host.stats" "$requests" "${health_args[@]}" "$health_url" >"$work/row"; read -r r mean p50 p90 p99 max cpu alloc data <"$work/row"
    row "$round" "host" "$r" "$mean" "$p50" "$p90" "$p99" "$max" "$cpu" "$alloc" "$data"; host_rps+=("$r"); host_cpu+=("$cpu")
    load "$bare_pid" "$work/bare.stats" "$requests" "${health_args[@]}" "$bare_url" >"$work/row"; read -r r mean p50 p90 p99 max cpu alloc data <"$work/row"
    row "$round" "bare-kestrel" "$r" "$mean" "$p50" "$p90" "$p99" "$max" "$cpu" "$alloc" "$data"; bare_rps+=("$r"); bare_cpu+=("$cpu")
  done
  hm=$(median "${host_rps[@]}"); bm=$(median "${bare_rps[@]}"); hc=$(median "${host_cpu[@]}"); bc=$(median "${bare_cpu[@]}")
  echo "median req/s: host $hm, bare-kestrel $bm -> ratio $(ratio "$hm" "$bm") (target >= 0.85)"
  echo "median server CPU per call: host $hc us, bare-kestrel $bc us -> bare/host $(ratio "$bc" "$hc")"

  echo "== memory: host RSS after 100,000 and after $memory_calls Health/Check calls (fresh counts after warm-up)"
  load "$host_pid" "$work/host.stats" 100000 "${health_args[@]}" "$health_url" >/dev/null; rss_100k=$(rss_kb "$host_pid")
  since=$(date +%s%3N)
  load "$host_pid" "$work/host.stats" $((memory_calls - 100000)) "${health_args[@]}" "$health_url" >/dev/null; rss_all=$(rss_kb "$host_pid")
  echo "RSS after 100,000: $rss_100k kB; after $memory_calls: $rss_all kB; change $(awk -v a="$rss_100k" -v b="$rss_all" 'BEGIN {printf "%+.1f%%", (b - a) * 100 / a}') (target within 20%)"
  awk -v since="$since" '$1 >= since {if ($9 > max) max = $9; if (min == "" || $9 < min) min = $9; gen0 = $6; gen2 = $8}
    END {printf "working set sampled every 250 ms in between: %.0f..%.0f MB; gen0 collections so far %d, gen2 %d\n", min / 1048576, max / 1048576, gen0, gen2}' "$work/host.stats"
fi

if wants share; then
  share_url="$host_url/identitysharing.v1.IdentitySharingService/GenerateShareToken"
  direct_url="http://127.0.0.1:$fake_port/resources/accessTokens/shareToken"
  service_args=(-c "$share_connections" -m "$share_streams" -d "$work/share-.bin" "${grpc_headers[@]}")
  # The same request the service sends: same body, same headers (the fake checks no signature).
  direct_args=(--h1 -c $((share_connections * share_streams)) -m 1 -d "$work/share.json" -H 'content-type: application/json' -H 'accept: application/json'
    -H 'x-app-token: bench-app-token' -H 'x-app-access-ts: 1795317710' -H 'x-app-access-sig: 8c1b3d0c5e2f4a6b7c8d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d')
  echo "== GenerateShareToken via the service vs the Sumsub fake directly: $share_requests calls per round, $((share_connections * share_streams)) in flight each, $rounds alternating rounds"
  echo "   service: h2load -n $share_requests -c $share_connections -m $share_streams -d <GenerateShareTokenRequest frame> gRPC headers URL"
  echo "   direct:  h2load --h1 -n $share_requests -c $((share_connections * share_streams)) -m 1 -d <the same JSON body> <the same Sumsub headers> URL"
  # Warm-up: the upstream path (HttpClient, JSON, signing) has much code for tiered JIT to finish.
  load "$host_pid" "$work/host.stats" "$share_requests" "${service_args[@]}" "$share_url" >/dev/null
  load "$fake_pid" "$work/fake.stats" "$share_requests" "${direct_args[@]}" "$direct_url" >/dev/null
  header
  service_rps=(); direct_rps=()
  for round in $(seq 1 "$rounds"); do
    load "$host_pid" "$work/host.stats" "$share_requests" "${service_args[@]}" "$share_url" >"$work/row"; read -r r mean p50 p90 p99 max cpu alloc data <"$work/row"
    row "$round" "service (host cpu)" "$r" "$mean" "$p50" "$p90" "$p99" "$max" "$cpu" "$alloc" "$data"; service_rps+=("$r")
    load "$fake_pid" "$work/fake.stats" "$share_requests" "${direct_args[@]}" "$direct_url" >"$work/row"; read -r r mean p50 p90 p99 max cpu alloc data <"$work/row"
    row "$round" "direct (fake cpu)" "$r" "$mean" "$p50" "$p90" "$p99" "$max" "$cpu" "$alloc" "$data"; direct_rps+=("$r")
  done
  sm=$(median "${service_rps[@]}"); dm=$(median "${direct_rps[@]}")
  echo "median req/s: service $sm, direct $dm -> ratio $(ratio "$sm" "$dm") (target >= 0.5)"
fi

if wants slow; then
  share_url="$host_url/identitysharing.v1.IdentitySharingService/GenerateShareToken"
  in_flight=$((slow_connections * slow_streams))
  echo "== GenerateShareToken with the fake answering after ${slow_delay_ms} ms: $slow_requests calls, $slow_connections connections x $slow_streams streams = $in_flight in flight"
  echo "   h2load -n $slow_requests -c $slow_connections -m $slow_streams -d <GenerateShareTokenRequest frame, account \"slow\"> gRPC headers URL"
  # Round 1 starts cold for this path: the host opens its 1,000 connections to the slow fake as the
  # calls arrive. Later rounds show the steady state; every round is reported.
  before=$(stat_now "$work/host.stats"); threads_before=$(os_threads "$host_pid"); rss_before=$(rss_kb "$host_pid")
  header
  for round in $(seq 1 "$slow_rounds"); do
    since=$(date +%s%3N)
    load "$host_pid" "$work/host.stats" "$slow_requests" -c "$slow_connections" -m "$slow_streams" -d "$work/share-slow.bin" "${grpc_headers[@]}" "$share_url" >"$work/row"; read -r r mean p50 p90 p99 max cpu alloc data <"$work/row"
    row "$round" "service, slow upstream" "$r" "$mean" "$p50" "$p90" "$p99" "$max" "$cpu" "$alloc" "$data"
    awk -v since="$since" '$1 >= since {n++; if ($2 > tmax) tmax = $2; if (tmin == "" || $2 < tmin) tmin = $2; if ($3 > qmax) qmax = $3; if ($9 > wmax) wmax = $9}
      END {printf "      during round (%d samples): thread-pool threads %d..%d, queued work items max %d, working set max %.0f MB\n", n, tmin, tmax, qmax, wmax / 1048576}' "$work/host.stats"
  done
  threads_after=$(os_threads "$host_pid"); rss_after=$(rss_kb "$host_pid")
  echo "thread-pool threads before: $(awk '{print $2}' <<<"$before"); OS threads before/after: $threads_before/$threads_after; RSS before/after: $((rss_before / 1024))/$((rss_after / 1024)) MB"
  echo "connections host -> slow fake now open: $(ss -Htn state established "( dport = :$slow_port )" 2>/dev/null | wc -l)"
  echo "Little's law allows $((in_flight * 1000 / slow_delay_ms)) req/s; target >= 8000 req/s, p99 < 250 ms, RSS < 200 MB"
fi

if wants micro; then
  echo "== BenchmarkDotNet framing benchmarks (job $bdn_job, memory diagnoser)"
  (cd tests/IdentitySharing.Benchmarks && dotnet run -c Release -- --filter '*FramingBenchmarks*' --job "$bdn_job" --memory \
    --artifacts "$work/bdn") 2>&1 | sed -n '/^| *Method\|^|.*read frame\|^|.*write frame\|^| *-/p;/^BenchmarkDotNet v/,/^  \[Host\]/p'
fi
