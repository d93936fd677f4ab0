// The bundle's optional `units` object (docs/draw-spec.md §6.4): the organisation tree the
// draw used, and the 司局 and unit of each task that triggered a same-quarter exclusion.
// The same checks as kernel/orgtree.py's units_check: the task's and each inspector's 司局
// and subordinate flag as the tree gives them, and MIIT 第十条第二款 (other 处室 of the
// task's own 司局 only). Returns null or {path, key, args, expected, found}.

import { canonicalText, compareText } from "./canonical.js";
import { isObject } from "./json.js";

const KINDS = ["department", "division", "enforcement", "subordinate"];
const SAME_QUARTER = "same_quarter_other_divisions";
const problem = (path, key, args = {}, expected, found) => ({ path, key, args, expected, found });

/** The tree as a Map code → {name, kind, parent}; a string naming the problem if malformed. */
function readTree(rows) {
  if (!Array.isArray(rows)) return "units.tree_shape";
  const units = new Map();
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    const ok = Array.isArray(r) && r.length === 4 && r.slice(0, 3).every((x) => typeof x === "string")
      && (r[3] === null || typeof r[3] === "string");
    if (!ok) return "units.tree_shape";
    if (r.some((x, k) => x !== null && k !== 3 && canonicalText(x) !== x) || (r[3] !== null && canonicalText(r[3]) !== r[3])) return "units.tree_order";
    if (i > 0 && compareText(rows[i - 1][0], r[0]) >= 0) return "units.tree_order";
    if (!r[0] || !r[1] || !KINDS.includes(r[2]) || r[3] === "") return "units.tree_unit";
    units.set(r[0], { kind: r[2], parent: r[3] });
  }
  for (const [code, u] of units) {
    if (u.parent !== null && !units.has(u.parent)) return "units.tree_unit";
    const seen = new Set([code]);
    for (let p = u.parent; p !== null; p = units.get(p).parent) {
      if (seen.has(p)) return "units.tree_cycle";
      seen.add(p);
    }
  }
  return units;
}

function chain(units, code) {
  const out = [];
  for (let c = code; c !== null; c = units.get(c).parent) out.push({ code: c, ...units.get(c) });
  return out;
}

function departmentOf(units, code) {
  const c = chain(units, code);
  const d = c.find((u) => u.kind === "department");
  return d ? d.code : c[c.length - 1].code;
}

function subordinate(units, code) {
  for (const u of chain(units, code)) {
    if (u.kind === "department") return false;
    if (u.kind === "subordinate") return true;
  }
  return false;
}

/** §6.4: null, or the first problem of the bundle's units. */
export function unitsCheck(b) {
  if (!Object.prototype.hasOwnProperty.call(b, "units")) return null;
  const u = b.units;
  if (!isObject(u) || Object.keys(u).sort().join(",") !== "tree,triggers") {
    return problem("units", "units.shape", {}, ["tree", "triggers"], u);
  }
  const units = readTree(u.tree);
  if (typeof units === "string") return problem("units.tree", units);
  const task = b.task;
  if (!isObject(task)) return null;
  if (units.has(task.division) && task.department !== departmentOf(units, task.division)) {
    return problem("task.department", "units.task_department", { unit: task.division },
      departmentOf(units, task.division), task.department);
  }
  const people = Array.isArray(b.inspectors) ? b.inspectors : [];
  for (let i = 0; i < people.length; i++) {
    const p = people[i];
    if (!isObject(p) || !units.has(p.division)) continue;
    const dept = departmentOf(units, p.division);
    if (p.department !== dept) {
      return problem(`inspectors[${i}].department`, "units.inspector_department", { unit: p.division }, dept, p.department);
    }
    if (p.subordinate !== subordinate(units, p.division)) {
      return problem(`inspectors[${i}].subordinate`, "units.inspector_subordinate", { unit: p.division },
        subordinate(units, p.division), p.subordinate);
    }
  }
  const rows = u.triggers;
  const ok = Array.isArray(rows) && rows.every((r) => Array.isArray(r) && r.length === 3
    && r.every((x) => typeof x === "string"));
  if (!ok) return problem("units.triggers", "units.triggers_shape");
  for (let i = 1; i < rows.length; i++) {
    if (compareText(rows[i - 1][0], rows[i][0]) >= 0) return problem("units.triggers", "units.triggers_order");
  }
  const known = new Map(rows.map((r) => [r[0], [r[1], r[2]]]));
  const excluded = isObject(b.pool) && Array.isArray(b.pool.excluded) ? b.pool.excluded : [];
  for (let i = 0; i < excluded.length; i++) {
    const row = excluded[i];
    if (!Array.isArray(row) || row.length !== 4 || row[2] !== SAME_QUARTER) continue;
    if (!known.has(row[3])) return problem(`pool.excluded[${i}][3]`, "units.trigger_missing", {}, null, row[3]);
    const [dept, unit] = known.get(row[3]);
    if (units.has(unit) && dept !== departmentOf(units, unit)) {
      return problem(`pool.excluded[${i}][3]`, "units.trigger_department", {}, departmentOf(units, unit), dept);
    }
    if (dept !== task.department || unit === task.division) {
      return problem(`pool.excluded[${i}]`, "units.other_department", { trigger: row[3], dept, unit }, null, row[3]);
    }
  }
  return null;
}
