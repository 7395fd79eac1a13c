#!/usr/bin/env bash
# npm test: the checks (npm run check), the node projects and the e2e project, started side by side. The e2e project
# runs one file at a time and waits on SwiftShader frames much of its time (a file used about one core of two), so the
# checks and the node suite use the rest meanwhile. The checks, which time nothing, run at a lower priority (nice); the
# node suite does not: its timed waits (a 30 s poll over scrypt runs, a server answering while it converts) failed
# under nice -n 10 on a box loaded 15-19 by other work, and passed beside an e2e file without it. Each phase's output
# is printed whole once it ends, in that order (checks, node, e2e), then its exit status and wall time; the run fails
# if any phase failed. TEST_PHASES=sequential runs them one after another as before (check && node && e2e).
set -u
cd "$(dirname "$0")/.."

if [ "${TEST_PHASES:-}" = sequential ]; then
  npm run -s check && vitest run --project node --project node-isolated && vitest run --project e2e
  exit
fi

logs=$(mktemp -d)
declare -A pid
phase() {
  local name=$1
  shift
  (
    t0=$SECONDS
    "$@" >"$logs/$name.log" 2>&1
    echo "$? $((SECONDS - t0))" >"$logs/$name.status"
  ) &
  pid[$name]=$!
}
trap 'kill "${pid[@]}" 2>/dev/null; rm -rf "$logs"; exit 130' INT TERM

phase e2e vitest run --project e2e
phase check nice -n 10 npm run -s check
phase node vitest run --project node --project node-isolated

status=0
for name in check node e2e; do
  wait "${pid[$name]}"
  read -r rc secs <"$logs/$name.status"
  printf '\n==== %s ====\n' "$name"
  cat "$logs/$name.log"
  printf '==== %s: exit %s after %s s ====\n' "$name" "$rc" "$secs"
  [ "$rc" = 0 ] || status=1
done
rm -rf "$logs"
exit $status
