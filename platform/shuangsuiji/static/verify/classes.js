// Credit-risk classes (信用风险分类) in the pool (docs/draw-spec.md §3.2): a member's class
// travels as its flag "class:<code>"; the pool rules list each class as a risk rule of that
// flag (multiplier 0, the class's own ratio) after the pack's risk flags. A class stratum is
// named by its flag, a risk stratum "risk:<flag>".

import { Problem } from "./read.js";

export const CLASS_PREFIX = "class:";
const RISK = "risk:";

/** The stratum name of a pool rule's flag. */
export const stratumName = (flag) => (flag.startsWith(CLASS_PREFIX) ? flag : RISK + flag);

/** A member carries at most one class: refuse a member holding two. */
export function checkOneClass(m, path) {
  const classes = m.flags.filter((f) => f.startsWith(CLASS_PREFIX));
  if (classes.length > 1) {
    throw new Problem(path, "kernel.two_classes", { code: m.code, classes: classes.join(", ") });
  }
}

/** The class code of a member (null: none). */
export function classOf(m) {
  const f = m.flags.find((x) => x.startsWith(CLASS_PREFIX));
  return f === undefined ? null : f.slice(CLASS_PREFIX.length);
}
