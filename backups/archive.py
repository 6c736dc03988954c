"""The pieces of a backup archive: the database dump, the file roots, and the encryption.

Encryption is OpenPGP symmetric (gpg, AES-256 with an integrity check: a changed archive fails
to decrypt), keyed by WEKST_BACKUP_KEY, so no new Python dependency is needed (ADR 0003).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path

from django.db import connection


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, for the operator."""


def _pg_env() -> dict[str, str]:
    params = connection.settings_dict
    env = dict(os.environ)
    for name, key in [("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER")]:
        if params.get(key):
            env[name] = str(params[key])
    if params.get("PASSWORD"):
        env["PGPASSWORD"] = str(params["PASSWORD"])
    return env


def _program(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed on this host: nothing was done.")
    return path


def _run(command: list[str], *, env: dict | None = None, what: str) -> None:
    command = [_program(command[0]), *command[1:]]
    # noqa reason: fixed programs and arguments; the only variable parts are our own paths.
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{what} failed: {result.stderr.strip()[:500]}")


def dump_database(path: Path) -> None:
    """A consistent copy of the database at `path`, taken while the site runs."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)  # the online backup API
        finally:
            target.close()
    elif connection.vendor == "postgresql":
        name = connection.settings_dict["NAME"]
        _run(
            ["pg_dump", "--format=custom", "--no-owner", f"--file={path}", f"--dbname={name}"],
            env=_pg_env(),
            what="pg_dump",
        )
    else:
        raise BackupError(f"Backups of a {connection.vendor} database are not supported.")


def load_database(path: Path) -> None:
    """Replace the whole database with the copy at `path` (web processes must be stopped)."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        source = sqlite3.connect(path)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
    elif connection.vendor == "postgresql":
        name = connection.settings_dict["NAME"]
        connection.close()  # pg_restore --clean drops the tables this connection may lock
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--exit-on-error",
                f"--dbname={name}",
                str(path),
            ],
            env=_pg_env(),
            what="pg_restore",
        )
    else:
        raise BackupError(f"Restoring a {connection.vendor} database is not supported.")


def copy_root(source: Path, target: Path, *, keep: Path) -> None:
    """Copy the files under `source` into `target`, leaving out `keep` (the erasure ledger)."""
    if not source.is_dir():
        target.mkdir(parents=True, exist_ok=True)
        return
    keep = keep.resolve()
    shutil.copytree(
        source,
        target,
        dirs_exist_ok=True,
        ignore=lambda folder, names: [n for n in names if (Path(folder) / n).resolve() == keep],
    )


def replace_root(root: Path, restored: Path, *, keep: Path) -> None:
    """Make `root` hold exactly the restored files; `keep` (the erasure ledger) is never touched."""
    root.mkdir(parents=True, exist_ok=True)
    keep = keep.resolve()
    for child in root.iterdir():
        if child.resolve() == keep or keep.is_relative_to(child.resolve()):
            if child.is_dir() and child.resolve() != keep:
                replace_root(child, restored / child.name, keep=keep)
            continue
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()
    copy_root(restored, root, keep=keep)


def _gpg(arguments: list[str], *, key: str, what: str) -> None:
    read_end, write_end = os.pipe()
    os.write(write_end, key.encode())
    os.close(write_end)
    with tempfile.TemporaryDirectory(prefix="wekst-gpg-") as home:
        gpg, gpgconf = _program("gpg"), _program("gpgconf")
        try:
            result = subprocess.run(  # noqa: S603 - fixed arguments and our own paths
                [gpg, "--homedir", home, "--batch", "--yes", "--quiet", "--no-symkey-cache"]
                + ["--pinentry-mode", "loopback", "--passphrase-fd", str(read_end), *arguments],
                pass_fds=(read_end,),
                capture_output=True,
                text=True,
                check=False,
            )
        finally:
            os.close(read_end)
            # gpg starts an agent for its home directory; stop it with the directory.
            subprocess.run(  # noqa: S603 - fixed arguments
                [gpgconf, "--homedir", home, "--kill", "gpg-agent"],
                capture_output=True,
                check=False,
            )
    if result.returncode != 0:
        raise BackupError(f"{what} failed: {result.stderr.strip()[:500]}")


def encrypt(source: Path, target: Path, *, key: str) -> None:
    _gpg(
        ["--symmetric", "--cipher-algo", "AES256", "--s2k-digest-algo", "SHA512"]
        + ["--compress-algo", "none", "--output", str(target), str(source)],
        key=key,
        what="Encrypting the backup",
    )


def decrypt(source: Path, target: Path, *, key: str) -> None:
    _gpg(
        ["--decrypt", "--output", str(target), str(source)],
        key=key,
        what="Decrypting the backup (wrong WEKST_BACKUP_KEY, or a damaged file?)",
    )
