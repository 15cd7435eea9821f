"""The delivery engine: outbox contents, the rate limiter and the one sender task."""
