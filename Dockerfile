# syntax=docker/dockerfile:1
#
# One image for all five Careflow services. The build arg / env SERVICE picks the one a
# container runs (gateway, tickets, email-ingest, notifications, segmentation); the image
# holds all of them, so one built image can be deployed five times with different SERVICE.
#
#   docker build --target runtime --build-arg SERVICE=tickets -t careflow:tickets .
#   docker run -e SERVICE=notifications ... careflow:tickets   # SERVICE is also a runtime env
#
# Stages: deps (all dependencies, cached on the manifests only) -> build (tsc -b via
# `npm run build`, the same script CI and the tests use) -> runtime (production
# dependencies and the compiled dist/ folders, running as the unprivileged `node` user).

ARG NODE_IMAGE=node:20-bookworm-slim

# ---------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
ENV npm_config_update_notifier=false \
    npm_config_fund=false \
    npm_config_audit=false \
    SCARF_ANALYTICS=false
# Manifests first so `npm ci` is re-run only when dependencies change. Every workspace
# (libs/*) needs its package.json here for npm to link it; tools/check-deploy.mjs checks
# that this list matches libs/*/package.json.
COPY package.json package-lock.json .npmrc ./
COPY libs/client/package.json libs/client/
COPY libs/contracts/package.json libs/contracts/
COPY libs/http/package.json libs/http/
COPY libs/messaging/package.json libs/messaging/
COPY libs/persistence/package.json libs/persistence/
COPY libs/platform/package.json libs/platform/
COPY libs/service-kit/package.json libs/service-kit/
COPY libs/testing/package.json libs/testing/
# Install scripts stay off, as package.json's allowScripts says for every package that has one.
RUN --mount=type=cache,target=/root/.npm npm ci --ignore-scripts

# ---------------------------------------------------------------------------------------
FROM deps AS build
COPY . .
RUN npm run build
# Collect what the runtime needs, keeping the repository layout (a COPY with a wildcard
# would flatten it): each package's package.json and dist/, without compiled tests and
# TypeScript build info. Fails when a service's entry point was not built.
RUN set -eu; \
    for service in gateway tickets email-ingest notifications segmentation; do \
      test -f "services/$service/dist/src/main.js" \
        || { echo "services/$service/dist/src/main.js was not built by npm run build" >&2; exit 1; }; \
    done; \
    mkdir -p /out; \
    for pkg in libs/* services/*; do \
      [ -d "$pkg/dist" ] || continue; \
      mkdir -p "/out/$pkg"; \
      cp -R "$pkg/dist" "/out/$pkg/dist"; \
      if [ -f "$pkg/package.json" ]; then cp "$pkg/package.json" "/out/$pkg/"; fi; \
    done; \
    rm -rf /out/services/*/dist/test; \
    find /out -name '*.tsbuildinfo' -delete

# ---------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ARG SERVICE=gateway
# HOST: the services listen on loopback by default (beside the gateway on one machine);
# in a container the gateway and the probes reach them from outside, so every interface.
ENV NODE_ENV=production \
    SERVICE=${SERVICE} \
    HOST=0.0.0.0 \
    npm_config_update_notifier=false \
    npm_config_fund=false \
    npm_config_audit=false \
    SCARF_ANALYTICS=false
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
COPY libs/client/package.json libs/client/
COPY libs/contracts/package.json libs/contracts/
COPY libs/http/package.json libs/http/
COPY libs/messaging/package.json libs/messaging/
COPY libs/persistence/package.json libs/persistence/
COPY libs/platform/package.json libs/platform/
COPY libs/service-kit/package.json libs/service-kit/
COPY libs/testing/package.json libs/testing/
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --ignore-scripts
# Compiled libs/*/dist and services/*/dist (with their package.json). Files stay owned by
# root and read-only for the process, which also runs under readOnlyRootFilesystem.
COPY --from=build /out/ ./
COPY deploy/docker/healthcheck.mjs deploy/docker/healthcheck.mjs

USER node
# Documentation only: the gateway listens on GATEWAY_PORT (3000), the services on PORT (3001-3004).
EXPOSE 3000 3001 3002 3003 3004
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "deploy/docker/healthcheck.mjs", "/health/live"]
# A shell so ${SERVICE} expands; `exec` replaces the shell, so node is PID 1 and receives
# SIGTERM/SIGINT itself (the apps enable Nest shutdown hooks and drain on them).
CMD ["/bin/sh", "-c", "exec node \"services/${SERVICE}/dist/src/main.js\""]
