"""The server's async mode, kept in one place: eventlet by default, gevent or threading by setting.

Under eventlet or gevent every green thread shares one OS thread, so blocking work (an Argon2
hash, a DOCX export) must run in a real thread, and any wait must be a green wait.
"""

from __future__ import annotations

import socket
import threading
import warnings
from collections.abc import Callable
from typing import TypeVar

MODES = ("eventlet", "gevent", "threading")
T = TypeVar("T")

_active = "threading"


def patch(mode: str) -> None:
    """Monkey-patch the standard library for ``mode``; call before the app is imported."""
    global _active
    if mode == "eventlet":
        with warnings.catch_warnings():
            # eventlet warns on import that it is in maintenance mode; gevent is one setting away.
            warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
            import eventlet

        eventlet.monkey_patch()
    elif mode == "gevent":
        from gevent import monkey

        monkey.patch_all()
    elif mode != "threading":
        raise ValueError(f"unknown async mode {mode!r}")
    _active = mode


def active_mode() -> str:
    """Return the mode the process was patched for ("threading" when not patched)."""
    return _active


def run_blocking(fn: Callable[..., T], *args: object) -> T:
    """Run CPU-heavy or blocking ``fn`` in an OS thread so live meetings keep moving."""
    if _active == "eventlet":
        from eventlet import tpool

        return tpool.execute(fn, *args)
    if _active == "gevent":
        import gevent

        return gevent.get_hub().threadpool.apply(fn, args)
    return fn(*args)


def stop_on_interrupt() -> None:
    """Make Ctrl+C stop the server that this green thread (the main one) is about to run.

    Python raises KeyboardInterrupt in whichever green thread is running when the signal
    comes; if that is one handling a socket, the Socket.IO library logs the error and carries
    on, and the server keeps serving. The handler raises it in this green thread instead.
    """
    if _active == "threading":
        return
    import signal

    import greenlet

    main = greenlet.getcurrent()

    def interrupt(_signum, _frame) -> None:
        if greenlet.getcurrent() is main:
            raise KeyboardInterrupt
        spawn(main.throw, KeyboardInterrupt)  # at the loop's next turn, in the server's loop

    signal.signal(signal.SIGINT, interrupt)


class OwnThread:
    """An OS thread of its own for one blocking call made again and again (the WAL's fsync).

    ``call(*args)`` runs ``fn(*args)`` there and waits for it with a green wait: the thread is
    woken by a lock and wakes the event loop through a pipe, one byte a call. ``run_blocking``'s
    thread pool hands each call over through two queues and a socket, which in the server cost
    0.1 to 0.2 ms of CPU a call more (README, Measured). Calls take turns. Under the threading
    mode ``fn`` simply runs in the calling thread.
    """

    def __init__(self, fn: Callable[..., T]) -> None:
        self.fn = fn
        self._turns = new_lock()
        self._started = False
        self._open = True
        self._owed = 0  # calls handed to the thread whose byte has not been read yet
        self._job: tuple = ()
        self._outcome: tuple[bool, object] = (True, None)

    def call(self, *args: object):
        """Return ``fn(*args)`` run in the thread (or raise what it raised)."""
        if _active == "threading":
            return self.fn(*args)
        with self._turns:
            if not self._open:
                raise RuntimeError("this thread has been stopped")
            if not self._started:
                self._start()
            # A caller whose wait was cut short (a timeout, a killed green thread) leaves its
            # call running: wait for it to end before handing over the next (the thread takes
            # one call at a time, and ``_wake`` holds at most one).
            self._collect()
            self._job = args
            self._owed += 1
            self._wake.release()
            self._collect()
            ok, value = self._outcome
        if not ok:
            raise value  # type: ignore[misc]
        return value

    def stop(self) -> None:
        """End the thread once the call under way, if any, has ended."""
        with self._turns:
            if not self._open:
                return
            self._open = False
            if self._started:
                self._collect()
                self._wake.release()  # the thread sees it is stopped, closes its end and ends
                self._os.close(self._done_r)

    def _start(self) -> None:
        start_thread, allocate_lock, self._os = _originals()
        self._wake = allocate_lock()
        self._wake.acquire()  # released once for each call
        self._done_r, self._done_w = self._os.pipe()
        self._os.set_blocking(self._done_r, False)
        start_thread(self._run, ())
        self._started = True

    def _run(self) -> None:
        while True:
            self._wake.acquire()
            if not self._open:
                self._os.close(self._done_w)
                return
            try:
                self._outcome = (True, self.fn(*self._job))
            except BaseException as error:  # handed to the caller
                self._outcome = (False, error)
            self._os.write(self._done_w, b".")

    def _collect(self) -> None:
        """Wait (green) until every call handed over has ended."""
        while self._owed:
            try:
                got = self._os.read(self._done_r, self._owed)
            except BlockingIOError:
                _wait_readable(self._done_r)
                continue
            if not got:
                raise RuntimeError("the thread ended with calls under way")
            self._owed -= len(got)


def _originals():
    """The unpatched start_new_thread, allocate_lock and os module of the active green mode."""
    if _active == "eventlet":
        from eventlet.patcher import original

        real_thread = original("_thread")
        return real_thread.start_new_thread, real_thread.allocate_lock, original("os")
    import os

    from gevent.monkey import get_original

    start_thread, allocate_lock = get_original("_thread", ["start_new_thread", "allocate_lock"])
    return start_thread, allocate_lock, os  # gevent leaves os.read and os.write as they are


def _wait_readable(fd: int) -> None:
    """Wait, green, until ``fd`` can be read."""
    if _active == "eventlet":
        from eventlet.hubs import trampoline

        trampoline(fd, read=True)
    else:
        from gevent.socket import wait_read

        wait_read(fd)


class _Helper:
    """One helper process (conference_room/worker.py): started on first use, again if it died."""

    def __init__(self) -> None:
        self.process = None
        self.lock = new_lock()  # one call at a time; made after patching, so a green wait

    def _started(self):
        if self.process is None or self.process.poll() is not None:
            import subprocess  # green after patching, so waiting on its pipes is a green wait
            import sys

            self.process = subprocess.Popen(
                [sys.executable, "-m", "conference_room.worker"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
            )
        return self.process

    def call(self, fn: Callable[..., T], args: tuple) -> T:
        from . import worker

        with self.lock:
            for attempt in (1, 2):
                process = self._started()
                try:
                    worker.send(process.stdin, (fn.__module__, fn.__qualname__, args))
                    status, value = worker.receive(process.stdout)
                    break
                except (OSError, EOFError):
                    process.kill()
                    process.wait()
                    self.process = None
                    if attempt == 2:
                        raise
        if status != "ok":
            raise RuntimeError(f"the helper process failed: {value}")
        return value


# One helper per module of work (password hashing, exports), so a long export never keeps a
# chair waiting to sign in; made on first use, after patching.
_helpers: dict[str, _Helper] = {}


def run_in_process(fn: Callable[..., T], *args: object) -> T:
    """Run CPU-heavy ``fn`` in a low-priority helper process (eventlet and gevent modes).

    ``fn`` must be a module-level function, its arguments and result picklable. Not a thread:
    pure-Python work holds the GIL, and even GIL-free work (an Argon2 hash) takes a core from
    the live meetings at the same priority; a helper at nice 10 gives way to them.
    """
    if _active == "threading":
        return fn(*args)
    helper = _helpers.get(fn.__module__)
    if helper is None:
        helper = _helpers[fn.__module__] = _Helper()
    return helper.call(fn, args)


def set_nodelay(sock: socket.socket) -> None:
    """Turn off Nagle's algorithm on ``sock`` so a small push leaves at once."""
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    except (OSError, AttributeError):
        pass  # not a TCP socket (a test double or a Unix socket): nothing to do


MAX_CONNECTIONS = 10_000  # open connections (each live socket holds one) the server takes


def server_options(mode: str, nodelay: bool = True) -> dict:
    """Return web-server options for ``socketio.run`` in ``mode``.

    Eventlet's server takes 1024 connections at once unless told otherwise, and every phone,
    console and shared screen holds one for the whole meeting: 80 conferences need more.
    Without TCP_NODELAY a second small frame on a connection (an ack right after a push) can
    wait for the peer's delayed ACK (benchmarks/push_latency.py measures it). The threading
    mode (tests only) keeps Werkzeug's defaults.
    """
    if mode == "eventlet":
        import eventlet.wsgi

        options: dict = {"max_size": MAX_CONNECTIONS}
        if nodelay:

            class NoDelayProtocol(eventlet.wsgi.HttpProtocol):
                def setup(self) -> None:
                    set_nodelay(self.request)
                    super().setup()

            options["protocol"] = NoDelayProtocol
        return options
    if mode == "gevent" and nodelay:  # gevent's server has no connection limit
        from gevent.pywsgi import WSGIHandler

        class NoDelayHandler(WSGIHandler):
            def handle(self) -> None:
                set_nodelay(self.socket)
                super().handle()

        return {"handler_class": NoDelayHandler}
    return {}


def raise_open_files_limit() -> None:
    """Let the process hold as many open files (sockets) as the system allows it."""
    try:
        import resource
    except ImportError:  # not on this system
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard if hard != resource.RLIM_INFINITY else max(soft, MAX_CONNECTIONS + 1000)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
        except (ValueError, OSError):
            pass  # keep the limit we have


def new_lock() -> threading.Lock:
    """Return a lock that waits the right way for the active mode (green after patching)."""
    return threading.Lock()


def spawn(fn: Callable[..., object], *args: object) -> None:
    """Run ``fn`` in the background: a green thread (eventlet, gevent) or a daemon thread."""
    if _active == "eventlet":
        import eventlet

        eventlet.spawn_n(fn, *args)
    elif _active == "gevent":
        import gevent

        gevent.spawn(fn, *args)
    else:
        threading.Thread(target=fn, args=args, daemon=True).start()


def new_semaphore(value: int) -> threading.Semaphore:
    """Return a semaphore that waits the right way for the active mode (green after patching)."""
    return threading.Semaphore(value)


def new_event() -> threading.Event:
    """Return an event that waits the right way for the active mode (green after patching)."""
    return threading.Event()
