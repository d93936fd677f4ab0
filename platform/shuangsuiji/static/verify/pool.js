// The frozen pool rebuilt from a bundle (docs/draw-spec.md §3.2, §3.3): the members of all
// strata and the excluded rows are taken as given, re-split into strata by risk flag, put
// in canonical order, sized, and digested.

import { canonicalJson, canonicalText, compareText, hex, sha256, utf8 } from "./canonical.js";
import { checkOneClass, stratumName } from "./classes.js";
import { Problem } from "./read.js";

export const POOL_FORMAT = "shuangsuiji-pool/1";
const GENERAL = "general";

/** Size of a stratum of n members at ratio r (per mille), clamped by the sampling. */
export function stratumSize(n, r, sampling) {
  let size = Math.floor((n * r + 999) / 1000);
  size = Math.max(size, sampling.min_count);
  if (sampling.max_count !== null) size = Math.min(size, sampling.max_count);
  return Math.min(size, n);
}

function checkSampling(s) {
  if (s.ratio_permille < 0 || s.ratio_permille > 1000) {
    throw new Problem("bundle", "kernel.ratio", { ratio: s.ratio_permille });
  }
  if (s.min_count < 0) throw new Problem("bundle", "kernel.min_count", { min: s.min_count });
  if (s.max_count !== null && s.max_count < s.min_count) {
    throw new Problem("bundle", "kernel.max_count", { max: s.max_count, min: s.min_count });
  }
}

/** Citation of each exclusion rule code the pool may name. */
export function exclusionCitations(rules) {
  const cites = new Map([
    ["once_per_year", rules.exclusion_policy.cite],
    ["same_quarter_other_divisions", rules.exclusion_policy.cite],
  ]);
  for (const r of rules.extra_exclusions) cites.set(r.code, r.cite);
  return cites;
}

const SEPARATORS = /[\t\n]/;

function member(row, path) {
  const ok = Array.isArray(row) && row.length === 3 && typeof row[0] === "string"
    && typeof row[1] === "string" && Array.isArray(row[2])
    && row[2].every((f) => typeof f === "string");
  if (!ok) throw new Problem(path, "expected.member");
  const code = canonicalText(row[0]);
  const name = canonicalText(row[1]);
  if (SEPARATORS.test(code) || SEPARATORS.test(name)) throw new Problem(path, "kernel.separator");
  for (const f of row[2]) {
    if (SEPARATORS.test(f) || f.includes(",")) throw new Problem(path, "kernel.flag", { flag: f });
  }
  const flags = [...new Set(row[2])].sort(compareText);
  return { code, name, flags };
}

function exclusion(row, path, cites) {
  const ok = Array.isArray(row) && row.length === 4 && row.slice(0, 3).every((x) => typeof x === "string")
    && (row[3] === null || typeof row[3] === "string");
  if (!ok) throw new Problem(path, "expected.excluded");
  if (!cites.has(row[2])) throw new Problem(`${path}[2]`, "kernel.rule_code", { code: row[2] });
  // "" and null give one digest line (§3.3): "" is refused, so one pool has one bundle
  if (row[3] === "") throw new Problem(`${path}[3]`, "kernel.empty_trigger");
  if (SEPARATORS.test(row[0]) || SEPARATORS.test(row[1])) throw new Problem(path, "kernel.separator");
  return { code: row[0], name: row[1], rule: row[2], article: cites.get(row[2]).article,
    trigger: row[3] };
}

/** The pool's canonical lines (§3.3) as one string, LF after each line. */
export const poolText = (...args) => poolLines(...args).join("\n") + "\n";

/** The pool's canonical lines (§3.3), each without its LF: also the pool's Merkle leaves. */
export function poolLines(task, sampling, rules, strata, excluded) {
  const parts = [POOL_FORMAT, canonicalJson({ task, sampling, rules })];
  for (const s of strata) {
    parts.push(`stratum\t${s.name}\t${s.ratio_permille}\t${s.size}\t${s.members.length}`);
    for (const m of s.members) parts.push(memberLine(m));
  }
  for (const e of excluded) {
    parts.push(`excluded\t${e.code}\t${e.name}\t${e.rule}\t${e.article}\t${e.trigger ?? ""}`);
  }
  return parts;
}

/** The digest line of one member (its line in the pool's canonical text). */
export const memberLine = (m) => `member\t${m.code}\t${m.name}\t${m.flags.join(",")}`;

/**
 * Rebuild the pool: `found` is the bundle's `pool` object; `task`, `sampling`, `rules` the
 * read inputs. Returns {strata: [{name, ratio_permille, size, members}], excluded, digest}.
 */
export async function rebuildPool(found, task, sampling, rules) {
  checkSampling(sampling);
  if (found === null || typeof found !== "object" || Array.isArray(found)) {
    throw new Problem("bundle.pool", "expected.object", { value: found });
  }
  for (const key of ["strata", "excluded"]) {
    if (!Object.prototype.hasOwnProperty.call(found, key)) throw new Problem(`bundle.pool.${key}`, "missing");
    if (!Array.isArray(found[key])) throw new Problem(`bundle.pool.${key}`, "expected.list", { value: found[key] });
  }
  const members = [];
  found.strata.forEach((s, k) => {
    const at = `bundle.pool.strata[${k}]`;
    if (s === null || typeof s !== "object" || Array.isArray(s)) throw new Problem(at, "expected.object", { value: s });
    if (!Object.prototype.hasOwnProperty.call(s, "members")) throw new Problem(`${at}.members`, "missing");
    if (!Array.isArray(s.members)) throw new Problem(`${at}.members`, "expected.list", { value: s.members });
    s.members.forEach((row, i) => {
      const m = member(row, `${at}.members[${i}]`);
      checkOneClass(m, `${at}.members[${i}]`);
      members.push(m);
    });
  });
  const cites = exclusionCitations(rules);
  const excluded = found.excluded.map((row, i) => exclusion(row, `bundle.pool.excluded[${i}]`, cites));
  const seen = new Set();
  for (const code of [...excluded.map((e) => e.code), ...members.map((m) => m.code)]) {
    if (seen.has(code)) throw new Problem("bundle", "kernel.duplicate_code", { code });
    seen.add(code);
  }
  // the first risk rule (in the pack's order) whose flag a member carries names its stratum
  const rank = new Map();
  rules.risk_rules.forEach((r, i) => { if (!rank.has(r.flag)) rank.set(r.flag, i); });
  const buckets = rules.risk_rules.map(() => []);
  const general = [];
  for (const m of members) {
    const ranks = m.flags.filter((f) => rank.has(f)).map((f) => rank.get(f));
    if (ranks.length) buckets[Math.min(...ranks)].push(m);
    else general.push(m);
  }
  const byCode = (a, b) => compareText(a.code, b.code);
  const strata = [];
  rules.risk_rules.forEach((rule, i) => {
    if (!buckets[i].length) return;
    const ratio = Math.min(1000, Math.max(sampling.ratio_permille * rule.multiplier, rule.ratio_permille));
    strata.push({ name: stratumName(rule.flag), ratio_permille: ratio,
      size: stratumSize(buckets[i].length, ratio, sampling), members: buckets[i].sort(byCode) });
  });
  if (general.length) {
    const r = sampling.ratio_permille;
    strata.push({ name: GENERAL, ratio_permille: r, size: stratumSize(general.length, r, sampling),
      members: general.sort(byCode) });
  }
  if (!strata.length) throw new Problem("bundle", "kernel.empty_pool", { task: task.task_id });
  excluded.sort(byCode);
  const lines = poolLines(task, sampling, rules, strata, excluded);
  const digest = hex(await sha256(utf8(lines.join("\n") + "\n")));
  return { strata, excluded, digest, cites, lines };
}
