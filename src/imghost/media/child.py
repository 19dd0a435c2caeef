"""Media work that decodes untrusted files (ffmpeg, image conversion) runs as a child process under limits:
CPU seconds and address space (rlimits), a wall-clock timeout, a lower priority and few threads. A file
crafted to take minutes of CPU or gigabytes of memory kills its own child, never the server.

The limits are set by `/bin/sh` (`ulimit`, then `exec nice`) between fork and exec, so they hold from the
child's first instruction: setting them from Python after the start would leave a window, and Python code
run between fork and exec (preexec_fn) can deadlock in a threaded server."""

from __future__ import annotations

import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

from imghost.errors import UnsupportedMedia


@dataclass(frozen=True, slots=True)
class ChildLimits:
    cpu_seconds: int = 60
    memory_bytes: int = 1 << 30
    threads: int = 2
    nice: int = 10


DEFAULT = ChildLimits()


class TooSlow(UnsupportedMedia):
    """Killed for running past its CPU or wall-clock limit."""


@dataclass(frozen=True, slots=True)
class Result:
    returncode: int
    stdout: bytes
    stderr: bytes


def _prefix(budget: ChildLimits) -> list[str]:
    # `ulimit -t` makes the kernel send SIGXCPU at the limit (SIGKILL a second later); `ulimit -v` is in KiB.
    # MALLOC_ARENA_MAX: glibc reserves 64 MiB of address space per thread arena, which would count against
    # the address-space limit without ever being used.
    script = (
        f"ulimit -t {max(1, int(budget.cpu_seconds))} && ulimit -v {max(1, budget.memory_bytes // 1024)}"
        f" && export MALLOC_ARENA_MAX=2 VIPS_CONCURRENCY={max(1, budget.threads)}"
        f' && exec nice -n {int(budget.nice)} "$0" "$@"'
    )
    return ["/bin/sh", "-c", script]


def command(cmd: list[str | Path], budget: ChildLimits) -> list[str]:
    """The argv that runs cmd under the budget."""
    return _prefix(budget) + [str(c) for c in cmd]


def run(
    cmd: list[str | Path], *, budget: ChildLimits, timeout: float, what: str, capture_stderr: bool = False
) -> Result:
    """Run cmd under the budget. stdout is captured (callers ask for small outputs there); stderr is thrown
    away unless asked for, since a broken file can make a decoder print a line per frame. Past the CPU or
    wall-clock limit, raises TooSlow ("{what} took too long"); any other outcome is the caller's to judge."""
    args = command(cmd, budget)
    try:
        proc = subprocess.run(
            args,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE if capture_stderr else subprocess.DEVNULL,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        # subprocess.run has killed it (exec kept its pid, so that is the decoder itself).
        raise TooSlow(f"{what} took too long") from None
    if proc.returncode in (-signal.SIGXCPU, -signal.SIGKILL):
        raise TooSlow(f"{what} took too long")
    return Result(proc.returncode, proc.stdout, proc.stderr or b"")
