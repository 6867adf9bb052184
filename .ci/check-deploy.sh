#!/usr/bin/env bash
# What CI can prove about the Docker image and compose.yaml without a Docker engine (README "Docker" says what is
# and is not proven). Run from .ci/run after `npm ci`; takes about 20 s.
#  1. The files: Dockerfile and compose.yaml reference only files, npm scripts and settings that exist.
#  2. The install: the image's files (its COPY lines) in a temporary directory, `npm ci --omit=dev` there: no
#     devDependency comes in, tsx and the ffmpeg binary do, and every module the bot loads resolves.
#  3. The entry: `npm start` there, as the image's CMD runs it, logs in to the test stand-ins, answers /healthz and
#     /metrics, delivers a /video and stops on SIGTERM with exit 0.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

npx tsx .ci/check-deploy.ts

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
while IFS= read -r path; do
  mkdir -p "$work/$(dirname "$path")"
  cp -R "$path" "$work/$path"
done < <(npx tsx .ci/check-deploy.ts --copied)

cd "$work"
# Install scripts are skipped and sqlite3's compiled binding is taken from this checkout's full install (same
# lockfile, same machine): compiling it again would take a minute and prove nothing new.
npm ci --omit=dev --ignore-scripts --no-audit --no-fund --prefer-offline --loglevel=error >/dev/null
cp -R "$repo/node_modules/sqlite3/build" node_modules/sqlite3/
# The lockfile marks what only development needs: none of it may be here.
node -e '
  const lock = require("./package-lock.json");
  const dev = Object.entries(lock.packages).filter(([path, p]) => p.dev && path && require("fs").existsSync(path));
  if (dev.length) { console.error(`check-deploy: --omit=dev installed ${dev.map(([p]) => p).join(", ")}`); process.exit(1); }
'
node -e 'require("fs").accessSync(require("@ffmpeg-installer/ffmpeg").path, require("fs").constants.X_OK)'
echo "check-deploy: npm ci --omit=dev installs tsx and ffmpeg, no devDependency"

# Every module of the bot, loaded as the image runs it (demo*.ts use the test stand-ins, which the image does not
# hold; main.ts, sharded.ts and deploy-commands.ts start on import and are run below or need tokens).
node --import tsx --input-type=module -e '
  import { readdirSync } from "node:fs";
  const skip = /^src\/(demo.*|main|sharded|deploy-commands)\.ts$/;
  const files = ["src", "commands"].flatMap((dir) =>
    readdirSync(dir, { recursive: true }).map((f) => `${dir}/${f}`).filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts") && !skip.test(f)));
  for (const file of files) await import(`./${file}`);
  console.log(`check-deploy: all ${files.length} modules load with production dependencies only`);
'
# The entry reads its configuration and stops with its one line when the tokens are missing.
if out=$(env -i PATH="$PATH" HOME="$HOME" node --import tsx src/main.ts 2>&1); then
  echo "check-deploy: src/main.ts started without tokens" >&2; exit 1
fi
case "$out" in
  "Cannot start: DISCORD_TOKEN is missing"*) echo "check-deploy: src/main.ts starts and checks its configuration" ;;
  *) echo "check-deploy: src/main.ts failed otherwise: $out" >&2; exit 1 ;;
esac

# So does the registration script (`docker compose run --rm bot npm run deploy-commands`).
if out=$(env -i PATH="$PATH" HOME="$HOME" npm run --silent deploy-commands 2>&1); then
  echo "check-deploy: npm run deploy-commands ran without tokens" >&2; exit 1
fi
case "$out" in
  *"DISCORD_TOKEN is missing"*) echo "check-deploy: npm run deploy-commands starts and checks its configuration" ;;
  *) echo "check-deploy: npm run deploy-commands failed otherwise: $out" >&2; exit 1 ;;
esac

cd "$repo"
npx tsx .ci/deploy-smoke.ts "$work"
