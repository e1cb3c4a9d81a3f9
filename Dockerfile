# The browser bundle is built in a Node stage; the app image carries only its output.
FROM node:20-slim AS frontend
WORKDIR /build/frontend
COPY frontend/package.json frontend/package-lock.json frontend/.npmrc ./
RUN npm ci
COPY frontend/ ./
RUN npm run build

FROM python:3.11-slim
WORKDIR /app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
COPY pyproject.toml README.md ./
COPY engine ./engine
COPY webapp ./webapp
COPY --from=frontend /build/webapp/static/dist ./webapp/static/dist
RUN pip install --no-cache-dir .
COPY bpmn ./bpmn
COPY forms ./forms
COPY scripts ./scripts
RUN useradd --create-home alur && mkdir -p /app/instance && chown alur /app/instance
USER alur
EXPOSE 8000
# compose names the command of each service (web, worker, migrate); alone, the image serves
CMD ["sh", "scripts/web.sh"]
HEALTHCHECK --interval=15s --timeout=10s --start-period=20s CMD ["sh", "scripts/web-health.sh"]
