"""One run at a time per lake: an flock on ``<lake>/.lock`` naming its holder.

A second run is refused at once (RunLocked, naming the holder). A lock left by a run that died (its
record is still in the file, or its orphaned workers hold it for a moment while they die with their
parent) is taken over, with a message. Forked children never keep the lock: it is closed in them at
fork, so it is released the moment the process that took it ends, whatever ends it.
"""
from __future__ import annotations

import datetime as dt
import fcntl
import logging
import os
import re
import socket
import time
from contextlib import contextmanager
from pathlib import Path

from transforms.orchestration.processes import alive

log = logging.getLogger("timeline")
TAKEOVER_WAIT = 10.0  # seconds to wait for the orphans of a dead holder to die before refusing
_held: list[int] = []  # file descriptors of locks this process holds (closed in forked children)


class RunLocked(RuntimeError):
    """Another run holds the lake."""


def _close_in_child() -> None:
    for fd in _held:
        try:
            os.close(fd)
        except OSError:
            pass
    _held.clear()


os.register_at_fork(after_in_child=_close_in_child)


def _holder(record: str) -> tuple[int | None, str | None]:
    m = re.search(r"pid (\d+)(?: on (\S+))?", record)
    return (int(m.group(1)), m.group(2)) if m else (None, None)


def _dead(record: str) -> bool:
    pid, host = _holder(record)
    return pid is not None and host in (None, socket.gethostname()) and not alive(pid)


@contextmanager
def run_lock(lake_dir: Path, takeover_wait: float = TAKEOVER_WAIT):
    """Hold the lake for one run; RunLocked when a live run holds it."""
    lake_dir = Path(lake_dir)
    lake_dir.mkdir(parents=True, exist_ok=True)
    with open(lake_dir / ".lock", "a+") as fh:
        fh.seek(0)
        record = fh.read().strip()
        deadline = time.monotonic() + takeover_wait
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                fh.seek(0)
                record = fh.read().strip()
                if not _dead(record) or time.monotonic() > deadline:
                    holder = record or "another process"
                    raise RunLocked(f"another run is using the lake {lake_dir} ({holder}); "
                                    "try again when it ends") from None
                time.sleep(0.1)  # the holder is dead: its workers are dying with it
        if record:
            log.warning("taking over the lake lock of a run that ended without releasing it (%s; "
                        "no longer running); its leftovers are removed before this run starts", record)
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()} on {socket.gethostname()} since {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M:%S} UTC\n")
        fh.flush()
        _held.append(fh.fileno())
        try:
            yield
        finally:
            fh.seek(0)
            fh.truncate()  # an empty record: released cleanly
            fh.flush()
            _held.remove(fh.fileno())
            fcntl.flock(fh, fcntl.LOCK_UN)
