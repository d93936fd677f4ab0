"""The one-file verifier carries the note verifier, and it runs on the standard library
alone: the pure RFC 8032 path, checked on the doc's checkpoint and on a forgery."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from shuangsuiji import standalone
from tests.translog.test_doc_vectors import vectors

SCRIPT = """
import sys
sys.path.insert(0, sys.argv[1])
try:
    import cryptography  # noqa: F401
    print("cryptography present"); sys.exit(3)
except ImportError:
    pass
from shuangsuiji.kernel import note
key = note.parse_vkey(sys.argv[2])
text = open(sys.argv[3], encoding="utf-8").read()
cp, _ = note.open_checkpoint(text, [key])
print("ok", cp.size)
forged = text.replace("\\n3\\n", "\\n4\\n", 1)
try:
    note.open_checkpoint(forged, [key])
except note.NoteError as exc:
    print("forged refused:", exc)
"""


def test_pyz_verifies_a_checkpoint_without_cryptography(tmp_path: Path) -> None:
    pyz = tmp_path / standalone.FILENAME
    pyz.write_bytes(standalone.build())
    v = vectors()
    cp = tmp_path / "checkpoint.txt"
    cp.write_text(v["checkpoint"], encoding="utf-8")
    run = subprocess.run([sys.executable, "-I", "-S", "-c", SCRIPT, str(pyz), v["vkey"], str(cp)],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "ok 3" in run.stdout
    assert "forged refused:" in run.stdout and "does not verify" in run.stdout
