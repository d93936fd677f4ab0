"""The pure sampling kernel of 双随机: pool → exclusions → strata → seeded draw → batches →
groups → recusal, and the bundle a third party re-runs to verify a draw.

Plain data in, plain data out. It imports only the standard library and
:mod:`shuangsuiji.rules`: no Flask, no SQLAlchemy, no clock, no global random state, no
I/O (except :mod:`shuangsuiji.kernel.verify`, the command line). The algorithm is
specified in ``docs/draw-spec.md``.
"""

from __future__ import annotations

from shuangsuiji.kernel.announce import announcement_digest
from shuangsuiji.kernel.bundle import (
    FORMAT,
    FORMAT_V2,
    RECUSAL_V2_KEYS,
    VerifyReport,
    draw_digest,
    make_bundle,
    pool_object,
    recusal_rule_from_plain,
    result_from_bundle,
    verify_bundle,
    with_pool,
)
from shuangsuiji.kernel.canonical import canonical_json, canonical_text
from shuangsuiji.kernel.codec import BundleFormatError
from shuangsuiji.kernel.draw import draw
from shuangsuiji.kernel.errors import (
    EmptyPool,
    InvalidInput,
    KernelError,
    NotEnoughPeople,
    RecusalImpossible,
    RuleRefused,
)
from shuangsuiji.kernel.model import (
    Batch,
    Candidates,
    CandidateText,
    Credential,
    DrawParams,
    DrawResult,
    DrawRules,
    Exclusion,
    Expert,
    FrozenPool,
    Group,
    Inspection,
    Inspector,
    Participant,
    PoolRules,
    RecusalOutcome,
    RecusalStep,
    Sampling,
    Stratum,
    StratumDraw,
    Target,
    Task,
    TaskInspections,
)
from shuangsuiji.kernel.pool import (
    freeze_pool,
    frozen_pool_text,
    parse_pool_text,
    pool_digest,
    pool_text,
)
from shuangsuiji.kernel.ratio import check_ratio, risk_ratio, stratum_size
from shuangsuiji.kernel.recusal import apply_recusal
from shuangsuiji.kernel.seeds import recusal_seed
from shuangsuiji.kernel.streams import Stream, permutation, sample

__all__ = [
    "FORMAT",
    "FORMAT_V2",
    "RECUSAL_V2_KEYS",
    "Batch",
    "BundleFormatError",
    "CandidateText",
    "Candidates",
    "Credential",
    "DrawParams",
    "DrawResult",
    "DrawRules",
    "EmptyPool",
    "Exclusion",
    "Expert",
    "FrozenPool",
    "Group",
    "Inspection",
    "Inspector",
    "InvalidInput",
    "KernelError",
    "NotEnoughPeople",
    "Participant",
    "PoolRules",
    "RecusalImpossible",
    "RecusalOutcome",
    "RecusalStep",
    "RuleRefused",
    "Sampling",
    "Stratum",
    "StratumDraw",
    "Stream",
    "Target",
    "Task",
    "TaskInspections",
    "VerifyReport",
    "announcement_digest",
    "apply_recusal",
    "canonical_json",
    "canonical_text",
    "check_ratio",
    "draw",
    "draw_digest",
    "freeze_pool",
    "frozen_pool_text",
    "make_bundle",
    "parse_pool_text",
    "permutation",
    "pool_digest",
    "pool_object",
    "pool_text",
    "recusal_rule_from_plain",
    "recusal_seed",
    "result_from_bundle",
    "risk_ratio",
    "sample",
    "stratum_size",
    "verify_bundle",
    "with_pool",
]
