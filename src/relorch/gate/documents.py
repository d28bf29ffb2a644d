"""Reading an OpenAPI document and every file it references, at one revision, parsed once."""

from __future__ import annotations

import hashlib
import marshal
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from relorch.errors import GitError
from relorch.gate.errors import SpecError
from relorch.gate.load import Resolver, check_version
from relorch.gate.yamltext import parse_text

if TYPE_CHECKING:
    from relorch.git.gateway import Git
    from relorch.git.objects import FileReader

# Larger files are refused before they are read: a 4 MB description is already a very large
# API, and YAML of 32 MB costs over a gigabyte of memory once parsed.
MAX_BYTES = 32 * 1024 * 1024
CACHE_ENTRIES = 16  # parsed documents kept; the oldest go first
SUFFIX = ".marshal"


class Source(Protocol):
    """Files of one revision: git at a commit, or a directory (the corpus script, tests)."""

    @property
    def revision(self) -> str:
        """The revision's name, for messages."""

    def blob(self, path: str) -> tuple[str, int] | None:
        """(content id, size) of `path`, None when it does not exist; "" id: not cacheable."""

    def read(self, path: str, blob: str) -> bytes:
        """The bytes of `path`."""


class GitSource:
    """A revision of the repository: files are read from git, never the working tree."""

    def __init__(
        self, files: FileReader, sha: str, revision: str, cache: ParseCache | None = None
    ) -> None:
        self.files = files
        self.sha = sha
        self.revision = revision
        self.cache = cache
        self._content: dict[str, bytes] = {}

    def blob(self, path: str) -> tuple[str, int] | None:
        # A file the cache holds is not kept: 4 MB of YAML stayed alive beside its parsed
        # form for the whole comparison.
        wanted = None if self.cache is None else self.cache.lacks
        found = self.files.read(self.sha, path, MAX_BYTES, wanted)
        if found is None:
            return None
        blob, size, data = found
        if data is not None:
            self._content[path] = data
        return blob, size

    def read(self, path: str, blob: str) -> bytes:
        if path in self._content:
            return self._content.pop(path)
        # The cache had an entry, but it could not be used (damaged, another Python): read
        # the file again.
        found = self.files.read(self.sha, path, MAX_BYTES)
        if found is None or found[2] is None:
            raise GitError(f"{path} vanished at {self.revision} while being read")
        return found[2]


@dataclass(frozen=True)
class DirSource:
    """A directory standing for one revision."""

    root: Path
    revision: str

    def blob(self, path: str) -> tuple[str, int] | None:
        target = self.root / path
        return ("", target.stat().st_size) if target.is_file() else None

    def read(self, path: str, blob: str) -> bytes:
        return (self.root / path).read_bytes()


class ParseCache:
    """Parsed documents by git blob id (a content hash): the base side of a release's gate was
    usually parsed by the previous release. Entries are `marshal` data under the git directory
    (plain values only: unlike a pickle, reading one can never run code), each naming its
    blob, the Python that wrote it and a digest of its data: a damaged, truncated or misplaced
    entry is parsed again (and rewritten), never read as a different document or a
    traceback. A document holding what marshal cannot write (a PyYAML date) is not kept."""

    def __init__(self, directory: Path | None) -> None:
        # Each read gives a new object: an unchanged file must not be one object on both
        # sides, since what it means depends on the files it references, which may differ.
        self.directory = directory

    def lacks(self, blob: str) -> bool:
        """Whether there is no entry for `blob` (one that exists may still be unusable)."""
        return self.directory is None or not (self.directory / f"{blob}{SUFFIX}").is_file()

    def get(self, blob: str) -> Any:
        if self.directory is None:
            return None
        try:
            data = memoryview((self.directory / f"{blob}{SUFFIX}").read_bytes())
        except OSError:
            return None
        head = _header(blob)
        payload = data[len(head) + _DIGEST :]
        if data[: len(head)] != head or data[len(head) : len(head) + _DIGEST] != _digest(payload):
            return None
        try:
            return marshal.loads(payload)
        except (EOFError, ValueError, TypeError):
            return None

    def put(self, blob: str, value: Any) -> None:
        if self.directory is None:
            return
        try:
            payload = marshal.dumps(value)
            self.directory.mkdir(parents=True, exist_ok=True)
            handle, tmp = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
            with os.fdopen(handle, "wb") as stream:
                stream.write(_header(blob) + _digest(payload))
                stream.write(payload)
            os.replace(tmp, self.directory / f"{blob}{SUFFIX}")
            entries = sorted(self.directory.glob(f"*{SUFFIX}"), key=lambda p: p.stat().st_mtime)
            for old in entries[:-CACHE_ENTRIES]:
                old.unlink(missing_ok=True)
        except (OSError, RecursionError, ValueError):
            pass  # a cache that cannot be written only costs time


_DIGEST = 32  # bytes of SHA-256


def _header(blob: str) -> bytes:
    python = "{}.{}".format(*sys.version_info[:2])
    return f"relorch parse cache 2 py{python} {blob}\n".encode("ascii", "replace")


def _digest(payload: bytes | memoryview) -> bytes:
    return hashlib.sha256(payload).digest()


def cache_for(git: Git) -> ParseCache:
    """The parse cache of a repository (shared by its worktrees)."""
    return ParseCache(git.common_dir() / "relorch" / "parse-cache")


def read_value(source: Source, path: str, cache: ParseCache | None, label: str) -> Any:
    """The parsed content of `path`, None when it does not exist at the source's revision."""
    info = source.blob(path)
    if info is None:
        return None
    blob, size = info
    if size > MAX_BYTES:
        raise SpecError(
            f"{label}: {size // (1024 * 1024)} MB is larger than the gate reads "
            f"({MAX_BYTES // (1024 * 1024)} MB)",
            hint="split the document into referenced files, or check that the path is right",
        )
    if cache is not None and blob:
        cached = cache.get(blob)
        if cached is not None:
            return cached
    try:
        raw = source.read(path, blob)
    except (GitError, OSError) as exc:
        raise SpecError(f"{label}: cannot be read: {exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SpecError(f"{label}: not UTF-8 text (byte {exc.start})") from None
    value = parse_text(text, label)
    if cache is not None and blob:
        cache.put(blob, value)
    return value


def open_document(source: Source, path: str, cache: ParseCache | None = None) -> Resolver | None:
    """The document at `path` with a resolver reading its references from the same source;
    None when there is no file at `path`."""
    label = f"{path} at {source.revision}"
    doc = read_value(source, path, cache, label)
    if doc is None:
        return None
    if not isinstance(doc, dict):
        raise SpecError(f"{label}: not an OpenAPI document (the top level is not a mapping)")
    check_version(doc, label)

    def read(file: str) -> Any:
        return read_value(source, file, cache, f"{file} at {source.revision}")

    return Resolver(doc, label, path=path, read=read, revision=source.revision)
