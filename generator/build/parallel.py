"""Work spread over the machine's cores, in chunks, results in order (stdlib only).

Used by the stages whose work is many independent files: reading front matter and
rendering Markdown. This process works through chunks too rather than wait, so a 2-core
machine starts one worker, not two; what it renders itself is never pickled back.

Workers die with the process that started them, however it ends (even SIGKILL): a worker
left behind would wait forever on its task pipe, holding the caller's stdout open. Each
worker watches a pipe (its "lifeline") whose writing end only this process holds: when
the process ends, however, the kernel closes it and the worker's watch reads its end and
exits. That works for every start method (a forkserver's workers are not this process's
children, and its fork server lives as long as they do) and on every system; on Linux a
forked worker also asks the kernel to kill it with its parent (PR_SET_PDEATHSIG). A
build stopped by an exception (Ctrl-C, SIGTERM: see cli) ends its workers at once
instead of waiting for them.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

log = logging.getLogger(__name__)

Item = TypeVar("Item")
Result = TypeVar("Result")

# Below this many items, starting a worker costs more than it saves.
PARALLEL_THRESHOLD = 64


def worker_count() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def workers_for(items: int) -> int:
    """How many processes (this one included) are worth using for `items` items; 1 is none."""
    if items < PARALLEL_THRESHOLD:
        return 1
    return min(worker_count(), max(1, items // (PARALLEL_THRESHOLD // 2)))


def start_method() -> str:
    """How worker processes start: a fork where that is safe, else a fresh interpreter.

    A fork starts at once, with every module loaded, and shares this process's memory
    until either side writes to it. It is safe only while this process runs one thread:
    `fireside serve` builds from a thread, and forking then can copy a lock another
    thread holds, so it gets a forkserver. macOS's system libraries do not survive forks.
    """
    if os.name != "posix" or sys.platform == "darwin":
        return "spawn"
    return "fork" if threading.active_count() == 1 else "forkserver"


_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def _bound_to_parent(
    lifeline: Connection, inherited: Connection | None, initializer: Callable[..., None], *initargs: Any
) -> None:
    """First thing in a worker: end it when the process that started it ends, then
    `initializer`. `inherited`: the lifeline's writing end, which a forked worker got a
    copy of and must close, or its own copy would keep the line open."""
    if inherited is not None:
        inherited.close()
        if sys.platform.startswith("linux"):
            import ctypes  # here: only workers pay for loading it

            with contextlib.suppress(OSError, AttributeError):  # the lifeline does it anyway
                ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)  # libc's own
    threading.Thread(target=_watch_lifeline, args=(lifeline,), name="lifeline", daemon=True).start()
    initializer(*initargs)


def _watch_lifeline(lifeline: Connection) -> None:
    with contextlib.suppress(EOFError, OSError):
        while True:
            lifeline.recv()  # nothing is ever sent: this returns only at the end of the line
    os._exit(1)  # the process that started this worker is gone


def settle_worker() -> None:
    """First thing in a worker: its collector on (a forked one inherits a paused one).

    The objects a forked worker inherits were frozen by its parent just before the fork
    (see in_chunks), so the collector never walks them and their shared memory pages are
    never written to. Freezing them here instead wrote to every one of them (freezing
    relinks each object's collector header): 5.5 of a worker's 15 MiB of its own memory.
    """
    gc.enable()


def guided_chunks(count: int, workers: int, smallest: int = 4, largest: int = 8) -> list[tuple[int, int]]:
    """(start, end) ranges covering `count` items, each a share of what remains.

    Big chunks first (fewer round trips), ever smaller ones towards the end, so that the
    processes finish together: with equal chunks, this process could run out of work while
    a worker still had several queued (a tenth of a second each at a thousand posts). None
    is larger than `largest`: a worker holds a whole chunk's results until it sends them
    (a sixth of 10,000 rendered bodies is 30 MiB more at the build's peak), and this process
    holds them as received until it has parked them (parked.BodyPark): at 1,000 posts,
    chunks of 32 rather than 128 took 5 MiB off the peak of the rendering, and chunks of 8
    rather than 32 another 2 MiB (each process's heap grows to what one chunk needs), with
    no time lost that a cold build of 1,000 or 4,000 posts showed.
    """
    chunks = []
    start = 0
    while start < count:
        size = min(largest, max(smallest, -(-(count - start) // (workers * 3))))
        chunks.append((start, min(count, start + size)))
        start += size
    return chunks


def in_chunks(
    items: Sequence[Item],
    workers: int,
    here: Callable[[Sequence[Item]], list[Result]],
    there: Callable[[Sequence[Item]], list[Result]],
    initializer: Callable[..., None] = settle_worker,
    initargs: tuple[Any, ...] = (),
    done: Callable[[int], None] | None = None,
    keep: Callable[[int, list[Result]], list[Result]] | None = None,
) -> list[Result] | None:
    """`items` worked through in chunks by this process (`here`) and workers - 1 others
    (`there`: a module-level function, as workers are given it by name), in order.
    `done(n)` is told of each chunk of n items finished (to show progress). `keep(start,
    results)` is given each chunk's results (`start`: the index of its first item) as they
    come, and what it returns is kept until all are done: render_many parks bodies on disk.

    None if worker processes could not start or broke (a locked-down sandbox, a main
    module read from stdin): the caller then does the work in this process.
    """
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    chunks = guided_chunks(len(items), workers)
    results: list[list[Result] | None] = [None] * len(chunks)
    method = start_method()
    context = multiprocessing.get_context(method)
    lifeline, holder = context.Pipe(duplex=False)  # see _bound_to_parent
    inherited = holder if method == "fork" else None
    taken = 0
    if method == "fork" and len(chunks) > 1:
        # The first chunk here, before the fork: the lexers and caches it warms up are then
        # shared with the worker instead of made again in its own memory (1.3 MiB less at
        # the peak of a cold build of 1,000 posts, while both processes live).
        start, end = chunks[0]
        results[0] = _kept(keep, start, here(items[start:end]))
        if done is not None:
            done(end - start)
        taken = 1
    if method == "fork":
        gc.freeze()  # before the fork: see settle_worker
    try:
        with ProcessPoolExecutor(
            max_workers=workers - 1,
            mp_context=context,
            initializer=_bound_to_parent,
            initargs=(lifeline, inherited, initializer, *initargs),
        ) as pool:
            pending: dict[Future[list[Result]], int] = {}
            try:
                while taken < len(chunks) or pending:
                    # Two chunks per worker: one it works on, one waiting, so it never idles
                    # on a round trip; no more, as a queued chunk cannot be taken back.
                    while taken < len(chunks) and len(pending) < (workers - 1) * 2:
                        start, end = chunks[taken]
                        pending[pool.submit(there, items[start:end])] = taken
                        taken += 1
                    if taken < len(chunks):
                        start, end = chunks[taken]
                        results[taken] = _kept(keep, start, here(items[start:end]))
                        if done is not None:
                            done(end - start)
                        taken += 1
                    else:
                        wait(pending, return_when=FIRST_COMPLETED)
                    for future in [future for future in pending if future.done()]:
                        index = pending.pop(future)
                        results[index] = _kept(keep, chunks[index][0], future.result())
                        if done is not None:
                            done(chunks[index][1] - chunks[index][0])
            except BaseException as exc:
                if not isinstance(exc, Exception):  # Ctrl-C, SIGTERM (see cli), exit
                    _end_workers(pool)
                raise
    except (OSError, RuntimeError, BrokenProcessPool) as exc:
        log.warning("working in one process: worker processes failed (%s)", exc)
        return None
    finally:
        lifeline.close()
        holder.close()
        if method == "fork":
            gc.unfreeze()
    ordered: list[Result] = []
    for chunk_results in results:
        assert chunk_results is not None  # every chunk was waited for
        ordered.extend(chunk_results)
    return ordered


def _kept(
    keep: Callable[[int, list[Result]], list[Result]] | None, start: int, results: list[Result]
) -> list[Result]:
    return results if keep is None else keep(start, results)


def _end_workers(pool: Any) -> None:
    """End the workers now, on an exception that is not the work's own (Ctrl-C, SIGTERM):
    leaving the pool would otherwise wait for every chunk already given out."""
    pool.shutdown(wait=False, cancel_futures=True)
    # ProcessPoolExecutor ends its workers itself only from Python 3.14 (terminate_workers);
    # until then, its table of them.
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        process.terminate()
