# The fleet-rollout image: the CLI with the orchestrator worker and the node agent
# (`docker run fleet-rollout:0.1.0 worker`, `… agent --simulate …`, `… status llama-cpp`).
# Used by docker-compose.yml. Build: docker build -t fleet-rollout:0.1.0 .

FROM node:20.20.2-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
RUN npx tsc -p tsconfig.json

FROM node:20.20.2-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist/src ./dist/src
USER node
ENTRYPOINT ["node", "dist/src/cli/main.js"]
CMD ["--help"]
