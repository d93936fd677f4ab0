"""The draw bundle (``shuangsuiji-draw/1``): everything a third party needs to recompute a draw.

:func:`make_bundle` writes it; :func:`verify_bundle` recomputes the pool digest, the strata
and their sizes, the draw, every recusal step and the draw digest from the bundle alone,
and reports the first field that differs.
"""


from shuangsuiji.kernel.bundlemake import (
    ANNOTATIONS,
    FORMAT,
    FORMAT_V2,
    FORMATS,
    KEYS,
    KEYS_V2,
    LOG,
    RECUSAL_V2_KEYS,
    draw_digest,
    make_bundle,
    member_rows,
    pool_object,
    with_pool,
)
from shuangsuiji.kernel.bundleverify import (
    VerifyReport,
    recusal_rule_from_plain,
    result_from_bundle,
    verify_bundle,
)

__all__ = [
    "ANNOTATIONS",
    "FORMAT",
    "FORMATS",
    "FORMAT_V2",
    "KEYS",
    "KEYS_V2",
    "LOG",
    "RECUSAL_V2_KEYS",
    "VerifyReport",
    "draw_digest",
    "make_bundle",
    "member_rows",
    "pool_object",
    "recusal_rule_from_plain",
    "result_from_bundle",
    "verify_bundle",
    "with_pool",
]
