"use strict";
// incidentkit review page: show a value's passage, keep the coder's choices, download the record as YAML.
// Offsets are never counted here: the highlights are in the page and each span's quote is in the data,
// both cut in Python (a JavaScript string counts UTF-16 units, the draft's offsets are code points).
(function () {
  const data = JSON.parse(document.getElementById("draft-data").textContent);
  const article = document.getElementById("article");
  const pieces = Array.from(article.querySelectorAll(".hl, .anchor"));
  const message = document.getElementById("message");
  const ID_RE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
  const NUMERIC = new Set(["time_precision", "inter1", "inter2"]);
  const SOURCE = ["id", "outlet", "title", "url", "published", "language", "article"]
    .filter((k) => document.getElementById("source-" + k));
  const REQUIRED = ["date_start", "time_precision", "event_type", "sub_event_type", "actor1", "inter1",
                    "country", "location", "fatalities"];

  function piecesOf(ref) {
    return pieces.filter((el) => (el.dataset.refs || "").split(" ").indexOf(ref) >= 0);
  }

  // show a value's passages: outlined, in the colour of the value's field (a stretch several fields
  // rest on shows one colour at rest; the one clicked takes over while it is shown)
  function show(ref) {
    pieces.forEach((el) => { el.classList.remove("active"); el.style.removeProperty("--hl"); });
    const found = piecesOf(ref);
    const colour = data.colours[ref.split(".")[1]];
    found.forEach((el) => {
      el.classList.add("active");
      if (colour) el.style.setProperty("--hl", colour);
    });
    if (found.length) found[0].scrollIntoView({ block: "center", inline: "nearest" });
    return found.length;
  }

  function markChosen() {
    pieces.forEach((el) => el.classList.remove("chosen"));
    document.querySelectorAll(".cand").forEach((c) => c.classList.remove("current"));
    document.querySelectorAll('.cand input[type="radio"]:checked').forEach((radio) => {
      const label = radio.closest(".cand");
      if (label.dataset.ref) {
        label.classList.add("current");
        piecesOf(label.dataset.ref).forEach((el) => el.classList.add("chosen"));
      }
    });
  }

  document.querySelectorAll(".cand[data-ref]").forEach((label) => {
    label.addEventListener("click", () => show(label.dataset.ref));
  });
  document.getElementById("record").addEventListener("change", markChosen);
  document.getElementById("record").addEventListener("submit", (ev) => ev.preventDefault());
  // typing another value selects "other"
  function wireOther(root) {
    root.querySelectorAll(".cand.other").forEach((label) => {
      label.querySelectorAll("input:not([type=radio])").forEach((input) => {
        input.addEventListener("input", () => {
          label.querySelector('input[type="radio"]').checked = true;
          markChosen();
        });
      });
    });
  }
  wireOther(document);

  // an incident the draft missed: an empty form from the page's template, every value typed
  document.getElementById("add-incident").addEventListener("click", () => {
    const n = data.incidents.length;
    data.incidents.push({});
    const frag = document.getElementById("blank-incident").content.cloneNode(true);
    const fs = frag.querySelector("fieldset");
    fs.classList.add("added");
    fs.querySelectorAll("[data-incident]").forEach((el) => { el.dataset.incident = String(n); });
    fs.dataset.incident = String(n);
    fs.querySelectorAll('input[type="radio"]').forEach((r) => { r.name = r.name.replace(/^i[0-9]+-/, "i" + n + "-"); });
    fs.querySelector("legend").textContent = "Incident " + (n + 1) + " (added by you)";
    fs.querySelector(".notes-text").setAttribute("aria-label", "notes of incident " + (n + 1));
    wireOther(fs);
    document.getElementById("incidents").appendChild(frag);
    fs.scrollIntoView({ block: "start" });
  });

  // the article's file, by the project's convention, follows the source id until the coder edits it
  const articleEl = document.getElementById("source-article");
  if (articleEl) {
    articleEl.addEventListener("input", () => { articleEl.dataset.touched = "1"; });
    document.getElementById("source-id").addEventListener("input", (ev) => {
      if (articleEl.dataset.touched) return;
      const id = ev.target.value.trim();
      articleEl.value = id ? "../articles/" + id + ".txt" : "";
    });
  }

  // ---- YAML: every text a JSON string (a valid YAML double-quoted scalar) -------------------------
  function hex4(ch) {
    return "\\u" + ch.charCodeAt(0).toString(16).padStart(4, "0");
  }
  function str(s) {
    // JSON escapes quotes, backslashes and C0 controls; YAML also reads DEL, C1, the BOM and U+2028/9
    // specially, so those are escaped too; a lone surrogate (no character) becomes U+FFFD. Every other
    // character is written as itself, so Arabic, Swedish and French text reads as typed.
    let t = String(s);
    if (t.toWellFormed) t = t.toWellFormed();
    return JSON.stringify(t).replace(/[\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/g, hex4);
  }
  function scalar(v) {
    return typeof v === "number" ? String(v) : str(v);
  }
  function fatalities(v) {
    return "{low: " + v.low + ", best: " + v.best + ", high: " + v.high + "}";
  }

  function today() {
    const d = new Date();
    return d.getFullYear() + "-" + String(d.getMonth() + 1).padStart(2, "0") + "-" + String(d.getDate()).padStart(2, "0");
  }

  function slug(s) {
    return String(s).toLowerCase().replace(/\.[a-z0-9]+$/, "").replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
  }

  function whole(input) {
    const t = input.value.trim();
    return /^[0-9]+$/.test(t) ? parseInt(t, 10) : null;
  }

  // the value the coder chose for one field: {value, quotes} or null (left empty)
  function choice(fieldEl, i, name) {
    const radio = fieldEl.querySelector('input[type="radio"]:checked');
    if (!radio || radio.value === "") return null;
    if (radio.value === "other") {
      if (name === "fatalities") {
        const [low, best, high] = ["low", "best", "high"].map((p) => whole(fieldEl.querySelector(".other-" + p)));
        if (best === null) return null;
        return { value: { low: low === null ? best : low, best: best, high: high === null ? best : high }, quotes: [] };
      }
      const t = fieldEl.querySelector(".other-text").value.trim();
      if (!t) return null;
      return { value: NUMERIC.has(name) && /^[0-9]+$/.test(t) ? parseInt(t, 10) : t, quotes: [] };
    }
    const cand = data.incidents[i][name][parseInt(radio.value, 10)];
    return { value: cand.value, quotes: cand.quotes };
  }

  function build() {
    const todo = [];
    const sourceTodo = [];
    const src = {};
    SOURCE.forEach((k) => {
      const el = document.getElementById("source-" + k);
      src[k] = el.value.trim();
      const required = k !== "url" && k !== "article";
      el.closest("label").classList.toggle("missing", required && !src[k]);
      if (required && !src[k]) sourceTodo.push(k);
    });
    const coder = document.getElementById("coder").value.trim();
    const base = src.id || slug(data.article) || "incident";
    const lines = ["source:"];
    SOURCE.forEach((k) => {
      if (src[k]) lines.push("  " + k + ": " + str(src[k]));
    });
    if (src.article) lines.push("  article_sha256: " + str(data.article_sha256));
    lines.push("coder: " + str(coder), "coded_on: " + str(today()), "incidents:");
    let n = 0;
    document.querySelectorAll("fieldset.incident").forEach((fs) => {
      const i = parseInt(fs.dataset.incident, 10);
      const values = [];
      const evidence = [];
      const missing = [];
      fs.querySelectorAll(".field[data-field]").forEach((fieldEl) => {
        const name = fieldEl.dataset.field;
        const c = choice(fieldEl, i, name);
        if (c === null) {
          if (REQUIRED.indexOf(name) >= 0) missing.push(name);
          return;
        }
        values.push("    " + name + ": " + (name === "fatalities" ? fatalities(c.value) : scalar(c.value)));
        c.quotes.forEach((q) => evidence.push("      - field: " + str(name) + "\n        quote: " + str(q)));
      });
      const notes = fs.querySelector(".notes-text").value.trim();
      if (!values.length && !notes) return; // nothing accepted: the incident is not in the record
      n += 1;
      lines.push("  - id: " + str(base + "-" + String(n).padStart(2, "0")));
      lines.push(...values);
      if (notes) lines.push("    notes: " + str(notes));
      else missing.push("notes");
      if (evidence.length) lines.push("    evidence:", ...evidence);
      if (missing.length) todo.push("incident " + (i + 1) + ": " + missing.join(", "));
    });
    if (sourceTodo.length) todo.unshift("source: " + sourceTodo.join(", "));
    if (!n) {
      lines[lines.length - 1] = "incidents: []";
      todo.push("an incident (accept or type its values)");
    }
    return { yaml: lines.join("\n") + "\n", name: (slug(base) || "record") + ".yaml", todo: todo };
  }

  function say(text, kind) {
    message.textContent = text;
    message.className = kind;
  }

  document.getElementById("download").addEventListener("click", () => {
    const coderEl = document.getElementById("coder");
    const coder = coderEl.value.trim();
    coderEl.closest("label").classList.toggle("missing", !ID_RE.test(coder));
    if (!coder) {
      say("Not downloaded: give your coder id first (the record names who coded it).", "error");
      coderEl.focus();
      return;
    }
    if (!ID_RE.test(coder)) {
      say("Not downloaded: a coder id is lowercase letters, digits and '-' (for example ik).", "error");
      coderEl.focus();
      return;
    }
    const rec = build();
    document.getElementById("preview").textContent = rec.yaml;
    const a = document.createElement("a");
    a.href = URL.createObjectURL(new Blob([rec.yaml], { type: "text/yaml;charset=utf-8" }));
    a.download = rec.name;
    document.body.appendChild(a);
    a.click();
    setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
    if (rec.todo.length) say("Downloaded " + rec.name + ". Still to fill before it validates: " + rec.todo.join("; ") + ".", "warn");
    else say("Downloaded " + rec.name + ".", "ok");
  });

  window.incidentkitReview = { show: show, build: build };
})();
