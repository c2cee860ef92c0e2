# syntax=docker/dockerfile:1
# Gatehouse as one container (decision 028): `docker compose up` with compose.yaml beside this file,
# or build it alone and give it DATABASE_URL. The image holds Next's standalone server, the migrations
# and the compiled migration script; no development dependency and no source is copied into it.

ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS deps
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

FROM ${NODE_IMAGE} AS build
WORKDIR /src
ENV NEXT_TELEMETRY_DISABLED=1
COPY --from=deps /src/node_modules ./node_modules
COPY . .
# `npm run build` also compiles scripts/db-migrate.ts into .next/standalone/scripts/db-migrate.mjs.
RUN npm run build

FROM ${NODE_IMAGE} AS runtime
WORKDIR /app
ENV NODE_ENV=production \
    NEXT_TELEMETRY_DISABLED=1 \
    PORT=3000 \
    HOSTNAME=0.0.0.0 \
    DATA_DIR=/data
RUN groupadd --system --gid 1001 gatehouse \
 && useradd --system --uid 1001 --gid gatehouse --no-create-home --shell /usr/sbin/nologin gatehouse
# The application files stay owned by root: the server cannot rewrite its own code. It writes only to
# Next's cache and to /data (the embedded database, used when DATABASE_URL is unset).
COPY --from=build /src/.next/standalone ./
COPY --from=build /src/.next/static ./.next/static
RUN mkdir -p .next/cache /data && chown gatehouse:gatehouse .next/cache /data
USER gatehouse
EXPOSE 3000
VOLUME ["/data"]
# Liveness only: a slow database must not get a running server restarted. Readiness is /api/health?ready=1.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/api/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "server.js"]
