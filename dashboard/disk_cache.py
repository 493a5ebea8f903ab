"""The embedded default's cache: SQLite files in a folder that every process of the machine
shares, with no server to run (diskcache's Django backend).

Why this one (figures: `bench/cache_backends.py`): its `add` takes SQLite's write lock
(`BEGIN IMMEDIATE`) and retries while another process holds it, so it answers "taken" only
when the key is there; the token's and the answers' single flight rely on that. Django's
database cache answers False to any database error, so a lock wait that runs out would read as
"taken" and every waiter would wait on a flight nobody holds. Keys are spread over several
SQLite files, so writes to different keys rarely wait for each other, and the files are apart
from the dashboard's database, whose writers (sessions, audit entries) they never hold up.
"""

import os
from collections.abc import Iterable
from typing import Any

from diskcache import DjangoCache


class SharedDiskCache(DjangoCache):
    """`diskcache.DjangoCache` whose folder only the dashboard's user may read, and whose SQLite
    connections stay open between requests."""

    def __init__(self, directory: str, params: dict[str, Any]) -> None:
        # It holds the GetBill access token: as private as the database (which holds sessions).
        os.makedirs(directory, mode=0o700, exist_ok=True)
        super().__init__(directory, params)

    def close(self, **kwargs: Any) -> None:
        """Keep this thread's connections: Django closes every cache after each request, and
        diskcache would open a connection per file again on the next one (a connect and five
        PRAGMA statements each). Connections are per thread and reopened after a fork, and
        gunicorn's threads live as long as their worker."""

    def delete_many(self, keys: Iterable[Any], version: int | None = None) -> None:
        """One write transaction per file rather than one per key: a debt's kept pages are
        dropped twenty keys at a time, on every webhook about the debt, and each transaction
        waits for the file's write lock that other processes' writes hold. diskcache has no
        batch delete; this spreads the keys over its files as `FanoutCache.delete` does."""
        fanout = self._cache
        by_shard: dict[int, list[str]] = {}
        for key in keys:
            made = self.make_key(key, version=version)
            by_shard.setdefault(fanout._hash(made) % fanout._count, []).append(made)
        for index, shard_keys in by_shard.items():
            shard = fanout._shards[index]
            with shard.transact(retry=True):
                for made in shard_keys:
                    shard.delete(made, retry=True)
