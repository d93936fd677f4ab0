"""Verify a draw bundle from the command line: ``python -m shuangsuiji.kernel.verify FILE``.

Exit status 0 when the bundle recomputes exactly, 1 when it does not (the first mismatch is
printed), 2 when the file cannot be read as JSON.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from shuangsuiji.kernel.bundle import verify_bundle
from shuangsuiji.kernel.codec import BundleFormatError, strict_loads

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
            data = sys.stdin.buffer.read()
        else:
            with open(name, "rb") as f:
                data = f.read()
    except OSError as e:
        print(f"{name}: cannot read the bundle: {e.strerror}", file=sys.stderr)
        return 2
    try:
        # strict: a key twice, a float, NaN are refused (docs/draw-spec.md §13.2)
        bundle = strict_loads(data)
    except BundleFormatError as e:
        print(f"{name}: not a valid draw bundle: {e}", file=sys.stderr)
        return 2
    report = verify_bundle(bundle)
    print(report, file=sys.stdout if report.ok else sys.stderr)
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
