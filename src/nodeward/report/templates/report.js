"use strict";
// Renders the report from the JSON data block. Every value from the scanned code goes into the page
// through textContent or attribute setters, never through innerHTML, so nothing in it can run.
(function () {
  const data = JSON.parse(document.getElementById("nodeward-data").textContent);
  const SEVERITIES = ["critical", "high", "medium", "low", "info"];

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else node.setAttribute(key, value);
    }
    for (const child of children) {
      if (child === null || child === undefined) continue;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return node;
  }

  function pill(text, cls) { return el("span", { class: "pill " + cls, text: text }); }

  // ---- summary ------------------------------------------------------------------------------
  const s = data.summary;
  document.getElementById("meta").textContent =
    `nodeward ${data.tool.version} · ${data.root} · ${s.files_scanned} files, ${s.lines_scanned} lines`;
  const summary = document.getElementById("summary");
  const total = el("div", { class: "card" }, el("h2", { text: "Findings" }), el("div", { class: "big", id: "total", text: String(s.findings) }));
  const extra = [];
  if (s.suppressed) extra.push(`${s.suppressed} suppressed`);
  if (s.baselined) extra.push(`${s.baselined} in baseline`);
  if (s.hidden_in_test_code) extra.push(`${s.hidden_in_test_code} in test code hidden (--min-confidence low shows them)`);
  if (extra.length) total.appendChild(el("div", { class: "meta-line", text: extra.join(" · ") }));
  summary.appendChild(total);
  const bySeverity = el("div", { class: "counts" });
  for (const sev of SEVERITIES) bySeverity.appendChild(pill(`${s.by_severity[sev] || 0} ${sev}`, "sev-" + sev));
  summary.appendChild(el("div", { class: "card", id: "by-severity" }, el("h2", { text: "By severity" }), bySeverity));
  const byScanner = el("div", { class: "counts" });
  for (const [name, count] of Object.entries(s.by_scanner)) byScanner.appendChild(pill(`${count} ${name}`, "plain"));
  if (!Object.keys(s.by_scanner).length) byScanner.appendChild(el("span", { class: "meta-line", text: "none" }));
  summary.appendChild(el("div", { class: "card", id: "by-scanner" }, el("h2", { text: "By scanner" }), byScanner));

  // ---- practices scorecard (when the scan made one) ----------------------------------------------
  function renderValue(value) {
    if (value === null || value === undefined) return document.createTextNode("");
    if (Array.isArray(value)) {
      if (value.length && value.every((v) => v && typeof v === "object" && !Array.isArray(v))) return renderTable(value);
      const list = el("ul");
      for (const item of value) list.appendChild(el("li", {}, renderValue(item)));
      return list;
    }
    if (typeof value === "object") {
      const table = el("table", { class: "kv" });
      for (const [key, item] of Object.entries(value)) table.appendChild(el("tr", {}, el("th", { text: key }), el("td", {}, renderValue(item))));
      return table;
    }
    return document.createTextNode(String(value));
  }
  function renderTable(rows) {
    const columns = [];
    for (const row of rows) for (const key of Object.keys(row)) if (!columns.includes(key)) columns.push(key);
    const table = el("table", { class: "kv" });
    table.appendChild(el("tr", {}, ...columns.map((c) => el("th", { text: c }))));
    for (const row of rows) table.appendChild(el("tr", {}, ...columns.map((c) => el("td", {}, renderValue(row[c])))));
    return table;
  }
  // One card per application: practice, status, reason, evidence. Any other shape is shown as a table.
  function renderScorecard(apps) {
    const box = el("div");
    for (const app of apps) {
      box.appendChild(el("h3", { class: "app", text: `${app.name || "application"}` },
        el("span", { class: "meta-line", text: `  ${app.framework || ""} · ${app.path}:${app.line}` })));
      const table = el("table", { class: "kv" });
      table.appendChild(el("tr", {}, ...["practice", "status", "why", "evidence"].map((c) => el("th", { text: c }))));
      for (const p of app.practices) {
        const evidence = el("ul", { class: "evidence" });
        for (const e of (p.evidence || []).slice(0, 5)) evidence.appendChild(el("li", {}, el("span", { class: "where", text: `${e.path}:${e.line}` }), " " + e.text));
        if ((p.evidence || []).length > 5) evidence.appendChild(el("li", { class: "meta-line", text: `${p.evidence.length - 5} more` }));
        table.appendChild(el("tr", {}, el("td", { text: p.practice }), el("td", {}, pill(p.status, "st-" + p.status)),
          el("td", { text: p.reason || "" }), el("td", {}, evidence)));
      }
      box.appendChild(table);
    }
    return box;
  }
  const scorecard = data.scorecard;
  if (scorecard !== null && scorecard !== undefined && !(Array.isArray(scorecard) && !scorecard.length)) {
    const known = Array.isArray(scorecard) && scorecard.every((a) => a && Array.isArray(a.practices));
    document.getElementById("scorecard-body").appendChild(known ? renderScorecard(scorecard) : renderValue(scorecard));
    if (known) {
      const tally = {};
      for (const app of scorecard) for (const p of app.practices) tally[p.status] = (tally[p.status] || 0) + 1;
      const counts = document.getElementById("scorecard-counts");
      for (const status of ["missing", "partly", "in-place", "not-applicable", "not-checked"]) {
        if (tally[status]) counts.appendChild(pill(`${tally[status]} ${status}`, "st-" + status));
      }
      counts.appendChild(el("span", { class: "meta-line", text: `${scorecard.length} app${scorecard.length === 1 ? "" : "s"}` }));
    }
    document.getElementById("scorecard").hidden = false;
  }

  // ---- dependency upgrades ----------------------------------------------------------------------
  const upgrades = data.findings.filter((f) => f.scanner === "deps" && f.rule_id === "NW601" && !f.suppression);
  if (upgrades.length) {
    const table = document.getElementById("upgrades-body");
    table.appendChild(el("tr", {}, el("th", { text: "lockfile" }), el("th", { text: "severity" }), el("th", { text: "upgrade" })));
    for (const f of upgrades) {
      table.appendChild(el("tr", {}, el("td", { class: "where", text: `${f.path}:${f.start_line}` }),
        el("td", {}, pill(f.severity, "sev-" + f.severity)), el("td", { text: f.fix })));
    }
    document.getElementById("upgrades").hidden = false;
  }

  // ---- rule documentation (rendered on demand from the rule's markdown) ---------------------------
  function inline(text, parent) {
    const parts = text.split(/(`[^`]+`)/);
    for (const part of parts) {
      if (part.startsWith("`") && part.endsWith("`") && part.length > 1) parent.appendChild(el("code", { text: part.slice(1, -1) }));
      else if (part) parent.appendChild(document.createTextNode(part));
    }
    return parent;
  }
  function markdown(source) {
    const root = el("div", { class: "doc" });
    const lines = source.split("\n");
    let paragraph = [];
    let list = null;
    const flush = () => {
      if (paragraph.length) root.appendChild(inline(paragraph.join(" "), el("p")));
      paragraph = [];
    };
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i];
      if (line.startsWith("```")) {
        flush(); list = null;
        const code = [];
        for (i++; i < lines.length && !lines[i].startsWith("```"); i++) code.push(lines[i]);
        root.appendChild(el("pre", {}, el("code", { text: code.join("\n") })));
      } else if (/^#{1,6}\s/.test(line)) {
        flush(); list = null;
        root.appendChild(el("h3", { text: line.replace(/^#+\s*/, "") }));
      } else if (/^\s*[-*]\s/.test(line)) {
        flush();
        if (!list) { list = el("ul"); root.appendChild(list); }
        list.appendChild(inline(line.replace(/^\s*[-*]\s/, ""), el("li")));
      } else if (!line.trim()) {
        flush(); list = null;
      } else if (list && /^\s+/.test(line)) {
        inline(" " + line.trim(), list.lastChild);
      } else {
        list = null;
        paragraph.push(line.trim());
      }
    }
    flush();
    return root;
  }
  function ruleDocs(ruleId) {
    const rule = data.rules[ruleId];
    const details = el("details", { class: "docs" }, el("summary", { text: `Rule documentation: ${ruleId} ${rule ? rule.name : ""}` }));
    details.addEventListener("toggle", () => {
      if (!details.open || details.dataset.loaded) return;
      details.dataset.loaded = "1";
      if (!rule) return;
      const body = markdown(rule.markdown);
      const meta = el("p", { class: "meta-line", text: [rule.cwe.join(", "), rule.owasp].filter(Boolean).join(" · ") });
      body.insertBefore(meta, body.firstChild);
      const link = el("a", { href: rule.url, rel: "noopener noreferrer", text: "full page" });
      body.appendChild(el("p", {}, link));
      details.appendChild(body);
    });
    return details;
  }

  // ---- findings ---------------------------------------------------------------------------------
  function frame(f) {
    const pre = el("pre", { class: "frame" });
    const context = f.context || { start_line: f.start_line, lines: [f.snippet] };
    context.lines.forEach((text, index) => {
      const number = context.start_line + index;
      const flagged = number >= f.start_line && number <= f.end_line;
      const line = el("span", { class: "ln" + (flagged ? " hl" : "") }, el("span", { class: "no", text: String(number) }));
      if (number === f.start_line && f.start_line === f.end_line && f.end_column > f.start_column) {
        const a = Math.max(0, f.start_column - 1);
        const b = Math.min(text.length, f.end_column - 1);
        line.appendChild(document.createTextNode(text.slice(0, a)));
        line.appendChild(el("mark", { text: text.slice(a, b) }));
        line.appendChild(document.createTextNode(text.slice(b)));
      } else {
        line.appendChild(document.createTextNode(text));
      }
      pre.appendChild(line);
    });
    return pre;
  }
  function trace(f) {
    const list = el("ol", { class: "trace" });
    for (const step of f.trace) {
      list.appendChild(inline(step.description, el("li", {}, el("span", { class: "where", text: `${step.path}:${step.line}:${step.column}` }))));
    }
    return el("div", {}, el("div", { class: "meta-line", text: "Data flow, source to sink:" }), list);
  }
  const container = document.getElementById("findings");
  const cards = data.findings.map((f) => {
    const head = el("div", { class: "head" },
      pill(f.severity, "sev-" + f.severity),
      el("span", { class: "rule", text: `${f.rule_id} ${f.rule_name}` }),
      el("span", { class: "where", text: `${f.path}:${f.start_line}:${f.start_column}` }),
      el("span", { class: "pill plain", text: f.scanner }),
      el("span", { class: "meta-line", text: `confidence ${f.confidence}` + (f.cwe.length ? " · " + f.cwe.join(", ") : "") }));
    if (f.suppression) head.appendChild(el("span", { class: "pill plain", text: "suppressed" + (f.suppression.justification ? ": " + f.suppression.justification : "") }));
    const card = el("article", { class: `finding s-${f.severity}` + (f.suppression ? " suppressed" : "") }, head,
      inline(f.message, el("div", { class: "msg" })));
    if (f.snippet || f.context) card.appendChild(frame(f));
    if (f.trace.length) card.appendChild(trace(f));
    const fix = inline(f.fix, el("div", { class: "fix" }, el("b", { text: "Fix: " })));
    if (f.scanner === "deps" && /^Upgrade /.test(f.fix)) fix.classList.add("upgrade");
    card.appendChild(fix);
    card.appendChild(ruleDocs(f.rule_id));
    container.appendChild(card);
    return { finding: f, card: card };
  });

  // ---- filters ----------------------------------------------------------------------------------
  const severityBox = document.getElementById("f-severity");
  for (const sev of SEVERITIES) {
    const box = el("input", { type: "checkbox", value: sev, id: "f-sev-" + sev });
    box.checked = true;
    severityBox.appendChild(el("label", {}, box, " " + sev));
  }
  function fill(id, values) {
    const select = document.getElementById(id);
    for (const value of [...new Set(values)].sort()) select.appendChild(el("option", { value: value, text: value }));
  }
  fill("f-rule", data.findings.map((f) => f.rule_id));
  fill("f-scanner", data.findings.map((f) => f.scanner));
  fill("f-file", data.findings.map((f) => f.path));
  function apply() {
    const severities = new Set([...severityBox.querySelectorAll("input:checked")].map((b) => b.value));
    const rule = document.getElementById("f-rule").value;
    const scanner = document.getElementById("f-scanner").value;
    const file = document.getElementById("f-file").value;
    const text = document.getElementById("f-text").value.toLowerCase();
    let shown = 0;
    for (const { finding: f, card } of cards) {
      const visible = severities.has(f.severity) && (!rule || f.rule_id === rule) && (!scanner || f.scanner === scanner)
        && (!file || f.path === file) && (!text || (f.message + " " + f.path).toLowerCase().includes(text));
      card.hidden = !visible;
      if (visible) shown++;
    }
    document.getElementById("shown").textContent = `${shown} of ${cards.length} shown`;
    document.getElementById("empty").style.display = shown ? "none" : "block";
  }
  for (const id of ["f-severity", "f-rule", "f-scanner", "f-file"]) document.getElementById(id).addEventListener("change", apply);
  document.getElementById("f-text").addEventListener("input", apply);
  apply();

  // ---- notices ----------------------------------------------------------------------------------
  const notices = data.notices.filter((n) => n.kind !== "skipped" && n.kind !== "unused-suppression");
  if (notices.length) {
    const list = document.getElementById("notices-body");
    for (const n of notices) list.appendChild(el("li", {}, el("span", { class: "where", text: `${n.path}${n.line ? ":" + n.line : ""}` }), ` ${n.kind}: ${n.message}`));
    document.getElementById("notices").hidden = false;
  }
})();
