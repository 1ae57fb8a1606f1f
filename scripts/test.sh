#!/usr/bin/env bash
# The README's test command. Sets up what the tests need, then runs every suite:
# typecheck, unit, integration (real mosquitto, victoria-metrics, node-opcua servers, SQLite files, danted as a SOCKS5 proxy), e2e (real Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ] || need+=(mosquitto)
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -x /usr/bin/victoria-metrics ] || need+=(victoria-metrics)
[ -x /usr/sbin/danted ] || need+=(dante-server)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing test peers: ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "The tests need: ${need[*]}. Install them with:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y ${need[*]}" >&2
    exit 1
  fi
fi

if [ ! -d node_modules ]; then
  ELECTRON_SKIP_BINARY_DOWNLOAD=1 npm ci
fi

npm run --silent typecheck
npm run --silent build:web >/dev/null
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/vitest.json "$@" || status=$?
# One plain closing line any CI can read.
node -e 'const r=require("./test-results/vitest.json");console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped`)' 2>/dev/null || true
exit $status
