// hotfuse webui. Every transcript or hotword text is set with textContent, never as HTML.
"use strict";

const $ = (sel, root = document) => root.querySelector(sel);
let INFO = null;
let recorded = null; // a WAV Blob from the recorder

function el(tag, props = {}, text) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === "class") node.className = v;
    else if (k === "title") node.title = v;
    else node.setAttribute(k, v);
  }
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

function fmt(x, digits = 3) {
  if (x === null || x === undefined) return "–";
  return typeof x === "number" ? x.toFixed(digits) : String(x);
}

function bytes(n) {
  if (n === null || n === undefined) return "–";
  return (n / 2 ** 20).toFixed(1) + " MiB";
}

function setStatus(id, text, isError = false) {
  const node = $(id);
  node.textContent = text;
  node.classList.toggle("error", isError);
}

async function api(path, options) {
  const resp = await fetch(path, options);
  let data = null;
  try { data = await resp.json(); } catch (e) { data = null; }
  if (!resp.ok) {
    const msg = data && data.error ? data.error : `HTTP ${resp.status}`;
    throw new Error(msg);
  }
  return data;
}

function hotwordFields() {
  const lexicons = [...document.querySelectorAll("#lexicons input:checked")].map((i) => i.value);
  return { hotwords: $("#hotwords").value, lexicons };
}

// ------------------------------------------------------------------ tabs
function showTab(name) {
  for (const b of document.querySelectorAll(".tabs button")) {
    b.setAttribute("aria-selected", String(b.dataset.tab === name));
  }
  for (const p of document.querySelectorAll(".panel")) p.hidden = p.id !== `panel-${name}`;
  if (name === "system") refreshInfo();
}

// ------------------------------------------------------------------ results
function explanation(r) {
  const when = r.time_start !== null ? ` at ${fmt(r.time_start, 2)}–${fmt(r.time_end, 2)} s` : "";
  return `${r.original} → ${r.hotword}${when}; score ${fmt(r.score, 2)}, ` +
    `confidence ${fmt(r.confidence, 2)}; ${r.reason}`;
}

function fillText(node, segments, reps) {
  node.replaceChildren();
  for (const seg of segments) {
    if (seg.rep === null) node.append(document.createTextNode(seg.text));
    else node.append(el("mark", { title: explanation(reps[seg.rep]), "data-rep": seg.rep }, seg.text));
  }
}

function download(parent, label, name, type, content) {
  const url = URL.createObjectURL(new Blob([content], { type }));
  parent.append(el("a", { href: url, download: name }, label));
}

function stem(name) {
  return (name || "transcript").replace(/\.[^.]*$/, "");
}

function renderResult(box, rec) {
  box.replaceChildren($("#result-template").content.cloneNode(true));
  box.hidden = false;
  fillText($(".original", box), rec.original_segments, rec.replacements);
  fillText($(".fused", box), rec.fused_segments, rec.replacements);
  const figs = [];
  if (rec.audio_seconds !== undefined) {
    figs.push(`${fmt(rec.audio_seconds, 2)} s of audio`, `RTF ${fmt(rec.rtf, 4)}`,
      `device ${rec.device}`);
    if (rec.peak_gpu_bytes !== null) figs.push(`peak GPU ${bytes(rec.peak_gpu_bytes)}`);
    if (!rec.fused) figs.push("no hotwords given: fused text = first pass");
  }
  figs.push(`${rec.replacements.length} replacement(s)`);
  $(".figures", box).textContent = figs.join(" · ");
  const dl = $(".downloads", box);
  const base = stem(rec.file);
  download(dl, "Download txt", `${base}.txt`, "text/plain;charset=utf-8", rec.text + "\n");
  download(dl, "Download JSON", `${base}.json`, "application/json",
    JSON.stringify(rec, null, 1));
  if (rec.srt) download(dl, "Download SRT", `${base}.srt`, "application/x-subrip", rec.srt);
  else dl.append(el("span", { class: "muted" }, "(no token times: no SRT)"));
  const tbody = $(".reps tbody", box);
  rec.replacements.forEach((r, i) => {
    const tr = el("tr");
    const when = r.time_start !== null ? `${fmt(r.time_start, 2)}–${fmt(r.time_end, 2)}` : "–";
    for (const v of [i + 1, r.original, r.hotword, when, fmt(r.score, 2), fmt(r.confidence, 3), r.reason]) {
      tr.append(el("td", {}, v));
    }
    tbody.append(tr);
  });
  if (!rec.replacements.length) {
    const tr = el("tr");
    tr.append(el("td", { colspan: "7" }, "none"));
    tbody.append(tr);
  }
  const tokens = $(".tokens tbody", box);
  rec.tokens.forEach((t, i) => {
    const tr = el("tr");
    for (const v of [i + 1, t.text, fmt(t.start, 2), fmt(t.end, 2), fmt(t.confidence, 3)]) {
      tr.append(el("td", {}, v));
    }
    tokens.append(tr);
  });
}

// ------------------------------------------------------------------ text tab
async function runText() {
  const content = $("#text-input").value;
  setStatus("#text-status", "Fusing…");
  try {
    const rec = await api("/api/fuse-box", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ content, ...hotwordFields() }),
    });
    renderResult($("#text-result"), rec);
    setStatus("#text-status", "Done.");
  } catch (e) {
    setStatus("#text-status", e.message, true);
  }
}

// ------------------------------------------------------------------ recognize tab
function recognizeForm(file, name) {
  const form = new FormData();
  form.append("audio", file, name);
  const f = hotwordFields();
  form.append("hotwords", f.hotwords);
  for (const lx of f.lexicons) form.append("lexicons", lx);
  return form;
}

async function runRecognize() {
  const input = $("#rec-file");
  const file = input.files.length ? input.files[0] : recorded;
  if (!file) { setStatus("#rec-status", "Choose an audio file or record one first.", true); return; }
  const name = input.files.length ? file.name : "recording.wav";
  setStatus("#rec-status", `Recognizing ${name}… (one job at a time on the model)`);
  $("#rec-run").disabled = true;
  try {
    const rec = await api("/api/recognize", { method: "POST", body: recognizeForm(file, name) });
    renderResult($("#rec-result"), rec);
    setStatus("#rec-status", `Done: ${name}.`);
    refreshInfo();
  } catch (e) {
    setStatus("#rec-status", e.message, true);
  } finally {
    $("#rec-run").disabled = false;
  }
}

// A tiny PCM recorder: the page encodes a 16-bit WAV itself (the server resamples it).
let recState = null;
async function toggleRecord() {
  const button = $("#rec-record");
  if (recState) {
    recState.proc.disconnect(); recState.src.disconnect();
    recState.stream.getTracks().forEach((t) => t.stop());
    const rate = recState.ctx.sampleRate;
    await recState.ctx.close();
    recorded = encodeWav(recState.chunks, rate);
    recState = null;
    button.textContent = "● Record"; button.classList.remove("recording");
    const audio = $("#rec-audio");
    audio.src = URL.createObjectURL(recorded); audio.hidden = false;
    $("#rec-file").value = "";
    setStatus("#rec-status", `Recorded ${(recorded.size / 2 / rate).toFixed(1)} s.`);
    return;
  }
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    setStatus("#rec-status", "This browser gives no microphone here (recording needs http://127.0.0.1 or https).", true);
    return;
  }
  try {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    const ctx = new AudioContext();
    const src = ctx.createMediaStreamSource(stream);
    const proc = ctx.createScriptProcessor(4096, 1, 1);
    const chunks = [];
    proc.onaudioprocess = (ev) => chunks.push(new Float32Array(ev.inputBuffer.getChannelData(0)));
    src.connect(proc); proc.connect(ctx.destination);
    recState = { stream, ctx, src, proc, chunks };
    button.textContent = "■ Stop"; button.classList.add("recording");
    setStatus("#rec-status", "Recording…");
  } catch (e) {
    setStatus("#rec-status", `No microphone: ${e.message}`, true);
  }
}

function encodeWav(chunks, rate) {
  const n = chunks.reduce((a, c) => a + c.length, 0);
  const buf = new ArrayBuffer(44 + 2 * n);
  const v = new DataView(buf);
  const str = (o, s) => { for (let i = 0; i < s.length; i++) v.setUint8(o + i, s.charCodeAt(i)); };
  str(0, "RIFF"); v.setUint32(4, 36 + 2 * n, true); str(8, "WAVE"); str(12, "fmt ");
  v.setUint32(16, 16, true); v.setUint16(20, 1, true); v.setUint16(22, 1, true);
  v.setUint32(24, rate, true); v.setUint32(28, rate * 2, true); v.setUint16(32, 2, true);
  v.setUint16(34, 16, true); str(36, "data"); v.setUint32(40, 2 * n, true);
  let o = 44;
  for (const c of chunks) for (const x of c) { v.setInt16(o, Math.max(-1, Math.min(1, x)) * 32767, true); o += 2; }
  return new Blob([buf], { type: "audio/wav" });
}

// ------------------------------------------------------------------ batch tab
let batchRecords = [];
async function runBatch() {
  const files = [...$("#batch-files").files];
  if (!files.length) { setStatus("#batch-status", "Choose audio files first.", true); return; }
  batchRecords = [];
  const tbody = $("#batch-table tbody");
  tbody.replaceChildren();
  const bar = $("#batch-progress");
  bar.max = files.length; bar.value = 0;
  $("#batch-run").disabled = true; $("#batch-jsonl").disabled = true; $("#batch-zip").disabled = true;
  let failed = 0;
  for (const [i, file] of files.entries()) {
    setStatus("#batch-status", `Recognizing ${file.name} (${i + 1} of ${files.length})…`);
    const tr = el("tr", { "data-file": file.name });
    tr.append(el("td", {}, file.name));
    tbody.append(tr);
    try {
      const rec = await api("/api/recognize", { method: "POST", body: recognizeForm(file, file.name) });
      batchRecords.push(rec);
      tr.append(el("td", {}, fmt(rec.audio_seconds, 2)), el("td", {}, fmt(rec.rtf, 4)),
        el("td", {}, rec.replacements.length));
      const cell = el("td");
      fillText(cell, rec.fused_segments, rec.replacements);
      tr.append(cell);
    } catch (e) {
      failed += 1;
      batchRecords.push({ file: file.name, error: e.message });
      tr.classList.add("failed");
      tr.append(el("td", {}, "–"), el("td", {}, "–"), el("td", {}, "–"), el("td", { class: "error" }, e.message));
    }
    bar.value = i + 1;
    $("#batch-count").textContent = `${i + 1} / ${files.length}`;
  }
  setStatus("#batch-status", `Finished: ${files.length - failed} recognized, ${failed} failed.`, failed > 0);
  $("#batch-run").disabled = false; $("#batch-jsonl").disabled = false; $("#batch-zip").disabled = false;
  refreshInfo();
}

function clickDownload(blob, name) {
  const a = el("a", { href: URL.createObjectURL(blob), download: name });
  document.body.append(a); a.click(); a.remove();
}

function batchJsonl() {
  const text = batchRecords.map((r) => JSON.stringify(r)).join("\n") + "\n";
  clickDownload(new Blob([text], { type: "application/x-ndjson" }), "hotfuse-batch.jsonl");
}

async function batchZip() {
  try {
    const resp = await fetch("/api/bundle", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ records: batchRecords }),
    });
    if (!resp.ok) throw new Error((await resp.json()).error);
    clickDownload(await resp.blob(), "hotfuse-batch.zip");
  } catch (e) {
    setStatus("#batch-status", e.message, true);
  }
}

// ------------------------------------------------------------------ system tab
function renderSystem(info) {
  const rows = [
    ["Device", info.device || "– (no model loaded)"],
    ["Model directory", info.model_dir || "– (start with --model DIR)"],
    ["Model class", info.model_class],
    ["VAD model", info.vad_model],
    ["torch", info.torch], ["CUDA (torch build)", info.cuda],
    ["CUDA available", info.cuda_available === null ? null : String(info.cuda_available)],
    ["funasr", info.funasr], ["hotfuse", info.hotfuse],
  ];
  if (info.gpu) {
    rows.push(["GPU", info.gpu.name],
      ["GPU memory now", `${bytes(info.gpu.allocated_bytes)} allocated, ${bytes(info.gpu.reserved_bytes)} reserved, ${bytes(info.gpu.free_bytes)} free of ${bytes(info.gpu.total_bytes)}`]);
  }
  const last = info.last_call;
  rows.push(["Last call", last ? `${last.file} (${fmt(last.audio_seconds, 2)} s at ${last.at})` : "–"],
    ["RTF of the last call", last ? fmt(last.rtf, 4) : "–"],
    ["Peak GPU memory of the last call", last ? (last.peak_gpu_bytes === null ? "– (CPU)" : bytes(last.peak_gpu_bytes)) : "–"],
    ["Files recognized", info.jobs_done],
    ["Recognizer queue", `${info.queue.running} running, ${info.queue.waiting} waiting`],
    ["Lexicons", info.lexicons.length ? info.lexicons.map((l) => `${l.name}: ${l.size} hotwords`).join("; ") : "none (start with --lexicon FILE)"],
    ["Hotword settings left in the model", info.model_hotword_settings === null ? "–" : (Object.keys(info.model_hotword_settings).length ? JSON.stringify(info.model_hotword_settings) : "none")],
    ["Decision threshold", fmt(info.threshold, 2)],
    ["Upload limit", `${(info.max_upload_bytes / 1e6).toFixed(0)} MB`],
    ["Listening on", `${info.host}:${info.port}`]);
  const tbody = $("#sys-table tbody");
  tbody.replaceChildren();
  for (const [k, v] of rows) {
    const tr = el("tr", { "data-key": k });
    tr.append(el("td", {}, k), el("td", {}, v === null || v === undefined ? "–" : v));
    tbody.append(tr);
  }
  $("#sys-line").textContent = info.no_hotwords_line || "No recognizer loaded: this page fuses text only.";
  $("#sys-curl").textContent =
    `curl -s http://${info.host === "0.0.0.0" ? "127.0.0.1" : info.host}:${info.port}/api/fuse \\\n` +
    `  -H 'Content-Type: application/json' \\\n` +
    `  -d '{"text": "伊丽沙白这会儿真太高兴了", "hotwords": ["伊丽莎白", "达西"]}'`;
}

async function refreshInfo() {
  try {
    INFO = await api("/api/info");
    renderSystem(INFO);
  } catch (e) {
    $("#sys-line").textContent = `Could not read the server's figures: ${e.message}`;
  }
}

// ------------------------------------------------------------------ hotword files
function addLexiconBox(name, size, checked) {
  const label = el("label");
  const box = el("input", { type: "checkbox", value: name });
  box.checked = checked;
  label.append(box, document.createTextNode(` ${name} (${size})`));
  $("#lexicons").append(label);
}

async function uploadLexicon() {
  const input = $("#lex-file");
  if (!input.files.length) return;
  const file = input.files[0];
  const form = new FormData();
  form.append("lexicon", file, file.name);
  form.append("format", $("#lex-format").value);
  setStatus("#lex-status", `Reading ${file.name}…`);
  try {
    const lex = await api("/api/lexicon", { method: "POST", body: form });
    addLexiconBox(lex.name, lex.size, true);
    setStatus("#lex-status", `Added ${lex.name}: ${lex.size} hotwords (read as ${lex.format}).`);
  } catch (e) {
    setStatus("#lex-status", e.message, true);
  } finally {
    input.value = "";
  }
}

// ------------------------------------------------------------------ start
async function start() {
  for (const b of document.querySelectorAll(".tabs button")) b.addEventListener("click", () => showTab(b.dataset.tab));
  $("#text-run").addEventListener("click", runText);
  $("#rec-run").addEventListener("click", runRecognize);
  $("#rec-record").addEventListener("click", toggleRecord);
  $("#rec-file").addEventListener("change", () => { recorded = null; $("#rec-audio").hidden = true; });
  $("#batch-run").addEventListener("click", runBatch);
  $("#batch-jsonl").addEventListener("click", batchJsonl);
  $("#batch-zip").addEventListener("click", batchZip);
  $("#sys-refresh").addEventListener("click", refreshInfo);
  $("#lex-file").addEventListener("change", uploadLexicon);
  await refreshInfo();
  const info = INFO || { local_only: true, host: "?", port: "?", lexicons: [], has_model: false };
  const binding = $("#binding");
  if (info.local_only) {
    binding.textContent = `Local only: listening on ${info.host}:${info.port}, this machine alone can open the page (start with --host 0.0.0.0 to share it).`;
  } else {
    binding.textContent = `Listening on ${info.host}:${info.port}: anyone who can reach this machine on the network can use this page (started with --host ${info.host}).`;
    binding.classList.add("exposed");
  }
  for (const l of info.lexicons) addLexiconBox(l.name, l.size, false);
  if (!info.has_model) {
    for (const n of document.querySelectorAll(".nomodel")) n.hidden = false;
    for (const id of ["#rec-file", "#rec-record", "#rec-run", "#batch-files", "#batch-run"]) $(id).disabled = true;
  }
  showTab(info.has_model ? "recognize" : "text");
}

document.addEventListener("DOMContentLoaded", start);
