// Joint tasks (联合抽查, docs/draw-spec.md §6.5): the bundle's optional `joint` object names
// the participants, their items and their inspector quota per group. The groups are drawn
// by participant first (stream `inspectors/<code>`), then the places left over from the
// rest (stream `inspectors`); a replacement is of the replaced member's participant. The
// same as kernel/quotas.py.

import { Stream, sample } from "./streams.js";
import { Problem } from "./read.js";
import { canonicalText, compareText } from "./canonical.js";
import { has, isObject } from "./json.js";

export const JOINT = "joint";
const KEYS = ["code", "name", "tenant", "units", "item_codes", "quota"];
const refuse = (key, args) => new Problem("bundle", key, args);
const sortedUnique = (xs) => [...new Set(xs.map(canonicalText))].sort(compareText);

/** The bundle's participants in canonical form, checked against the task; null if none. */
export function readJoint(bundle, task) {
  if (!has(bundle, JOINT)) return null;
  const joint = bundle[JOINT];
  if (!isObject(joint) || Object.keys(joint).length !== 1 || !Array.isArray(joint.participants)) {
    throw new Problem("bundle.joint", "joint.shape");
  }
  if (task.joint !== true) throw new Problem("task.joint", "joint.not_joint");
  const out = joint.participants.map((p, i) => {
    const path = `bundle.joint.participants[${i}]`;
    const ok = isObject(p) && Object.keys(p).length === KEYS.length && KEYS.every((k) => has(p, k))
      && ["code", "name", "tenant"].every((k) => typeof p[k] === "string")
      && ["units", "item_codes"].every((k) => Array.isArray(p[k]) && p[k].every((x) => typeof x === "string"))
      && Number.isSafeInteger(p.quota);
    if (!ok) throw new Problem(path, "joint.participant");
    return {
      code: canonicalText(p.code), name: canonicalText(p.name), tenant: canonicalText(p.tenant),
      units: sortedUnique(p.units), item_codes: sortedUnique(p.item_codes), quota: p.quota,
    };
  }).sort((a, b) => compareText(a.code, b.code));
  if (out.length < 2) throw refuse("joint.too_few", { n: out.length });
  const owner = new Map();
  for (let i = 0; i < out.length; i++) {
    const p = out[i];
    if (!p.code || (i && out[i - 1].code === p.code)) throw refuse("joint.code", { code: p.code });
    if (p.quota < 1) throw refuse("joint.quota", { code: p.code, quota: p.quota });
    if (!p.units.length || !p.item_codes.length) throw refuse("joint.empty", { code: p.code });
    for (const item of p.item_codes) {
      if (owner.has(item)) throw refuse("joint.item_twice", { item, a: owner.get(item), b: p.code });
      owner.set(item, p.code);
    }
  }
  const items = new Set(task.item_codes);
  if (owner.size !== items.size || [...owner.keys()].some((x) => !items.has(x))) {
    throw refuse("joint.items", {});
  }
  return out;
}

/** Person id → participant code (the first participant whose units hold their division,
 * else their department). */
export function sides(inspectors, participants) {
  const side = new Map();
  for (const person of inspectors) {
    const p = participants.find((q) => q.units.includes(person.division) || q.units.includes(person.department));
    if (p) side.set(person.person_id, p.code);
  }
  return side;
}

/** §6.5: each participant's quota of every group first, then the places left over. */
export async function jointGroups(seed, eligible, side, participants, order, params, rules, count) {
  const rule = rules.group_rule;
  const size = params.group_size ?? rule.min_size;
  if (size < rule.min_size) throw refuse("kernel.group_small", { size, minimum: rule.min_size });
  const total = participants.reduce((n, p) => n + p.quota, 0);
  if (total > size) throw refuse("joint.quota_size", { total, size });
  const chosen = Array.from({ length: count }, () => []);
  const taken = new Set();
  for (const p of participants) {
    const own = eligible.filter((x) => side.get(x) === p.code);
    const need = count * p.quota;
    if (own.length < need) throw refuse("joint.not_enough", { code: p.code, eligible: own.length, need });
    const picks = (await sample(await Stream.open(seed, "inspectors/" + p.code), own.length, need)).map((i) => own[i]);
    for (let g = 0; g < count; g++) chosen[g].push(...picks.slice(g * p.quota, (g + 1) * p.quota));
    picks.forEach((x) => taken.add(x));
  }
  const rest = eligible.filter((x) => !taken.has(x));
  const free = size - total;
  if (rest.length < count * free) throw refuse("kernel.not_enough_inspectors", { need: count * free, eligible: rest.length, missing: count * free - rest.length });
  if (free) {
    const picks = (await sample(await Stream.open(seed, "inspectors"), rest.length, count * free)).map((i) => rest[i]);
    for (let g = 0; g < count; g++) chosen[g].push(...picks.slice(g * free, (g + 1) * free));
  }
  const leaders = await Stream.open(seed, "leaders");
  const out = [];
  for (let g = 0; g < count; g++) {
    const members = chosen[g];
    const leader = rule.leader ? members[await leaders.below(size)] : null;
    out.push({ number: g + 1, members, leader, targets: order.filter((_, p) => p % count === g) });
  }
  return out;
}
