# ODOP Saathi: the same install steps as the README (an editable install of the project),
# a non-root user, a Devanagari font for charts; migrations run before the bot starts.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DATABASE_URL=sqlite:////data/saathi.db

RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-noto-core fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 10001 saathi \
    && mkdir -p /data /app \
    && chown saathi:saathi /data /app

WORKDIR /app
COPY --chown=saathi:saathi . /app
RUN python -m pip install --upgrade pip && python -m pip install -e .

USER saathi
VOLUME ["/data"]
CMD ["sh", "-c", "saathi db upgrade && exec saathi run"]
