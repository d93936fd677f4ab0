"""The offline verifier as one file: built reproducibly, runs on the standard library alone,
accepts a good bundle and names the first mismatch of a changed one."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from shuangsuiji import standalone
from shuangsuiji.cli import cli
from tests.kernel.test_bundle import bundle_with_recusals


def run_pyz(pyz: Path, bundle: Path) -> subprocess.CompletedProcess[str]:
    # -I: no user site or environment; -S: no site-packages at all: the standard library only
    return subprocess.run([sys.executable, "-I", "-S", str(pyz), str(bundle)],
                          capture_output=True, text=True, cwd=pyz.parent, check=False)


def test_the_standalone_verifier_checks_bundles_with_the_standard_library_only(
    tmp_path: Path,
) -> None:
    pyz = tmp_path / standalone.FILENAME
    pyz.write_bytes(standalone.build())
    good = bundle_with_recusals()
    (tmp_path / "good.json").write_text(json.dumps(good, ensure_ascii=False), encoding="utf-8")
    ok = run_pyz(pyz, tmp_path / "good.json")
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith("bundle OK") and "3 recusal steps" in ok.stdout
    bad = json.loads(json.dumps(good))
    bad["seed"] += "x"
    (tmp_path / "bad.json").write_text(json.dumps(bad, ensure_ascii=False), encoding="utf-8")
    refused = run_pyz(pyz, tmp_path / "bad.json")
    assert refused.returncode == 1
    assert "does NOT verify" in refused.stderr


def test_the_build_is_reproducible_and_holds_what_the_kernel_imports() -> None:
    first = standalone.build()
    standalone.build.cache_clear()
    assert standalone.build() == first
    import io
    import zipfile

    names = set(zipfile.ZipFile(io.BytesIO(first)).namelist())
    assert {"__main__.py", "shuangsuiji/__init__.py", "shuangsuiji/rules.py",
            "shuangsuiji/messages.py", "shuangsuiji/kernel/verify.py",
            "shuangsuiji/kernel/bundle.py"} <= names
    assert not any("flask" in n or "web/" in n for n in names)


def test_ssj_verifier_writes_the_file_and_prints_its_digest(tmp_path: Path) -> None:
    out = tmp_path / "v.pyz"
    result = CliRunner().invoke(cli, ["verifier", "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == standalone.build()
    assert standalone.sha256() in result.output


def test_the_standalone_verifier_says_the_beacon_signature_was_not_checked(
    tmp_path: Path,
) -> None:
    """A v2 bundle with a beacon round: without a BLS library (the standard library only)
    the file checks everything else and says plainly that the signature was NOT checked;
    a duplicated key is refused."""
    from tests.kernel.test_announce import v2_bundle

    pyz = tmp_path / standalone.FILENAME
    pyz.write_bytes(standalone.build())
    text = json.dumps(v2_bundle(), ensure_ascii=False)
    (tmp_path / "v2.json").write_text(text, encoding="utf-8")
    ok = run_pyz(pyz, tmp_path / "v2.json")
    assert ok.returncode == 0, ok.stderr
    assert "BLS signature was NOT checked" in ok.stdout
    assert "no single party" in ok.stdout
    (tmp_path / "twice.json").write_text(text.replace('"seed": ', '"seed": "x", "seed": ', 1),
                                         encoding="utf-8")
    refused = run_pyz(pyz, tmp_path / "twice.json")
    assert refused.returncode == 2 and "occurs twice" in refused.stderr


def test_the_standalone_verifier_reads_a_text_file_too(tmp_path: Path) -> None:
    """A ``shuangsuiji-draw/3`` file (docs/draw-spec.md §16), plain and gzip, checked by the
    one-file verifier on the standard library alone; a changed pool line is named."""
    import gzip

    from shuangsuiji.kernel import result_from_bundle
    from tests.kernel.test_bundle_text import as_text

    pyz = tmp_path / standalone.FILENAME
    pyz.write_bytes(standalone.build())
    good = bundle_with_recusals()
    data = as_text(good, result_from_bundle(good).pool)
    (tmp_path / "good.txt").write_bytes(data)
    (tmp_path / "good.txt.gz").write_bytes(gzip.compress(data))
    for name in ("good.txt", "good.txt.gz"):
        ok = run_pyz(pyz, tmp_path / name)
        assert ok.returncode == 0, ok.stderr
        assert ok.stdout.startswith("bundle OK") and "3 recusal steps" in ok.stdout
    lines = data.split(b"\n")
    lines[3] = lines[3].replace(b'{"rules"', b'{ "rules"')  # the pool's header line
    (tmp_path / "bad.txt").write_bytes(b"\n".join(lines))
    refused = run_pyz(pyz, tmp_path / "bad.txt")
    assert refused.returncode == 1, refused.stdout
    assert "pool line 2" in refused.stderr


def test_the_standalone_verifier_refuses_a_damaged_gzip_file_plainly(tmp_path: Path) -> None:
    # without site-packages it reads gzip through the standard library (the platform's own
    # `ssj verify` through ISA-L's igzip): either way a damage is a refusal, not a traceback
    from tests.kernel.test_strict_stream import _damaged_gzip

    pyz = tmp_path / standalone.FILENAME
    pyz.write_bytes(standalone.build())
    path = tmp_path / "damaged.json.gz"
    path.write_bytes(_damaged_gzip(json.dumps(bundle_with_recusals()).encode()))
    refused = run_pyz(pyz, path)
    assert refused.returncode == 2, refused.stderr
    assert "cannot read the bundle" in refused.stderr and "Traceback" not in refused.stderr
