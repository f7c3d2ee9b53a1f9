#!/usr/bin/env bash
# `make test`: prerequisites, build, every test project, formatting. CI cannot read dotnet test's own summary,
# so this ends with one plain line "N passed, N failed" summed over every project, and keeps the exit code.
set -uo pipefail
cd "$(dirname "$0")/.."
config="${1:-Release}"
results=.test-results

summary() { echo "$1 passed, $2 failed"; }

if ! bash .ci/install-test-deps.sh; then
  echo "Could not install the test prerequisites."
  summary 0 1
  exit 1
fi

rm -rf "$results"
if ! dotnet build ClusterMap.sln -c "$config" -warnaserror -nologo -clp:NoSummary; then
  echo "Build failed."
  summary 0 1
  exit 1
fi

dotnet test ClusterMap.sln -c "$config" --no-build --nologo --logger "trx" --results-directory "$results"
test_status=$?

echo "Checking formatting (dotnet format --verify-no-changes)…"
dotnet format ClusterMap.sln --verify-no-changes --no-restore
format_status=$?
[ $format_status -ne 0 ] && echo "Formatting differs from .editorconfig: run 'make format'."

passed=0
failed=0
shopt -s nullglob
for trx in "$results"/*.trx; do
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
done

status=0
if [ $test_status -ne 0 ] || [ $format_status -ne 0 ] || [ $passed -eq 0 ]; then
  status=1
fi
# A crashed test host can leave no counters; make sure the line never claims success in that case.
if [ $test_status -ne 0 ] && [ $failed -eq 0 ]; then
  failed=1
fi
summary "$passed" "$failed"
exit $status
