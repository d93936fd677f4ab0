"""Reading a bundle's optional ``joint`` object (docs/draw-spec.md §6.5)."""

from __future__ import annotations

from typing import Any

from shuangsuiji.kernel.codec import Reader
from shuangsuiji.kernel.errors import BundleFormatError
from shuangsuiji.kernel.model import Participant
from shuangsuiji.kernel.quotas import JOINT_KEY, joint_object
from shuangsuiji.messages import msg

PARTICIPANT_KEYS = ("code", "name", "tenant", "units", "item_codes", "quota")


def read_joint(top: Reader) -> tuple[Participant, ...]:
    """The participants of the bundle's ``joint`` object; () when the bundle has none.

    A ``joint`` object on a task not declared joint, or a participant with other fields
    than :data:`PARTICIPANT_KEYS`, is refused by path."""
    if JOINT_KEY not in top.obj:
        return ()
    joint = top.sub(JOINT_KEY)
    if set(joint.obj) != {"participants"}:
        raise BundleFormatError(joint.path, msg("expected exactly the field participants"))
    if top.sub("task").obj.get("joint") is not True:
        raise BundleFormatError("task.joint", msg(
            "the bundle names participants of a joint task (联合抽查) but the task is not "
            "declared joint"))
    out = []
    for r in joint.subs("participants"):
        if set(r.obj) != set(PARTICIPANT_KEYS):
            raise BundleFormatError(r.path, msg("expected exactly the fields %(keys)s",
                                                keys=", ".join(PARTICIPANT_KEYS)))
        out.append(Participant(r.text("code"), r.text("name"), r.text("tenant"),
                               r.strs("units"), r.strs("item_codes"), r.integer("quota")))
    return tuple(out)


def joint_difference(result_participants: tuple[Participant, ...],
                     bundle: dict[str, Any]) -> tuple[str, Any, Any] | None:
    """The first field of the bundle's ``joint`` that differs from its canonical form."""
    if not result_participants:
        return None
    expected = joint_object(result_participants)["participants"]
    found = bundle[JOINT_KEY]["participants"]
    if len(found) != len(expected):
        return f"{JOINT_KEY}.participants", len(expected), len(found)
    for i, (e, f) in enumerate(zip(expected, found, strict=True)):
        for key in PARTICIPANT_KEYS:
            if e[key] != f[key] or type(e[key]) is not type(f[key]):
                return f"{JOINT_KEY}.participants[{i}].{key}", e[key], f[key]
    return None
