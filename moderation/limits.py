"""Per-person and per-address rate limits and duplicate detection, kept in the cache.

With REDIS_URL the cache is shared, so the limits hold across processes.
Counters are fixed windows: ``cache.add`` starts a window, ``cache.incr``
counts within it; both are atomic in Redis and in the local-memory cache.
"""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core.cache import cache


def _consume(key: str, limit: int, window: int) -> int | None:
    """Count one use; return seconds until the window ends if over the limit, else None."""
    bucket = int(time.time() // window)
    cache_key = f"moderation:rate:{key}:{window}:{bucket}"
    if cache.add(cache_key, 1, timeout=window + 1):
        count = 1
    else:
        try:
            count = cache.incr(cache_key)
        except ValueError:  # expired between add and incr
            cache.add(cache_key, 1, timeout=window + 1)
            count = 1
    if count > limit:
        return window - int(time.time()) % window
    return None


def over_limit(*, user_id: int | None, ip: str | None) -> int | None:
    """Seconds to wait if this person or address has posted too much, else None."""
    limits = settings.MODERATION_RATE_LIMITS
    checks = []
    if user_id is not None:
        checks += [(f"user:{user_id}", limit, window) for limit, window in limits["user"]]
    if ip:
        checks += [(f"ip:{ip}", limit, window) for limit, window in limits["ip"]]
    waits = [wait for key, limit, window in checks if (wait := _consume(key, limit, window))]
    return max(waits) if waits else None


def is_duplicate(*, user_id: int, text: str) -> bool:
    """Whether this person posted the same text (ignoring case and spacing) recently."""
    digest = hashlib.blake2b(" ".join(text.casefold().split()).encode(), digest_size=16)
    key = f"moderation:dup:{user_id}:{digest.hexdigest()}"
    return not cache.add(key, 1, timeout=settings.MODERATION_DUPLICATE_SECONDS)
