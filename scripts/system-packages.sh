#!/usr/bin/env bash
# Installs the Debian packages the tests need, only those missing: PostgreSQL 15, Chromium,
# fonts and the libraries WeasyPrint draws with, poppler (pdftoppm), and Node.js with npm when
# the machine has none. As root it installs them; otherwise it prints the one line to run.
set -euo pipefail

packages=(postgresql chromium fonts-liberation libpango-1.0-0 libpangoft2-1.0-0
  libharfbuzz-subset0 poppler-utils)
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)

missing=()
for pkg in "${packages[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done

if ((${#missing[@]} == 0)); then
  exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "The tests need packages this machine lacks. As root, run:" >&2
  echo "  apt-get update && apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi
echo "Installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends "${missing[@]}"
