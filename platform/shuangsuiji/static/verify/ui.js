// The check-a-draw page: verify a bundle in the browser, look a company up in it, check a
// transparency-log checkpoint and an inclusion proof. Nothing is sent anywhere: the only
// request is for the draw's own bundle, from this portal, when the visitor asks for it.

import { parseStrict, JsonError } from "./json.js";
import { verifyBundle } from "./verify.js";
import { outcome, t } from "./messages.js";
import { lookUp } from "./company.js";
import { NoteError, fromBase64, verifyCheckpoint } from "./note.js";
import { verifyInclusion } from "./merkle.js";
import { unhex } from "./canonical.js";

const $ = (id) => document.getElementById(id);
let verified = null;

function say(el, text, good) {
  el.textContent = text;
  el.classList.toggle("ok", good === true);
  el.classList.toggle("error", good === false);
}

/** Verify bundle text; shows and returns the report (also used by the tests). */
export async function checkText(text) {
  let report;
  try {
    report = await verifyBundle(parseStrict(text));
  } catch (e) {
    if (!(e instanceof JsonError)) throw e;
    report = { ok: false, path: e.path || "bundle", key: e.problem, args: e.args };
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

function hashes(text) {
  return text.split(/[\s,]+/).filter(Boolean).map((h) => unhex(h) ?? fromBase64(h));
}

async function checkpoint() {
  const out = $("bv-log-status");
  try {
    const cp = await verifyCheckpoint($("bv-checkpoint").value.replace(/\r\n/g, "\n"), $("bv-key").value);
    let text = t("log.ok", { origin: cp.origin, size: cp.size, key: cp.key });
    const leaf = $("bv-leaf").value.trim();
    if (leaf) {
      const proof = hashes($("bv-inclusion").value);
      const leafHash = unhex(leaf) ?? fromBase64(leaf);
      const index = Number($("bv-index").value);
      const good = leafHash && proof.every(Boolean) && Number.isSafeInteger(index)
        && await verifyInclusion(index, cp.size, leafHash, proof, cp.root);
      if (!good) {
        say(out, text + " " + t("log.not_included", { index, size: cp.size }), false);
        return;
      }
      text += " " + t("log.included", { index, size: cp.size });
    }
    say(out, text, true);
  } catch (e) {
    if (!(e instanceof NoteError)) throw e;
    say(out, t(e.key, e.args), false);
  }
}

function init() {
  const root = $("browser-verifier");
  if (!root) return;
  root.hidden = false;
  $("bv-file").addEventListener("change", (ev) => {
    const file = ev.target.files[0];
    if (file) run(() => file.text());
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
      return got.text();
    });
  };
  $("bv-fetch").addEventListener("click", fetchDraw);
  $("bv-company-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    company();
  });
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
