"""The package served at /downloads/catalogue.zip: built on demand, kept as a file until the
next edit.

Files are named by the catalogue's version (`catalogue-41.zip` in CATALOGUE_DOWNLOADS_DIR).
A build writes a temporary file and renames it into place (os.replace), so a request never
reads half a package, even from another process that does not take the lock. Once a
newer version is in place the older files are removed (a download already under way keeps
reading its open file).
"""

import fcntl
import json
import os
import re
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from .. import versions
from .build import DESCRIPTOR, Built, build

PATTERN = re.compile(r"^catalogue-(\d+)\.zip$")
TEMPORARY = ".catalogue-"
LOCK = ".build.lock"
# A temporary file this old belongs to a build that died; a build takes minutes, not hours.
STALE_SECONDS = 24 * 3600


@dataclass(frozen=True)
class Package:
    path: Path
    version: versions.Version
    built: Built | None = None  # when this call built it

    @property
    def size(self) -> int:
        return self.path.stat().st_size


def directory() -> Path:
    return Path(settings.CATALOGUE_DOWNLOADS_DIR)


def path_for(number: int) -> Path:
    return directory() / f"catalogue-{number}.zip"


def cached(version: versions.Version) -> Package | None:
    """The package of this version, if it is built."""
    path = path_for(version.number)
    return Package(path, version) if path.exists() else None


def ensure(version: versions.Version | None = None, *, force: bool = False) -> Package:
    """The package of the catalogue's current version, built if it is not there yet.

    One build at a time per directory (a lock file): the requests that arrive during a build
    wait for it and then find the package, instead of each building their own. The build
    reads its own snapshot: when an edit lands in between, the package is of the version the
    build saw, and says so."""
    version = version or versions.current()
    if not force and (package := cached(version)):
        return package
    folder = directory()
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / LOCK).open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not force and (package := cached(version)):  # built while this one waited
            return package
        return build_into(folder)


def build_into(folder: Path) -> Package:
    fd, temporary = tempfile.mkstemp(dir=folder, prefix=TEMPORARY, suffix=".zip")
    try:
        with os.fdopen(fd, "wb") as handle:
            built = build(handle)
        path = path_for(built.version.number)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    remove_older(built.version.number)
    return Package(path, built.version, built)


def remove_older(number: int) -> None:
    """Remove the packages of versions before `number`, and temporary files of dead builds.
    A newer package (built meanwhile by another request) stays."""
    now = time.time()
    for path in directory().iterdir():
        match = PATTERN.match(path.name)
        if match and int(match.group(1)) < number:
            path.unlink(missing_ok=True)
        elif path.name.startswith(TEMPORARY):
            try:
                if now - path.stat().st_mtime > STALE_SECONDS:
                    path.unlink()
            except FileNotFoundError:  # its build has just finished or failed
                pass


def read_descriptor(path: Path) -> dict:
    with zipfile.ZipFile(path) as archive:
        return json.loads(archive.read(DESCRIPTOR))
