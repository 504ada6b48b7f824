"""The server's helper process for CPU-heavy pure work (exports), at low priority.

Pure-Python work in a thread still holds the GIL, so under eventlet an export built in a thread
slows every live meeting in the process. The server starts this module once
(`python -m conference_room.worker`, see concurrency.run_in_process) and sends it calls over
its standard input: each frame is 8 bytes of length and a pickle of (module, function name,
arguments); each answer is a frame with ("ok", result) or ("error", message). It stops when its
standard input closes, so it never outlives the server.
"""

from __future__ import annotations

import importlib
import os
import pickle
import struct
import sys
from typing import BinaryIO

HEADER = struct.Struct(">Q")


def send(stream: BinaryIO, value: object) -> None:
    """Write one framed pickle to ``stream``."""
    body = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(HEADER.pack(len(body)) + body)
    stream.flush()


def receive(stream: BinaryIO) -> object:
    """Read one framed pickle from ``stream``; EOFError when the other side has gone."""
    header = _read_exactly(stream, HEADER.size)
    return pickle.loads(_read_exactly(stream, HEADER.unpack(header)[0]))


def _read_exactly(stream: BinaryIO, size: int) -> bytes:
    chunks, left = [], size
    while left:
        chunk = stream.read(left)
        if not chunk:
            raise EOFError("the other process closed the pipe")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def serve(requests: BinaryIO, answers: BinaryIO) -> None:
    """Answer calls until ``requests`` closes."""
    while True:
        try:
            module, name, args = receive(requests)
        except EOFError:
            return
        try:
            function = getattr(importlib.import_module(module), name)
            send(answers, ("ok", function(*args)))
        except Exception as error:  # reported to the server, which raises it
            send(answers, ("error", f"{type(error).__name__}: {error}"))


def main() -> None:
    """Run as the server's helper: lower our priority, then answer calls on stdin/stdout."""
    try:
        os.nice(10)  # the live meetings' process comes first for the CPU
    except OSError:
        pass
    serve(sys.stdin.buffer, sys.stdout.buffer)


if __name__ == "__main__":
    main()
