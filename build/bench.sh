#!/usr/bin/env bash
# Benchmarks, not tests: h2load against the host and, in the same run, against a bare-Kestrel
# ceiling; then BenchmarkDotNet micro-benchmarks. Figures go to docs/performance.md by hand,
# with the command that produced them. Everything listens on loopback only.
#
#   build/bench.sh [grpc|micro|all]    (default: all)
#   env: REQUESTS (default 200000), CONNECTIONS (16), STREAMS (16), ROUNDS (3)
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-all}"
requests="${REQUESTS:-200000}"; connections="${CONNECTIONS:-16}"; streams="${STREAMS:-16}"; rounds="${ROUNDS:-3}"
host_port=5710; bare_port=5711

command -v h2load >/dev/null || { echo "h2load missing: run build/install-test-deps.sh" >&2; exit 1; }
out="$(mktemp -d)"; pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$out"; }
trap cleanup EXIT

wait_port() { for _ in $(seq 1 300); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; echo "port $1 never opened" >&2; exit 1; }
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }

# h2load line "finished in ..., N req/s" and the request latency row (min max mean sd +/-sd).
h2() { # url body-file n -> prints "reqs/s mean_ms max_ms"
  h2load -n "$3" -c "$connections" -m "$streams" -d "$2" \
    -H 'content-type: application/grpc' -H 'te: trailers' "$1" > "$out/h2.txt" 2>&1 || { cat "$out/h2.txt" >&2; exit 1; }
  grep -q "succeeded, 0 errored" "$out/h2.txt" || { grep -E "requests:|status codes" "$out/h2.txt" >&2; }
  local rps; rps=$(awk '/^finished in/ {for (i=1;i<=NF;i++) if ($(i+1) ~ /^req\/s/) print $i}' "$out/h2.txt" | tr -d ',')
  local lat; lat=$(awk '/^time for request:/ {print $6 " " $4}' "$out/h2.txt")
  echo "$rps $lat"
}

if [[ "$what" == grpc || "$what" == all ]]; then
  dotnet build -c Release src/IdentitySharing.Host tests/IdentitySharing.Benchmarks -v q -nologo >/dev/null 2>&1 || \
    { dotnet build -c Release src/IdentitySharing.Host -nologo; dotnet build -c Release tests/IdentitySharing.Benchmarks -nologo; }
  # The health check request: an empty HealthCheckRequest, framed (flag 0, length 0).
  printf '\x00\x00\x00\x00\x00' > "$out/health.bin"
  Logging__LogLevel__Default=Warning dotnet src/IdentitySharing.Host/bin/Release/net10.0/IdentitySharing.Host.dll \
    --urls "http://127.0.0.1:$host_port" > "$out/host.log" 2>&1 & pids+=($!); host_pid=$!
  dotnet tests/IdentitySharing.Benchmarks/bin/Release/net10.0/IdentitySharing.Benchmarks.dll bare "http://127.0.0.1:$bare_port" \
    > "$out/bare.log" 2>&1 & pids+=($!)
  wait_port "$host_port"; wait_port "$bare_port"

  echo "== warm-up"; h2 "http://127.0.0.1:$host_port/grpc.health.v1.Health/Check" "$out/health.bin" 50000 >/dev/null
  h2 "http://127.0.0.1:$bare_port/grpc.health.v1.Health/Check" "$out/health.bin" 50000 >/dev/null
  echo "== Health/Check, $requests calls, $connections connections x $streams streams, $rounds alternating rounds"
  printf '%-6s %-12s %12s %12s %12s\n' round target "req/s" "mean" "max"
  host_all=(); bare_all=()
  for r in $(seq 1 "$rounds"); do
    read -r hr hm hx < <(h2 "http://127.0.0.1:$host_port/grpc.health.v1.Health/Check" "$out/health.bin" "$requests")
    read -r br bm bx < <(h2 "http://127.0.0.1:$bare_port/grpc.health.v1.Health/Check" "$out/health.bin" "$requests")
    printf '%-6s %-12s %12s %12s %12s\n' "$r" host "$hr" "$hm" "$hx" "$r" bare-kestrel "$br" "$bm" "$bx"
    host_all+=("$hr"); bare_all+=("$br")
  done
  median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
  hm=$(median "${host_all[@]}"); bm=$(median "${bare_all[@]}")
  echo "median host $hm req/s, bare-kestrel $bm req/s, ratio $(awk -v a="$hm" -v b="$bm" 'BEGIN {printf "%.3f", a/b}')"

  echo "== memory: RSS after 100,000 and after 1,000,000 Health/Check calls"
  h2 "http://127.0.0.1:$host_port/grpc.health.v1.Health/Check" "$out/health.bin" 100000 >/dev/null; rss1=$(rss_kb "$host_pid")
  h2 "http://127.0.0.1:$host_port/grpc.health.v1.Health/Check" "$out/health.bin" 900000 >/dev/null; rss2=$(rss_kb "$host_pid")
  echo "RSS after 100k: ${rss1} kB, after 1M: ${rss2} kB, growth $(awk -v a="$rss1" -v b="$rss2" 'BEGIN {printf "%.1f%%", (b-a)*100/a}')"
fi

if [[ "$what" == micro || "$what" == all ]]; then
  echo "== BenchmarkDotNet micro-benchmarks"
  dotnet run -c Release --project tests/IdentitySharing.Benchmarks -- --filter '*' --memory --join
fi
