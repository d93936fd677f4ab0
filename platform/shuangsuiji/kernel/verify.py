"""Verify a draw bundle from the command line: ``python -m shuangsuiji.kernel.verify FILE``.

Exit status 0 when the bundle recomputes exactly, 1 when it does not (the first mismatch is
printed), 2 when the file cannot be read as JSON.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence

from shuangsuiji.kernel.bundle import verify_bundle

USAGE = "usage: python -m shuangsuiji.kernel.verify BUNDLE.json  ('-' reads standard input)"


def main(argv: Sequence[str] | None = None) -> int:
    """Verify the bundle named in ``argv``; print a summary or the first mismatch."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1 or args[0] in ("-h", "--help"):
        print(USAGE, file=sys.stderr)
        return 2
    name = args[0]
    try:
        if name == "-":
            bundle = json.load(sys.stdin)
        else:
            with open(name, encoding="utf-8") as f:
                bundle = json.load(f)
    except OSError as e:
        print(f"{name}: cannot read the bundle: {e.strerror}", file=sys.stderr)
        return 2
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        print(f"{name}: not a JSON draw bundle: {e}", file=sys.stderr)
        return 2
    report = verify_bundle(bundle)
    print(report, file=sys.stdout if report.ok else sys.stderr)
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
