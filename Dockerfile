# One image for both cadreflow processes. The default command runs the API (and web UI);
# the worker runs from the same image with `node dist/worker/main.js` (see docker-compose.yml).
# Debian bookworm (glibc), not Alpine: the native module of @temporalio/core-bridge is built for glibc.

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# npm ci's postinstall patches the Temporal SDK (tools/sdk-patches.json).
COPY tools/patch-sdk.js tools/sdk-patches.json ./tools/
RUN npm ci --no-audit --no-fund
COPY . .
# tsc -p tsconfig.build.json: domain, workflows, activities, worker, client and tools into dist/
RUN npm run build

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
COPY tools/patch-sdk.js tools/sdk-patches.json ./tools/
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
# The worker bundles dist/workflows with webpack (a dependency of @temporalio/worker) when it starts.
COPY --from=build /app/dist ./dist
# The worker's record of the e-mails the SMTP server accepted (MAIL_ACCEPTED_DIR), the one place it writes: a
# volume mounted here takes this directory's owner.
RUN mkdir -p /var/lib/cadreflow/mail-accepted && chown node:node /var/lib/cadreflow/mail-accepted
# The node user (uid 1000) of the base image; the application files stay owned by root, read-only to it.
USER node
EXPOSE 8080
CMD ["node", "dist/client/api/main.js"]
