# syntax=docker/dockerfile:1
# Portcullis image: multi-stage, production dependencies only, runs as the unprivileged `node` user.
#   docker build -t portcullis .
#   docker run -p 3000:3000 portcullis                                   # the quickstart
#   docker run -p 3000:3000 -v $PWD/config.yaml:/etc/portcullis/config.yaml:ro portcullis -f /etc/portcullis/config.yaml
# docs/deploy.md explains the ports, the environment variables and the Kubernetes chart.

# ---- build: compile, bundle the CLI, build the admin UI, pack the npm tarball ----
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN npm run build && npm pack --ignore-scripts --pack-destination /out

# ---- run: the tarball installed globally, without dev dependencies ----
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    ADMIN_ADDR=0.0.0.0:15000 \
    STATS_ADDR=0.0.0.0:15020 \
    READINESS_ADDR=0.0.0.0:15021
COPY --from=build /out/portcullis-*.tgz /tmp/
RUN npm install -g --omit=dev --no-audit --no-fund /tmp/portcullis-*.tgz \
 && rm -f /tmp/portcullis-*.tgz \
 && npm cache clean --force \
 && mkdir -p /etc/portcullis \
 && chown node:node /etc/portcullis
USER node
WORKDIR /home/node
EXPOSE 3000 15000 15020 15021
# The admin API beyond loopback needs a token: PORTCULLIS_ADMIN_TOKEN or PORTCULLIS_ADMIN_TOKEN_FILE.
# Replicas share sessions only with the same key: PORTCULLIS_SESSION_KEY or PORTCULLIS_SESSION_KEY_FILE.
STOPSIGNAL SIGTERM
ENTRYPOINT ["portcullis"]
# No arguments: the embedded quickstart. With your config: `docker run … portcullis -f /etc/portcullis/config.yaml`.
CMD []
