#!/usr/bin/env bash
# From a fresh clone on Node 20 to a built client in one command: the pinned pnpm, the locked
# dependencies, then the main job (spec + overlay -> normalized spec -> generated code -> build).
set -euo pipefail
cd "$(dirname "$0")/.."
pinned=$(node -p 'require("./package.json").packageManager.split("@")[1]')
if [ "$(pnpm --version 2>/dev/null || true)" != "$pinned" ]; then
  echo "installing pnpm@$pinned"
  npm install --global --no-fund --no-audit "pnpm@$pinned"
fi
# --pnpm-only: stop here (CI restores its pnpm store cache between this and the install).
[ "${1:-}" = "--pnpm-only" ] && exit 0
export TURBO_TELEMETRY_DISABLED=1
pnpm install --frozen-lockfile
pnpm build
