"""Writing a rendered document: all or nothing, never a half-written file."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from relorch.errors import OperationalError


def write_atomically(path: Path, text: str) -> None:
    """Write `text` to `path` through a temporary file in the same directory and a rename."""
    directory = path.parent
    mode = path.stat().st_mode & 0o7777 if path.exists() else _default_mode()
    try:
        fd, temp = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise OperationalError(
            f"cannot write {path}: {exc.strerror}",
            hint="check that the directory exists and is writable",
        ) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, mode)
        os.replace(temp, path)
    except OSError as exc:
        Path(temp).unlink(missing_ok=True)
        raise OperationalError(f"cannot write {path}: {exc.strerror}") from None


def _default_mode() -> int:
    # What open() would give a new file: 0666 less the umask (mkstemp makes it 0600).
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask
