#!/usr/bin/env bash
# Debian packages that the browser, report, workbook and PostgreSQL tests use, and node/npm for the
# web app's front end (scripts/web-assets.sh installs GOV.UK Frontend from npm) (run as root).
# The product itself needs none of them except WeasyPrint's Pango, which Debian ships by default.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
pkgs=(chromium postgresql libreoffice-calc poppler-utils fonts-dejavu-core)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# node and npm: Debian's packages only when no npm is on the PATH (a NodeSource node ships its own)
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
