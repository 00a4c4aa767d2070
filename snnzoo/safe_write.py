"""Writing output files so that an interrupt, a crash or a full disk never leaves a partial one.

Every file is first made in memory (``produce() -> bytes``) with SIGINT, SIGTERM
and SIGHUP deferred: a Ctrl-C arriving meanwhile is delivered once the files are
in place, so no library is interrupted while it holds a lock. Each file is then
written to an unnamed temporary file in the target folder (``O_TMPFILE``: a
SIGKILL at any moment leaves nothing behind) and linked into place, replacing
an old file atomically. :func:`write_together` writes several files all or none
(a result and its figure).
"""

from __future__ import annotations

import ctypes
import os
import signal
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from .errors import SnnzooError

_DEFERRED = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))
_AT_FDCWD, _AT_SYMLINK_FOLLOW = -100, 0x400


@contextmanager
def signals_deferred() -> Iterator[None]:
    """Hold SIGINT, SIGTERM and SIGHUP until the block ends, then deliver the first one received."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[tuple[int, object]] = []
    previous = {sig: signal.signal(sig, lambda number, frame: received.append((number, frame))) for sig in _DEFERRED}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, signal.SIG_DFL if handler is None else handler)  # None: set outside Python
        if received:
            number, frame = received[0]
            handler = previous[number]
            if callable(handler):
                handler(number, frame)
            elif handler != signal.SIG_IGN:
                signal.raise_signal(number)


def write_together(contents: Mapping[str | os.PathLike, Callable[[], bytes]]) -> list[Path]:
    """Write every file of ``contents`` (path -> function making its bytes), all or none.

    Errors (no such folder, disk full, a failing serialiser) are one SnnzooError naming the
    file; files already placed by this call are then removed again.
    """
    targets = dict(zip(checked_targets(contents), contents.values()))
    with signals_deferred():
        payloads = {}
        for target, produce in targets.items():
            try:
                payloads[target] = produce()
            except SnnzooError:
                raise
            except Exception as error:  # serialisers (netCDF/HDF5, matplotlib) raise many kinds
                raise SnnzooError(f"cannot write {target}: {_one_line(error)}") from None
        placed: list[Path] = []
        for target, payload in payloads.items():
            try:
                _place(target, payload)
            except OSError as error:
                for done in placed:
                    done.unlink(missing_ok=True)
                raise SnnzooError(f"cannot write {target}: {error.strerror or error}") from None
            placed.append(target)
    return placed


def write_atomically(path: str | os.PathLike, produce: Callable[[], bytes]) -> Path:
    """Write one file (see :func:`write_together`) and return its path."""
    return write_together({path: produce})[0]


def checked_target(path: str | os.PathLike) -> Path:
    """``path`` as a file this module can write: its folder exists and it is not a folder, a device
    or a FIFO (commands check their outputs with it before the work that produces them). A symbolic
    link is followed: the file it points to is written and the link is kept."""
    if not os.fspath(path):
        raise SnnzooError("cannot write '': expected a file name")
    target = Path(path).expanduser()
    if target.is_symlink():
        try:
            target = Path(os.path.realpath(target, strict=True))
        except FileNotFoundError:  # a link to a file not made yet
            target = Path(os.path.realpath(target))
        except OSError as error:  # a loop of links
            raise SnnzooError(f"cannot write {path}: cannot follow the link ({error.strerror or error})") from None
    directory = target.absolute().parent
    if not directory.is_dir():
        raise SnnzooError(f"cannot write {target}: the folder {directory} does not exist")
    if target.is_dir():
        raise SnnzooError(f"cannot write {target}: it is a folder")
    if target.exists() and not target.is_file():
        raise SnnzooError(f"cannot write {target}: it is not a regular file (a device, FIFO or socket "
                          "would be replaced by one)")
    return target


def checked_targets(paths: Iterable[str | os.PathLike]) -> list[Path]:
    """:func:`checked_target` of each path; two paths naming the same file are an error (the second
    file written would replace the first)."""
    targets: dict[Path, Path] = {}  # checked target -> the path given
    for path in paths:
        target = checked_target(path)
        same = next((given for t, given in targets.items() if os.path.realpath(t) == os.path.realpath(target)), None)
        if same is not None:
            both = f"{target} twice" if same == target else f"both {same} and {path}"
            raise SnnzooError(f"cannot write {both}: they are one file, and the second output would replace "
                              "the first; give each output its own name")
        targets[target] = Path(path)
    return list(targets)


def _place(target: Path, payload: bytes) -> None:
    """Put ``payload`` at ``target``: written unnamed and linked in where the system allows,
    else written to a named temporary; either way renamed over an old file atomically."""
    directory = target.absolute().parent
    mode = 0o666 & ~_current_umask()
    temporary = directory / f".{target.name}.{os.getpid()}.tmp"
    try:
        fd = os.open(directory, os.O_TMPFILE | os.O_WRONLY, mode)
    except (AttributeError, OSError):  # no O_TMPFILE on this system or file system
        fd = None
    linked = False
    if fd is not None:
        try:
            _write_all(fd, payload)
            try:
                if _link(fd, target):
                    return
                temporary.unlink(missing_ok=True)
                linked = _link(fd, temporary)
            except OSError:  # linking an unnamed file is not allowed here
                linked = False
        finally:
            os.close(fd)
    try:
        if not linked:
            _write_named(temporary, payload, mode)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def _write_named(path: Path, payload: bytes, mode: int) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        _write_all(fd, payload)
    finally:
        os.close(fd)


def _write_all(fd: int, payload: bytes) -> None:
    view = memoryview(payload)
    while view:
        view = view[os.write(fd, view):]
    os.fsync(fd)


def _link(fd: int, target: Path) -> bool:
    """Give the unnamed file ``fd`` the name ``target``; False if ``target`` exists.
    Other failures raise OSError."""
    libc = ctypes.CDLL(None, use_errno=True)
    source = f"/proc/self/fd/{fd}".encode()
    if libc.linkat(_AT_FDCWD, source, _AT_FDCWD, os.fsencode(target), _AT_SYMLINK_FOLLOW) == 0:
        return True
    errno = ctypes.get_errno()
    if errno == 17:  # EEXIST
        return False
    raise OSError(errno, os.strerror(errno))


def _one_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0]}" if text else type(error).__name__


def _current_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
