"""The public's check-a-draw page on a 1,000,000-target bundle: the browser's own verifier
(the portal's JavaScript, in Debian's chromium) on the same draw announced two ways, with
the pool's Merkle tree a leaf per line (``shuangsuiji-announcement/1``, before 2026-12-04)
and a leaf per block of 256 lines (``/3``, docs/draw-spec.md §10.2), and the latter as the
text file ``shuangsuiji-draw/3`` (§16: read by ``text.js``, "parse" is its reading).

    .venv/bin/python bench/draw.py --targets 1000000 --keep   # once
    .venv/bin/python bench/cli_e2e.py --runs 1                # leaves bench/data/cli-e2e.json.gz
    .venv/bin/python bench/browser_verify.py [--bundle bench/data/cli-e2e.json.gz] [--runs 3]

The bundle is an announced draw with a ceremony seed (its seed does not hang on the
announcement's digest), so the /1 variant is the same bundle with its announcement's pool
tree made per line and the draw digest made again; the ``log`` object (the announcement's
event, whose digest is the /3 announcement's) is left out of both. The page's modules are
served by a plain HTTP server from the platform's static folder; in the page, the bundle's
text is fetched once, then timed: the strict parse (``json.js``) and ``verifyBundle``
(``verify.js``), which must say ok. Printed: min / median / max seconds of ``--runs`` runs
of each, alternately, and the load average at each run.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import json
import os
import shutil
import statistics
import tempfile
import threading
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "platform" / "shuangsuiji" / "static"
DEFAULT = ROOT / "bench" / "data" / "cli-e2e.json.gz"

TIMED_TEXT = """async (name) => {
  const { readBundle } = await import('/verify/text.js');
  const { verifyBundle } = await import('/verify/verify.js');
  const data = new Uint8Array(await (await fetch('/' + name)).arrayBuffer());
  const t0 = performance.now();
  const { bundle, text } = await readBundle(data);
  const t1 = performance.now();
  const report = await verifyBundle(bundle, text);
  const t2 = performance.now();
  return { parse: (t1 - t0) / 1000, verify: (t2 - t1) / 1000, ok: report.ok,
           path: report.path || null };
}"""

TIMED = """async (name) => {
  const { parseStrict } = await import('/verify/json.js');
  const { verifyBundle } = await import('/verify/verify.js');
  const text = await (await fetch('/' + name)).text();
  const t0 = performance.now();
  const bundle = parseStrict(text);
  const t1 = performance.now();
  const report = await verifyBundle(bundle);
  const t2 = performance.now();
  return { parse: (t1 - t0) / 1000, verify: (t2 - t1) / 1000, ok: report.ok,
           path: report.path || null };
}"""


def variants(source: Path, folder: Path) -> dict[str, str]:
    """The bundle as announced (/3) and as it would have been announced in /1, written to
    ``folder``: {label: file name}."""
    from shuangsuiji.kernel import (
        announce,
        draw_digest,
        frozen_pool_text,
        poolmerkle,
        result_from_bundle,
    )
    from shuangsuiji.kernel.bundletext import text_file

    with gzip.open(source, "rt", encoding="utf-8") as f:
        bundle = json.load(f)
    bundle.pop("log", None)
    a = bundle["announcement"]
    if a["format"] != announce.BLOCK_ANNOUNCEMENT_FORMAT:
        raise SystemExit(f"{source}: announced in {a['format']}; make it again with the "
                         "current code (bench/cli_e2e.py)")
    if a["seed_procedure"]["kind"] not in announce.WEAKER:
        raise SystemExit(f"{source}: its seed hangs on the announcement; use a ceremony draw")
    old = json.loads(json.dumps(bundle))
    pool = result_from_bundle(bundle).pool
    root, lines = poolmerkle.pool_root(pool, announce.ANNOUNCEMENT_FORMAT)
    old["announcement"]["format"] = announce.ANNOUNCEMENT_FORMAT
    old["announcement"]["pool"] = {k: a["pool"][k] for k in ("digest", "merkle_root",
                                                           "lines", "size", "excluded")}
    old["announcement"]["pool"].update(merkle_root=root, lines=lines)
    old["digests"]["draw"] = draw_digest(old, old["digests"]["pool"])
    out = {}
    for label, b in (("/3, a leaf per 256 lines", bundle), ("/1, a leaf per line", old)):
        name = "blocks.json" if label.startswith("/3") else "lines.json"
        (folder / name).write_text(json.dumps(b, ensure_ascii=False), encoding="utf-8")
        out[label] = name
    # the /3-announced bundle as the text file (docs/draw-spec.md §16), its pool as its text
    rest = {k: v for k, v in bundle.items() if k != "pool"}
    (folder / "blocks.txt").write_bytes(b"".join(text_file(rest, frozen_pool_text(pool))))
    out["the text file (/3 bundle)"] = "blocks.txt"
    return out


def serve(folder: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(_Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bundle", type=Path, default=DEFAULT)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        shutil.copytree(STATIC / "verify", folder / "verify")
        (folder / "index.html").write_text("<!doctype html><title>bench</title>", "utf-8")
        files = variants(args.bundle, folder)
        server, base = serve(folder)
        figures: dict[str, list[tuple[float, float, float]]] = {k: [] for k in files}
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=shutil.which("chromium"))
                page = browser.new_page()
                page.set_default_timeout(0)
                page.goto(base + "/index.html")
                for _ in range(args.runs):
                    for label, name in files.items():
                        load = os.getloadavg()[0]
                        got = page.evaluate(TIMED_TEXT if name.endswith(".txt") else TIMED,
                                            name)
                        if not got["ok"]:
                            raise SystemExit(f"{label}: NOT verified at {got['path']}")
                        figures[label].append((got["parse"], got["verify"], load))
                browser.close()
        finally:
            server.shutdown()
    print(f"browser verifier (chromium, {os.cpu_count()} cores), {args.bundle.name}, "
          f"{args.runs} runs each, alternately")
    for label, runs in figures.items():
        parse = [r[0] for r in runs]
        verify = [r[1] for r in runs]
        loads = ", ".join(f"{r[2]:.2f}" for r in runs)
        print(f"  {label:<26} parse median {statistics.median(parse):6.2f} s   verify min "
              f"{min(verify):6.2f}  median {statistics.median(verify):6.2f}  max "
              f"{max(verify):6.2f} s   load {loads}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
