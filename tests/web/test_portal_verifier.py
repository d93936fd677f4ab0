"""The portal hands out the offline verifier: the file its page names, with its SHA-256;
what is downloaded verifies a bundle downloaded from the same portal."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from flask.testing import FlaskClient

from tests.web.conftest import TenantWorld


def test_download_the_verifier_and_check_a_published_bundle(
    tmp_path: Path, world: dict[str, TenantWorld],
    client_for: Callable[[str | None], FlaskClient],
) -> None:
    draw_id = world["chongqing"].require_draw()
    public = client_for(None)
    page = public.get("/p/chongqing/verify").get_data(as_text=True)
    got = public.get("/p/ssj-verify.pyz")
    assert got.status_code == 200 and got.mimetype == "application/zip"
    digest = hashlib.sha256(got.data).hexdigest()
    assert digest in page and 'href="/p/ssj-verify.pyz"' in page
    assert public.get("/p/ssj-verify.pyz",
                      headers={"If-None-Match": f'"{digest}"'}).status_code == 304
    pyz = tmp_path / "ssj-verify.pyz"
    pyz.write_bytes(got.data)
    bundle = tmp_path / "bundle.json"
    bundle.write_bytes(public.get(f"/p/chongqing/draws/{draw_id}/bundle.json").data)
    run = subprocess.run([sys.executable, "-I", "-S", str(pyz), str(bundle)],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("bundle OK")
