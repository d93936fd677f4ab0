// The check-a-draw page: verify a bundle in the browser, look a company up in it, check a
// transparency-log checkpoint and an inclusion proof. Nothing is sent anywhere: the only
// request is for the draw's own bundle, from this portal, when the visitor asks for it.

import { JsonError } from "./json.js";
import { Problem } from "./read.js";
import { readBundle } from "./text.js";
import { verifyBundle } from "./verify.js";
import { outcome, t } from "./messages.js";
import { lookUp } from "./company.js";
import { NoteError, fromBase64, verifyCheckpoint } from "./note.js";
import { leafHash, verifyConsistency, verifyInclusion } from "./merkle.js";
import { canonicalJson, unhex, utf8 } from "./canonical.js";

const $ = (id) => document.getElementById(id);
let verified = null;

function say(el, text, good) {
  el.textContent = text;
  el.classList.toggle("ok", good === true);
  el.classList.toggle("error", good === false);
}

/** Verify a bundle file, JSON or `shuangsuiji-draw/3` (its text, or its bytes as read);
 * shows and returns the report (also used by the tests). */
export async function checkText(data) {
  let report;
  try {
    const { bundle, text } = await readBundle(data);
    report = await verifyBundle(bundle, text);
  } catch (e) {
    if (e instanceof JsonError) report = { ok: false, path: e.path || "bundle", key: e.problem, args: e.args };
    else if (e instanceof Problem) report = { ok: false, path: e.path, key: e.key, args: e.args };
    else throw e;
  }
  verified = report.ok ? report : null;
  say($("bv-status"), outcome(report), report.ok);
  $("bv-company-form").hidden = !report.ok;
  $("bv-company").textContent = "";
  $("bv-proof").hidden = true;
  return report;
}

async function run(source) {
  say($("bv-status"), t("ui.working"));
  try {
    await checkText(await source());
  } catch (e) {
    say($("bv-status"), t("ui.cannot_read", { reason: String(e.message || e) }), false);
  }
}

async function company() {
  const code = $("bv-code").value;
  const out = $("bv-company");
  const link = $("bv-proof");
  if (!verified || !code.trim()) return;
  const found = await lookUp(verified, code);
  link.hidden = !found;
  if (!found) {
    say(out, t("company.absent", { code: code.trim(), task: verified.remade.task.task_id }), null);
    return;
  }
  let text = t(`company.${found.status}`, found);
  if (found.status === "drawn" && found.group !== null) text += t("company.group", found);
  if (found.status === "drawn" && found.batch !== null) text += t("company.batch", found);
  if (found.status === "excluded" && found.trigger) text += t("company.trigger", found);
  say(out, text, found.status !== "excluded" ? true : null);
  const blob = new Blob([JSON.stringify(found.proof, null, 1) + "\n"], { type: "application/json" });
  if (link.href) URL.revokeObjectURL(link.href);
  link.href = URL.createObjectURL(blob);
  link.download = `${found.task}-${found.proof.credit_code}-proof.json`;
}

/** Hashes from a textarea: one per line (hex or base64), or the public API's JSON. */
function hashes(text) {
  const trimmed = text.trim();
  if (trimmed.startsWith("{")) {
    const proof = JSON.parse(trimmed).proof;
    if (!Array.isArray(proof)) throw new NoteError("log.bad_proof");
    return proof.map((h) => unhex(h) ?? fromBase64(h));
  }
  return trimmed.split(/[\s,]+/).filter(Boolean).map((h) => unhex(h) ?? fromBase64(h));
}

/** A leaf hash typed in (hex or base64), or computed from the leaf's fields as JSON
 * (docs/transparency-log.md §1: "shuangsuiji-event/1\n" || canonical JSON). */
async function leafOf(text) {
  const trimmed = text.trim();
  if (!trimmed.startsWith("{")) return unhex(trimmed) ?? fromBase64(trimmed);
  const fields = JSON.parse(trimmed);
  delete fields.leaf_hash; // the API lists it beside the fields
  return leafHash(utf8("shuangsuiji-event/1\n" + canonicalJson(fields)));
}

async function checkpoint() {
  const out = $("bv-log-status");
  const lines = [];
  const fail = (key, args) => {
    lines.push(t(key, args));
    say(out, lines.join("\n"), false);
  };
  try {
    const key = $("bv-key").value;
    const normal = (id) => $(id).value.replace(/\r\n/g, "\n");
    const old = await verifyCheckpoint(normal("bv-checkpoint"), key);
    lines.push(t("log.ok", { origin: old.origin, size: old.size, key: old.key }));
    let tree = old;
    if (normal("bv-checkpoint-new").trim()) {
      const newer = await verifyCheckpoint(normal("bv-checkpoint-new"), key);
      lines.push(t("log.ok", { origin: newer.origin, size: newer.size, key: newer.key }));
      if (newer.origin !== old.origin) return fail("log.other_log", { old: old.origin, new: newer.origin });
      const proof = hashes($("bv-consistency").value);
      const good = newer.size >= old.size && proof.every(Boolean)
        && await verifyConsistency(old.size, newer.size, old.root, newer.root, proof);
      if (!good) return fail("log.inconsistent", { old: old.size, new: newer.size });
      lines.push(t("log.consistent", { old: old.size, new: newer.size }));
      tree = newer;
    }
    if ($("bv-leaf").value.trim()) {
      const proof = hashes($("bv-inclusion").value);
      const leaf = await leafOf($("bv-leaf").value);
      const index = Number($("bv-index").value);
      const good = leaf && proof.every(Boolean) && Number.isSafeInteger(index)
        && await verifyInclusion(index, tree.size, leaf, proof, tree.root);
      if (!good) return fail("log.not_included", { index, size: tree.size });
      lines.push(t("log.included", { index, size: tree.size }));
    }
    say(out, lines.join("\n"), true);
  } catch (e) {
    if (e instanceof NoteError) return fail(e.key, e.args);
    if (e instanceof SyntaxError) return fail("log.bad_json");
    throw e;
  }
  return null;
}

/** Fill the log form from this portal's public API: the key, the latest checkpoint (as the
 * newer one when a saved checkpoint is there, with the consistency proof), and the
 * inclusion proof of the entry whose index is given. */
async function fetchLog() {
  const form = $("bv-log-form");
  const api = form.dataset.logApi;
  const get = async (url) => {
    const got = await fetch(url, { credentials: "omit" });
    if (!got.ok) throw new Error(t("log.no_api", { url, status: got.status }));
    return got.text();
  };
  try {
    if (!$("bv-key").value.trim()) $("bv-key").value = (await get(form.dataset.keys)).split("\n")[0].trim();
    const latest = await get(`${api}checkpoint`);
    const size = Number(latest.split("\n")[1]);
    const saved = $("bv-checkpoint").value.trim();
    if (!saved) {
      $("bv-checkpoint").value = latest;
    } else {
      $("bv-checkpoint-new").value = latest;
      const from = Number($("bv-checkpoint").value.replace(/\r\n/g, "\n").split("\n")[1]);
      if (Number.isSafeInteger(from) && from > 0 && from < size) {
        $("bv-consistency").value = await get(`${api}proof/consistency?from=${from}&to=${size}`);
      }
    }
    const index = $("bv-index").value.trim();
    if (/^[0-9]+$/.test(index) && Number(index) < size) {
      const proof = JSON.parse(await get(`${api}proof/inclusion?index=${index}&size=${size}`));
      $("bv-inclusion").value = JSON.stringify(proof);
      if (!$("bv-leaf").value.trim()) $("bv-leaf").value = proof.leaf_hash;
    }
    say($("bv-log-status"), t("log.fetched", { size }), null);
  } catch (e) {
    say($("bv-log-status"), String(e.message || e), false);
  }
}

function init() {
  const root = $("browser-verifier");
  if (!root) return;
  root.hidden = false;
  $("bv-file").addEventListener("change", (ev) => {
    const file = ev.target.files[0];
    if (file) run(() => file.arrayBuffer()); // bytes: a /3 file's pool lines are hashed as found
  });
  const base = root.dataset.bundles; // ".../draws/" of this tenant
  const fetchDraw = () => {
    const id = $("bv-draw").value.trim();
    if (!/^[0-9]+$/.test(id)) {
      say($("bv-status"), t("ui.draw_number"), false);
      return;
    }
    run(async () => {
      const got = await fetch(`${base}${id}/bundle.json`, { credentials: "omit" });
      if (!got.ok) throw new Error(t("ui.no_bundle", { id, status: got.status }));
      return got.arrayBuffer();
    });
  };
  $("bv-fetch").addEventListener("click", fetchDraw);
  $("bv-company-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    company();
  });
  $("bv-log-fetch").addEventListener("click", fetchLog);
  $("bv-log-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    checkpoint();
  });
  const wanted = new URLSearchParams(location.search).get("draw");
  if (wanted && /^[0-9]+$/.test(wanted)) {
    $("bv-draw").value = wanted;
    fetchDraw();
  }
}

init();
