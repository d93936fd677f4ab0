// Recusal steps (docs/draw-spec.md §5), each on its own stream `recusal/N`.

import { Stream } from "./streams.js";
import { Problem } from "./read.js";
import { canonicalText, compareText } from "./canonical.js";

const MODES = ["swap", "withdraw"];
const refuse = (key, args) => new Problem("bundle", key, args);
const copyGroups = (groups) => groups.map((g) => ({ ...g, members: [...g.members], targets: [...g.targets] }));

/**
 * Apply recusal step `input` (read from the bundle) to `state` = {seed, eligible,
 * expertsDirectory, selected, groups, experts, steps}; returns the step as the bundle
 * records it and updates the state's current groups and experts.
 */
export async function applyRecusal(state, input) {
  // v2 (docs/draw-spec.md §12): the stream is keyed by the step's own key (input.streamSeed)
  // and the conflicts declared in the announcement (state.conflicts) count at every step
  const { step, mode, rule } = input;
  if (step !== state.steps.length + 1) throw refuse("kernel.recusal_step", { step, next: state.steps.length + 1 });
  if (!MODES.includes(mode)) throw refuse("kernel.recusal_mode", { mode });
  if (!rule.modes.includes(mode)) throw refuse("kernel.recusal_refused", { mode, cite: rule.cite });
  const person = canonicalText(input.person_id);
  const target = canonicalText(input.target_id);
  const pairs = new Map();
  for (const [p, t] of [...input.conflicts, ...(state.conflicts?.values() ?? []), [person, target]]) {
    const pair = [canonicalText(p), canonicalText(t)];
    pairs.set(JSON.stringify(pair), pair);
  }
  const declared = [...pairs.values()].sort((a, b) => compareText(a[0], b[0]) || compareText(a[1], b[1]));
  const conflict = (p, t) => pairs.has(JSON.stringify([p, t]));
  const stream = await Stream.open(input.streamSeed ?? state.seed, `recusal/${step}`);
  const out = {
    step, person_id: person, target_id: target, mode, rule, conflicts: declared,
    role: "inspector", group: null, replacement: null, new_leader: null, swap_group: null,
    swap_target: null,
  };
  const groups = copyGroups(state.groups);
  const group = groups.find((g) => g.members.includes(person));
  const withdrawn = (role) => new Set(state.steps.filter((s) => s.mode === "withdraw" && s.role === role)
    .map((s) => s.person_id));
  if (group) {
    if (!group.targets.includes(target)) throw refuse("kernel.recusal_target", { target, group: group.number });
    out.group = group.number;
    if (mode === "withdraw") {
      const inTask = withdrawn("inspector");
      for (const g of groups) g.members.forEach((m) => inTask.add(m));
      const conflicted = new Set(declared.filter(([, t]) => group.targets.includes(t)).map(([p]) => p));
      const candidates = state.eligible.filter((p) => !inTask.has(p) && !conflicted.has(p)
        && (!state.side || state.side.get(p) === state.side.get(person))); // §6.5
      if (!candidates.length) throw refuse("kernel.no_replacement", { person, group: group.number });
      const replacement = candidates[await stream.below(candidates.length)];
      group.members = group.members.map((m) => (m === person ? replacement : m));
      out.replacement = replacement;
      if (group.leader === person) {
        group.leader = group.members[await stream.below(group.members.length)];
        out.new_leader = group.leader;
      }
    } else {
      const candidates = [];
      for (const other of groups) {
        if (other.number === group.number) continue;
        if (other.members.some((m) => conflict(m, target))) continue;
        for (const t of other.targets) {
          if (!group.members.some((m) => conflict(m, t))) candidates.push([other, t]);
        }
      }
      if (!candidates.length) throw refuse("kernel.no_swap", { target, group: group.number });
      const [other, received] = candidates[await stream.below(candidates.length)];
      group.targets = group.targets.map((t) => (t === target ? received : t));
      other.targets = other.targets.map((t) => (t === received ? target : t));
      out.swap_group = other.number;
      out.swap_target = received;
    }
    state.groups = groups;
  } else if (state.experts.includes(person)) {
    if (!state.selected.includes(target)) throw refuse("kernel.recusal_not_drawn", { target });
    if (mode === "swap") throw refuse("kernel.expert_swap", { person });
    out.role = "expert";
    const inTask = withdrawn("expert");
    state.experts.forEach((e) => inTask.add(e));
    const drawn = new Set(state.selected);
    const conflicted = new Set(declared.filter(([, t]) => drawn.has(t)).map(([p]) => p));
    const candidates = state.expertsDirectory.map((e) => e.person_id)
      .filter((p) => !inTask.has(p) && !conflicted.has(p));
    if (!candidates.length) throw refuse("kernel.no_expert", { person });
    const replacement = candidates[await stream.below(candidates.length)];
    state.experts = state.experts.map((e) => (e === person ? replacement : e));
    out.replacement = replacement;
  } else {
    throw refuse("kernel.recusal_person", { person });
  }
  state.steps.push(out);
  return out;
}
