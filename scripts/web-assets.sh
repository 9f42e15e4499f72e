#!/usr/bin/env bash
# The web app's front end (docs/web.md): GOV.UK Frontend from the npm registry, at the version
# govuk-frontend-jinja is built against (package-lock.json), compiled with carescale's own name,
# colours and a system font, into src/carescale/web/static/govuk/ (not committed). The app serves
# these files itself, so it works with no internet.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=src/carescale/web/static/govuk
if ! command -v npm >/dev/null 2>&1; then
  echo "web-assets: npm is not installed; the web app will run without its stylesheet (install nodejs and npm, then run bash scripts/web-assets.sh)" >&2
  exit 0
fi
SCARF_ANALYTICS=false npm ci --no-audit --no-fund --loglevel=error
mkdir -p "$OUT"
npm run --silent build:css
cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js "$OUT/"
# Swagger UI for /api/docs, served from here like everything else (no other host; docs/security.md)
mkdir -p "$OUT/swagger"
cp node_modules/swagger-ui-dist/swagger-ui-bundle.js node_modules/swagger-ui-dist/swagger-ui.css "$OUT/swagger/"
echo "web-assets: GOV.UK Frontend $(node -p 'require("govuk-frontend/package.json").version') built into $OUT"
