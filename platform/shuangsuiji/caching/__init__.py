"""Cached responses for read-only views, keyed by the tenant's generation.

* :mod:`~shuangsuiji.caching.generation` — the tenant row and the head of its audit chain,
  read in one statement for every request that names a tenant;
* :mod:`~shuangsuiji.caching.store` — the per-process, bounded LRU store;
* :mod:`~shuangsuiji.caching.responses` — the key, the ``@cached`` view decorator, ``ETag``,
  ``If-None-Match`` → 304 and ``Cache-Control``.

Nothing is imported here, so that :mod:`shuangsuiji.access` can import the generation
query without importing the decorator (which imports access).
"""
