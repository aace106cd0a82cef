#!/usr/bin/env bash
# Debian packages Tessera's set-up and tests need, installed only when missing.
#   g++          pdqhash (Meta's PDQ C++ core) compiles from source on Python 3.11
#   postgresql   the production store; tests start a throw-away server on loopback
#   chromium     the HTML report (and later the web UI) is tested in real headless Chromium
#   libchromaprint-tools  fpcalc: soundtrack fingerprints (Chromaprint)
#   espeak-ng    synthetic speech for the speech-recognition tests and demo
#   npm          the web UI's graph, chart and map libraries, from the npm registry (package.json)
set -euo pipefail
need=()
command -v g++ >/dev/null 2>&1 || need+=(g++)
command -v fpcalc >/dev/null 2>&1 || need+=(libchromaprint-tools)
command -v espeak-ng >/dev/null 2>&1 || need+=(espeak-ng)
command -v npm >/dev/null 2>&1 || need+=(npm)
if [ "${TESSERA_SKIP_POSTGRES:-}" != 1 ]; then
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
fi
if [ "${TESSERA_SKIP_BROWSER:-}" != 1 ]; then
  [ -x /usr/bin/chromium ] || need+=(chromium)
fi
[ ${#need[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
echo "installing Debian packages: ${need[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}"
