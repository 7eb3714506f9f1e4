#!/usr/bin/env bash
# Runs every test of the solution (after installing the external test tools) and prints
# "tests: N passed, N failed" summed over the TRX results. Exits non-zero on any failure,
# including a project that does not build.
set -uo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

bash build/install-test-deps.sh || exit 1

results_dir="$repo_root/artifacts/test-results"
rm -rf "$results_dir"
mkdir -p "$results_dir"

dotnet test IdentitySharing.sln --configuration Release \
  --logger trx --results-directory "$results_dir"
test_exit=$?

# Each test project writes one TRX file whose <Counters> element holds its totals.
passed=0
failed=0
for trx in "$results_dir"/*.trx; do
  [[ -e "$trx" ]] || continue
  counters="$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)"
  file_passed="$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")"
  file_failed="$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")"
  file_error="$(sed -n 's/.* error="\([0-9]*\)".*/\1/p' <<<"$counters")"
  file_timeout="$(sed -n 's/.* timeout="\([0-9]*\)".*/\1/p' <<<"$counters")"
  file_aborted="$(sed -n 's/.* aborted="\([0-9]*\)".*/\1/p' <<<"$counters")"
  passed=$((passed + ${file_passed:-0}))
  failed=$((failed + ${file_failed:-0} + ${file_error:-0} + ${file_timeout:-0} + ${file_aborted:-0}))
done

echo "tests: $passed passed, $failed failed"
if ((test_exit != 0 || failed > 0)); then
  exit 1
fi
