// The draw (docs/draw-spec.md §4): targets of each stratum, the batch order, eligible
// inspectors, groups and their leaders, the targets of the groups, experts.

import { Stream, permutation, sample } from "./streams.js";
import { Problem } from "./read.js";
import { jointGroups, sides } from "./quotas.js";

const SCOPES = ["within_department", "with_subordinates", "across_departments", "unified"];
const refuse = (key, args) => new Problem("bundle", key, args);

function inScope(p, scope, department) {
  if (scope === "across_departments" || scope === "unified") return true;
  if (p.department !== department) return false;
  return scope === "with_subordinates" || !p.subordinate;
}

function eligibleCredential(p, rule, on) {
  return p.credentials.some((c) => rule.credentials.includes(c.kind)
    && (!rule.valid_on_date || c.expires === null || c.expires >= on));
}

/** Person ids of the eligible inspectors, in the directory's (canonical) order. */
export function eligibleInspectors(directory, task, params, rules) {
  if (!SCOPES.includes(params.scope)) throw refuse("kernel.scope_unknown", { scope: params.scope });
  if (!rules.group_rule.scopes.includes(params.scope)) {
    throw refuse("kernel.scope_refused", { scope: params.scope, cite: rules.group_rule.cite });
  }
  const on = params.inspection_date ?? task.start_date;
  return directory.filter((p) => inScope(p, params.scope, task.department)
    && eligibleCredential(p, rules.eligibility, on)).map((p) => p.person_id);
}

async function batches(seed, drawn, count, category, ratio) {
  if (count === null || count === 1) return [];
  if (!category.batch_order) throw refuse("kernel.batch_refused", { code: category.code });
  if (ratio < category.batch_order_min_permille) {
    throw refuse("kernel.batch_ratio", { minimum: category.batch_order_min_permille, ratio });
  }
  if (count < 1 || count > drawn.length) throw refuse("kernel.batch_count", { count, drawn: drawn.length });
  const base = Math.floor(drawn.length / count);
  const extra = drawn.length % count;
  const runs = [];
  let start = 0;
  for (let b = 0; b < count; b++) {
    const end = start + base + (b < extra ? 1 : 0);
    runs.push({ number: b + 1, targets: drawn.slice(start, end) });
    start = end;
  }
  const order = await permutation(await Stream.open(seed, "batches"), count);
  return order.map((i) => runs[i]);
}

function groupCount(params, targets) {
  if (params.group_count !== null && params.targets_per_group !== null) throw refuse("kernel.group_both");
  if (params.targets_per_group !== null) {
    if (params.targets_per_group < 1) throw refuse("kernel.per_group", { value: params.targets_per_group });
    return Math.ceil(targets / params.targets_per_group);
  }
  if (params.group_count === null) return 0;
  if (params.group_count < 1 || params.group_count > targets) {
    throw refuse("kernel.group_count", { count: params.group_count, targets });
  }
  return params.group_count;
}

async function groups(seed, eligible, order, params, rules) {
  const count = groupCount(params, order.length);
  if (!count) return [];
  const rule = rules.group_rule;
  const size = params.group_size ?? rule.min_size;
  if (size < rule.min_size) throw refuse("kernel.group_small", { size, minimum: rule.min_size });
  const need = count * size;
  if (eligible.length < need) {
    throw refuse("kernel.not_enough_inspectors", { need, eligible: eligible.length, missing: need - eligible.length });
  }
  const drawn = (await sample(await Stream.open(seed, "inspectors"), eligible.length, need))
    .map((i) => eligible[i]);
  const leaders = await Stream.open(seed, "leaders");
  const out = [];
  for (let g = 0; g < count; g++) {
    const members = drawn.slice(g * size, (g + 1) * size);
    const leader = rule.leader ? members[await leaders.below(size)] : null;
    const targets = order.filter((_, p) => p % count === g);
    out.push({ number: g + 1, members, leader, targets });
  }
  return out;
}

/**
 * §4 step 6a (v2): a member with a conflict declared in the announcement with a target of
 * their group is replaced in place (and as leader) from stream `conflicts`.
 */
async function avoidConflicts(seed, groups, eligible, conflicts, side) {
  if (!conflicts.size || !groups.length) return groups;
  const stream = await Stream.open(seed, "conflicts");
  const out = groups.map((g) => ({ ...g, members: [...g.members] }));
  const replaced = new Set();
  for (const g of out) {
    const conflicted = new Set([...conflicts.values()].filter(([, t]) => g.targets.includes(t)).map(([p]) => p));
    for (let pos = 0; pos < g.members.length; pos++) {
      const m = g.members[pos];
      if (!conflicted.has(m)) continue;
      const inTask = new Set([...out.flatMap((h) => h.members), ...replaced]);
      const candidates = eligible.filter((p) => !inTask.has(p) && !conflicted.has(p)
        && (!side || side.get(p) === side.get(m)));
      if (!candidates.length) throw refuse("kernel.conflict_no_candidate", { person: m, group: g.number });
      const chosen = candidates[await stream.below(candidates.length)];
      replaced.add(m);
      g.members[pos] = chosen;
      if (g.leader === m) g.leader = chosen;
    }
  }
  return out;
}

async function experts(seed, directory, count) {
  if (count < 0) throw refuse("kernel.experts_negative", { count });
  if (count > directory.length) {
    throw refuse("kernel.not_enough_experts", { count, available: directory.length });
  }
  if (!count) return [];
  const chosen = await sample(await Stream.open(seed, "experts"), directory.length, count);
  return chosen.map((i) => directory[i].person_id);
}

/**
 * Run the draw on the rebuilt `pool` with the read inputs. Returns the bundle's `result`
 * object and the state recusal steps work on.
 */
export async function runDraw(pool, seed, inputs) {
  if (seed === "") throw refuse("seed.empty");
  const strata = [];
  for (const s of pool.strata) {
    const stream = await Stream.open(seed, "targets/" + s.name);
    const picked = await sample(stream, s.members.length, s.size);
    strata.push({ name: s.name, selected: picked.map((i) => s.members[i].code) });
  }
  const drawn = strata.flatMap((s) => s.selected);
  const { params, rules, task, sampling } = inputs;
  const runs = await batches(seed, drawn, params.batch_count, rules.item_category, sampling.ratio_permille);
  const order = runs.length ? runs.flatMap((b) => b.targets) : drawn;
  let eligible = eligibleInspectors(inputs.inspectors, task, params, rules);
  const conflicts = inputs.conflicts ?? new Map(); // v2: declared in the announcement
  const joint = inputs.participants; // §6.5: a joint task's quotas
  let side = null;
  let asDrawn;
  if (joint) {
    side = sides(inputs.inspectors, joint);
    eligible = eligible.filter((p) => side.has(p));
    const count = groupCount(params, order.length);
    asDrawn = count ? await jointGroups(seed, eligible, side, joint, order, params, rules, count) : [];
  } else {
    asDrawn = await groups(seed, eligible, order, params, rules);
  }
  const drawnGroups = await avoidConflicts(seed, asDrawn, eligible, conflicts, side);
  const barred = new Set([...conflicts.values()].filter(([, t]) => drawn.includes(t)).map(([p]) => p));
  const expertPool = inputs.experts.filter((e) => !barred.has(e.person_id));
  const drawnExperts = await experts(seed, expertPool, params.experts_count);
  return {
    result: {
      strata, batches: runs, eligible_inspectors: eligible, groups: drawnGroups,
      experts: drawnExperts,
    },
    side,
  };
}
