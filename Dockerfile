FROM python:3.11-slim
WORKDIR /app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
COPY pyproject.toml README.md ./
COPY engine ./engine
COPY webapp ./webapp
RUN pip install --no-cache-dir .
COPY bpmn ./bpmn
COPY forms ./forms
COPY scripts ./scripts
RUN useradd --create-home alur && mkdir -p /app/instance && chown alur /app/instance
USER alur
