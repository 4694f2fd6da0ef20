"""The build cache under .cache/ (or $BRIEFING_CACHE): work saved between runs, never output.

Everything in it is keyed by a hash of its inputs and of the code that produced it, so a stale
entry is never used, only ignored; deleting the directory makes the next run a clean one, and
a clean run and a cached run give the same bytes (tests/test_incremental.py).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import sqlite3
import time
import zlib
from collections.abc import Container, Iterable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).parent.parent
PICKLE_PROTOCOL = 5
STORE_SHARDS = 16  # files per large store (records, models): an edit rewrites one or two


def cache_root() -> Path:
    return Path(os.environ.get("BRIEFING_CACHE") or ROOT / ".cache")


def digest(*parts: str | bytes) -> str:
    """A short hash of several parts, told apart by their lengths (so ab|c differs from a|bc)."""
    data = [part.encode() if isinstance(part, str) else part for part in parts]
    framed = b"".join(b"%d:%b" % (len(part), part) for part in data)
    return hashlib.blake2b(framed, digest_size=16).hexdigest()


def files_digest(paths: Iterable[Path]) -> str:
    """The hash of some files' names and bytes: a code version for cache keys."""
    hasher = hashlib.sha256()
    for path in sorted(paths):
        hasher.update(str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path).encode())
        hasher.update(path.read_bytes())
    return hasher.hexdigest()[:32]


class KeyedStore:
    """A dictionary kept in pickle files: read once, written back when it changed.

    Entries not used during a run are dropped when it is saved, so the files hold what the
    current data needs and do not grow without end. With `shards`, the entries are spread
    over that many files by key, and a save rewrites only the files whose entries changed:
    after one edit, a sixteenth of a large store instead of all of it. In a long-lived
    process (`make serve`, see keep_in_memory) the entries last read or written stay in
    memory and are reused while the file on disk is the same one, instead of being
    unpickled on every rebuild. A `lazy` store reads a shard only when an entry in it is
    asked for or put: for entries a run seldom needs. It drops entries no longer wanted only
    from the shards it writes, so an edited file's old entry waits until its shard is next
    written (on average within as many edits as there are shards).
    """

    def __init__(self, path: Path | None, version: str, shards: int = 1, lazy: bool = False):
        self.path = path
        self.version = version
        self.shards = shards
        self.lazy = lazy
        self.entries: dict[str, Any] = {}  # of the shards read so far
        self.used: set[str] = set()
        self._stored: list[set[str]] = [set() for _ in range(shards)]  # keys in each file
        self._changed: set[int] = set()  # shards with entries put since they were read
        self._shards_read: set[int] = set()
        if not lazy:
            for shard in range(shards):
                self._read_shard(shard)

    def _read_shard(self, shard: int) -> None:
        if shard in self._shards_read or self.path is None:
            return
        self._shards_read.add(shard)
        entries = _read(self._file(shard), self.version)
        self._stored[shard] = set(entries)
        for key, value in entries.items():
            self.entries.setdefault(key, value)  # an entry put before its shard was read wins

    def _file(self, shard: int) -> Path:
        assert self.path is not None
        if self.shards == 1:
            return self.path
        return self.path.with_name(f"{self.path.stem}-{shard:02d}{self.path.suffix}")

    def _shard(self, key: str) -> int:
        return zlib.crc32(key.encode()) % self.shards if self.shards > 1 else 0

    def get(self, key: str) -> Any | None:
        if self.lazy:
            self._read_shard(self._shard(key))
        value = self.entries.get(key)
        if value is not None:
            self.used.add(key)
        return value

    def put(self, key: str, value: Any) -> None:
        if self.lazy:  # a save rewrites the whole shard: its other entries are needed
            self._read_shard(self._shard(key))
        self.entries[key] = value
        self.used.add(key)
        self._changed.add(self._shard(key))

    def save(self, drop_unused: bool = True, keep: Container[str] | None = None) -> None:
        """Write the shards that changed. Entries this run did not use are dropped unless
        `drop_unused` is false (a run that skipped work whose entries are still current).
        With `keep`, the entries whose keys it holds are kept and no others: what a lazy
        store, which cannot tell an unused entry from one it did not read, is saved with."""
        if keep is not None:
            kept_keys = {key for key in self.entries if key in keep}
        else:
            kept_keys = self.used if drop_unused else set(self.entries)
        if self.path is None or (not self._changed and kept_keys == set(self.entries)):
            return
        kept: list[dict[str, Any]] = [{} for _ in range(self.shards)]
        for key in kept_keys:
            if key in self.entries:
                kept[self._shard(key)][key] = self.entries[key]
        for shard, entries in enumerate(kept):
            if shard not in self._shards_read:  # left alone, as it is on disk
                continue
            if shard in self._changed or set(entries) != self._stored[shard]:
                _write(self._file(shard), self.version, entries)
        if self.shards > 1:  # a store written whole by an earlier version of this code
            self.path.unlink(missing_ok=True)


def _write(path: Path, version: str, entries: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with tmp.open("wb") as stream:
            pickle.dump((version, entries), stream, protocol=PICKLE_PROTOCOL)
        stamp = _stamp(tmp)  # a rename keeps it; read after, it could be another writer's
        os.replace(tmp, path)
    except OSError:  # a read-only or full disk: the cache only saves time
        tmp.unlink(missing_ok=True)
        return
    if _keeping:
        _in_memory[path] = (stamp, version, entries)


# path -> (the file's stamp, version, entries) as this process last read or wrote them
_in_memory: dict[Path, tuple[tuple[int, int, int], str, dict[str, Any]]] = {}
_keeping = False


def keep_in_memory(keep: bool = True) -> None:
    """Keep stores in memory between runs of this process: worth it for a server that rebuilds
    on every save, not for a one-off build, which would only hold the memory longer."""
    global _keeping
    _keeping = keep
    if not keep:
        _in_memory.clear()


def _stamp(path: Path) -> tuple[int, int, int]:
    status = path.stat()
    return status.st_ino, status.st_size, status.st_mtime_ns


def _read(path: Path, version: str) -> dict[str, Any]:
    try:
        stamp = _stamp(path)
        remembered = _in_memory.get(path)
        if remembered and remembered[0] == stamp and remembered[1] == version:
            return dict(remembered[2])  # a copy: this run's puts stay its own until saved
        with path.open("rb") as stream:
            stored_version, entries = pickle.load(stream)
    except (OSError, EOFError, ValueError, TypeError, pickle.UnpicklingError):
        return {}  # missing or unreadable: start empty, as a clean build would
    if stored_version != version:
        return {}
    if not _keeping:
        return entries
    _in_memory[path] = (stamp, version, entries)
    return dict(entries)


class LookupStore:
    """A large store of texts read one entry at a time instead of whole: a table in an SQLite
    file (Python's own sqlite3). After one edit, a run needs a few hundred of the 30,000
    cards of a 10,000-event site; unpickling all 50 MB of them was a tenth of the run.

    Entries put are written by `save`, in one transaction; entries a run of every page did
    not use are then deleted, as KeyedStore drops them. Another code version empties the
    table. A connection is never carried across fork: a forked worker opens its own (SQLite
    asks that no connection be open at a fork at all: call ready_for_fork before forking).
    Should the file be unusable (read-only, locked for too long, not a database), the store
    is an empty one and saves nothing: the cache only saves time.
    """

    def __init__(self, path: Path | None, version: str):
        self.path = path
        self.version = version
        self.used: set[str] = set()
        self.added: dict[str, str] = {}  # put since the last save
        self._connection: sqlite3.Connection | None = None
        self._owner = 0  # the process that opened _connection
        self._failed = path is None

    def get(self, key: str) -> str | None:
        value = self.added.get(key)
        if value is None:
            value = self._select(key)
        if value is not None:
            self.used.add(key)
        return value

    def put(self, key: str, value: str) -> None:
        self.added[key] = value
        self.used.add(key)

    def save(self, drop_unused: bool = True) -> None:
        """Write the entries put; with `drop_unused`, delete those this run did not use."""
        db = self._db()
        if db is None:
            return
        try:
            with _transaction(db):
                db.executemany("INSERT OR REPLACE INTO entries VALUES (?, ?)", self.added.items())
                if drop_unused:
                    stored = [key for (key,) in db.execute("SELECT key FROM entries")]
                    stale = [(key,) for key in stored if key not in self.used]
                    db.executemany("DELETE FROM entries WHERE key = ?", stale)
        except sqlite3.Error:
            return
        self.added = {}

    def ready_for_fork(self) -> None:
        """Set the file up here, so that workers forked next only read it, and close the
        connection, as SQLite wants none open at a fork."""
        self._db()
        self.close()

    def close(self) -> None:
        """Close this process's connection (the next read opens another): before a fork."""
        if self._connection is None:
            return
        if self._owner == os.getpid():
            self._connection.close()
        else:  # a parent's: closing it here could disturb the parent's use of it
            _forked_away.append(self._connection)
        self._connection = None

    def _select(self, key: str) -> str | None:
        db = self._db()
        if db is None:
            return None
        try:
            row = db.execute("SELECT value FROM entries WHERE key = ?", (key,)).fetchone()
        except sqlite3.Error:
            return None
        return row[0] if row else None

    def _db(self) -> sqlite3.Connection | None:
        if self._failed:
            return None
        if self._connection is not None and self._owner == os.getpid():
            return self._connection
        self.close()  # one opened before a fork, if any, is set aside
        assert self.path is not None
        try:
            self._connection = _open_table(self.path, self.version)
        except (OSError, sqlite3.Error):
            self._failed = True
            return None
        self._owner = os.getpid()
        return self._connection


_forked_away: list[sqlite3.Connection] = []  # a parent's connections, kept open in a child


def _open_table(path: Path, version: str) -> sqlite3.Connection:
    """The store's database, emptied if another code version wrote it; a file that is not an
    SQLite database (a crash mid-write by something else, a stray file) is made again."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for attempt in (1, 2):
        db = sqlite3.connect(path, timeout=30, isolation_level=None)  # explicit transactions
        try:
            _set_up(db, version)
            return db
        except sqlite3.OperationalError:  # locked too long, read-only, full: not the file's fault
            db.close()
            raise
        except sqlite3.DatabaseError:
            db.close()
            if attempt == 2:
                raise
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
    raise AssertionError("unreachable")


def _set_up(db: sqlite3.Connection, version: str) -> None:
    """A write-ahead log (readers go on while a run writes, and with synchronous NORMAL it
    stays consistent after a crash), the tables, and the code version of the entries.

    Processes that open a new file at the same moment take turns: switching the journal is
    retried, and the tables are made in a transaction that takes the write lock first
    (BEGIN IMMEDIATE) and so waits for the other's, where a deferred one would find itself
    locked and fail at once (seen with page workers starting together)."""
    for _ in range(100):
        try:
            if db.execute("PRAGMA journal_mode = WAL").fetchone()[0] == "wal":
                break
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc):
                raise
        time.sleep(0.05)
    else:
        raise sqlite3.OperationalError("the journal could not be switched to WAL: locked")
    db.execute("PRAGMA synchronous = NORMAL")
    if _stored_version(db) == version:
        return
    with _transaction(db):
        db.execute("CREATE TABLE IF NOT EXISTS meta (version TEXT NOT NULL)")
        db.execute("CREATE TABLE IF NOT EXISTS entries (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        if _stored_version(db) != version:  # another process may have just set it up
            db.execute("DELETE FROM meta")
            db.execute("INSERT INTO meta VALUES (?)", (version,))
            db.execute("DELETE FROM entries")


def _stored_version(db: sqlite3.Connection) -> str | None:
    if not db.execute("SELECT 1 FROM sqlite_master WHERE name = 'meta'").fetchone():
        return None
    row = db.execute("SELECT version FROM meta").fetchone()
    return row[0] if row else None


@contextlib.contextmanager
def _transaction(db: sqlite3.Connection) -> Iterator[None]:
    """One write transaction that holds the write lock from its start (waiting for it)."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
