"""`make audit` (scripts/audit_dependencies.py): pip-audit on the lock, and what fails the build.

The decisions are checked on pip-audit's own JSON report shape; the real pip-audit is run on a
lock with a long-known vulnerable Flask, and with PyPI made unreachable, to show that neither
can pass under CI.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "audit_dependencies.py"
spec = importlib.util.spec_from_file_location("audit_dependencies", SCRIPT)
audit_dependencies = importlib.util.module_from_spec(spec)
sys.modules["audit_dependencies"] = audit_dependencies  # dataclasses look their module up
spec.loader.exec_module(audit_dependencies)

VULNERABLE = {
    "name": "flask",
    "version": "0.12.2",
    "vulns": [
        {
            "id": "PYSEC-2018-66",
            "fix_versions": ["0.12.3"],
            "aliases": ["CVE-2018-1000656"],
            "description": "Denial of service via crafted JSON",
        }
    ],
}
NO_FIX = {"name": "oldlib", "version": "1.0", "vulns": [{"id": "PYSEC-X", "fix_versions": []}]}
CLEAN = {"name": "requests", "version": "2.34.2", "vulns": []}
SKIPPED = {"name": "segno", "skip_reason": "Dependency not found on PyPI: segno (1.6.6)"}


def test_a_vulnerability_with_a_fix_fails_naming_the_package_and_the_fix():
    verdict = audit_dependencies.judge({"dependencies": [CLEAN, VULNERABLE], "fixes": []})
    code, lines = audit_dependencies.decide(verdict, ci=False)
    assert code == 1
    text = "\n".join(lines)
    assert "flask 0.12.2" in text and "PYSEC-2018-66" in text and "CVE-2018-1000656" in text
    assert "fixed in 0.12.3" in text and "requirements.lock" in text


def test_a_vulnerability_without_a_fix_only_warns():
    code, lines = audit_dependencies.decide(
        audit_dependencies.judge({"dependencies": [CLEAN, NO_FIX]}), ci=True
    )
    assert code == 0 and "no fixed version yet" in "\n".join(lines)


@pytest.mark.parametrize(("ci", "code"), [(True, 2), (False, 0)])
def test_packages_that_could_not_be_checked_fail_only_when_required(ci, code):
    verdict = audit_dependencies.judge({"dependencies": [CLEAN, SKIPPED]})
    found, lines = audit_dependencies.decide(verdict, ci=ci)
    assert found == code
    assert ("FAIL" if ci else "WARNING") in lines[0] and "PyPI JSON API" in lines[0]


def test_a_clean_lock_passes():
    code, lines = audit_dependencies.decide(
        audit_dependencies.judge({"dependencies": [CLEAN]}), ci=True
    )
    assert code == 0 and lines == ["OK: no known vulnerabilities in the 1 locked packages."]


@pytest.mark.parametrize("value", ["true", "1", "TRUE"])
def test_required_is_recognised(value):
    assert audit_dependencies.required({"CONFERENCE_ROOM_AUDIT_REQUIRED": value})
    assert not audit_dependencies.required({"CI": "true"})


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens there once closed


def _run(lock: Path, **env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(SCRIPT), str(lock)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **env},
    )


def test_a_known_vulnerable_lock_never_passes_under_ci(tmp_path):
    """Flask 0.12.2 has a fixed advisory: found, it fails (1); unreachable, it fails too (2)."""
    lock = tmp_path / "requirements.lock"
    lock.write_text("flask==0.12.2\n")
    done = _run(lock, CONFERENCE_ROOM_AUDIT_REQUIRED="1")
    assert done.returncode in (1, 2), done.stdout + done.stderr
    if done.returncode == 1:
        assert "flask 0.12.2" in done.stderr and "fixed in" in done.stderr
    else:
        assert "could not be checked" in done.stderr or "nothing could be checked" in done.stderr


def test_an_unreachable_vulnerability_database_is_said_plainly(tmp_path):
    lock = tmp_path / "requirements.lock"
    lock.write_text("requests==2.34.2\n")
    proxy = f"http://127.0.0.1:{_closed_port()}"
    unreachable = {"HTTPS_PROXY": proxy, "https_proxy": proxy, "NO_PROXY": "", "no_proxy": ""}
    under_ci = _run(lock, CONFERENCE_ROOM_AUDIT_REQUIRED="1", **unreachable)
    assert under_ci.returncode == 2, under_ci.stdout + under_ci.stderr
    assert under_ci.stderr.startswith("FAIL: nothing could be checked")
    assert "PyPI JSON API" in under_ci.stderr
    locally = _run(lock, CONFERENCE_ROOM_AUDIT_REQUIRED="", CI="true", **unreachable)
    assert locally.returncode == 0, locally.stdout + locally.stderr
    assert locally.stdout.startswith("WARNING: nothing could be checked")
