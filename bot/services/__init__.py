"""Domain logic: plain functions over a database session and plain values. No Telegram types."""
