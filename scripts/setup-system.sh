#!/usr/bin/env bash
# Debian packages the test suite needs: Chromium for the browser tests (Playwright drives the
# system browser; none can be downloaded here), CJK fonts so Korean renders in screenshots, and
# PostgreSQL for the web tests' second pass.
# Skipped when already installed, or when we are not root (then the browser tests skip themselves).
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || need+=(fonts-noto-cjk)
# PostgreSQL: .ci/run runs the web tests a second time against a throw-away local cluster.
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" != 0 ]; then
  echo "setup-system: not root, not installing ${need[*]} (browser tests will be skipped)" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
