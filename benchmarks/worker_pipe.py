"""The pipe between a benchmark and its worker processes (bench_convnets.py, bench_recurrent.py,
bench_from_torch.py): the worker answers each line it reads with one JSON line on its real stdout.
Standard library only, so that a worker in another environment can import it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import IO, Any

REASON_CHARS = 150


def protocol_channel() -> IO[str]:
    """The process's stdout, for protocol lines only; stray prints (Keras, torch's exporter, nobuco's trace) go
    to stderr, which the parent sends to a log file."""
    channel = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return channel


def read_reply(proc: subprocess.Popen[str], log: Path, what: str) -> dict[str, Any]:
    """The worker's next JSON line; a RuntimeError with its error, or with its log's last line if it exited."""
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line:
        tail = log.read_text(errors="replace").strip().splitlines()[-1:] or ["no output"]
        raise RuntimeError(f"the {what} worker exited ({tail[0][:REASON_CHARS]})")
    reply = json.loads(line)
    if "error" in reply:
        raise RuntimeError(reply["error"])
    return reply


def start(argv: list[str], log: Path, env: dict[str, str], what: str) -> tuple[subprocess.Popen[str], dict[str, Any]]:
    """Start a worker (its stderr to `log`) and read its first reply; a RuntimeError if it has none."""
    with log.open("w") as out:
        proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=out, text=True, env=env)
    try:
        return proc, read_reply(proc, log, what)
    except Exception:
        close(proc)
        raise


def close(proc: subprocess.Popen[str], timeout: float = 120) -> None:
    """End a worker: its stdin closed, it exits."""
    if proc.stdin is not None:
        proc.stdin.close()
    proc.wait(timeout=timeout)
