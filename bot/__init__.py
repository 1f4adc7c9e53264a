"""ODOP Saathi: a Hindi/English Telegram assistant for Uttar Pradesh's ODOP artisans."""

__version__ = "0.1.0"
