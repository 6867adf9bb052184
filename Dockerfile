# The bot as a container: Node 20 slim, production dependencies only, run as the unprivileged `node` user.
# Build: docker build -t kling-video-bot .   Run: see compose.yaml (Redis + the bot) and README "Docker".
# What CI proves about this file without a Docker engine: see .ci/check-deploy.sh.

# Stage 1: install. sqlite3 and @resvg/resvg-js fetch prebuilt binaries; the compilers are here only for a platform
# without one (they stay out of the final image).
FROM node:20-slim AS deps
WORKDIR /app
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ ca-certificates \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# tsx is a runtime dependency (the sources run as TypeScript); ffmpeg comes from @ffmpeg-installer/ffmpeg.
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# Stage 2: run.
FROM node:20-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json tsconfig.json ./
COPY commands ./commands
COPY src ./src
# SQLite's default file (STORAGE_URL=sqlite://data/bot.sqlite) lives in this volume; Redis or PostgreSQL need none.
RUN mkdir -p /app/data && chown node:node /app/data
VOLUME ["/app/data"]
USER node
# HTTP_PORT is off unless set; compose.yaml sets 8080 and probes /healthz there.
EXPOSE 8080
# `npm start` is the single-process bot (npm hands SIGTERM on to it: a graceful stop within 10 s). Once the sharded
# entry exists, `npm run start:sharded` runs every shard under discord.js's ShardingManager instead.
CMD ["npm", "start"]
