// counterpoint preview: follows /events and swaps each new rendering into this page in
// place (no navigation, scroll kept), with the errors, findings and the PDF's state.
// CONFIG (the state when the page was served), UI (preview.html) and CSS (preview.css)
// are set just before this code.
(() => {
  "use strict";
  let shown = CONFIG.version; // the version of the rendering in this document
  let latest = CONFIG.state;
  let swapping = false;
  let connected = true;

  const host = document.createElement("counterpoint-preview");
  const root = host.attachShadow({ mode: "open" });
  root.innerHTML = UI;
  root.querySelector("style").textContent = CSS;
  const $ = (selector) => root.querySelector(selector);
  const findings = $(".findings");
  $(".cp-toggle").addEventListener("click", () => {
    findings.hidden = !findings.hidden;
    $(".cp-toggle").setAttribute("aria-expanded", String(!findings.hidden));
  });

  // Swap in the rendering the server has now: its styles, title and body.
  async function swap(name) {
    const response = await fetch("/" + encodeURIComponent(name) + ".html", { cache: "no-store" });
    if (!response.ok) return false;
    const version = Number(response.headers.get("X-Preview-Version"));
    const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
    const x = window.scrollX;
    const y = window.scrollY;
    for (const old of document.head.querySelectorAll("style, title")) old.remove();
    for (const node of fresh.head.querySelectorAll("style, title")) {
      document.head.append(document.adoptNode(node));
    }
    for (const attribute of ["lang", "dir"]) {
      const value = fresh.documentElement.getAttribute(attribute);
      if (value === null) document.documentElement.removeAttribute(attribute);
      else document.documentElement.setAttribute(attribute, value);
    }
    document.body.replaceWith(document.adoptNode(fresh.body));
    window.scrollTo(x, y);
    shown = version;
    return true;
  }

  function show(state) {
    const build = state.errors.length > 0;
    const pdf = state.pdfErrors.length > 0 && state.pdf === "failed";
    $(".cp-errors").textContent = state.errors.join("\n");
    $(".cp-pdf-errors").textContent = state.pdfErrors.join("\n");
    $(".cp-build").hidden = !build;
    $(".cp-pdf").hidden = !pdf;
    $(".overlay").hidden = !(build || pdf);
    $(".cp-findings").textContent = state.findings.join("\n") || "None.";
    $(".cp-toggle").textContent = "findings: " + state.findings.length;
    const dot = $(".dot");
    dot.className = "dot" + (!connected ? " off" : build || pdf ? " bad" : "");
    $(".cp-status-text").textContent = !connected
      ? "preview stopped (reconnecting)"
      : build ? "errors" : "live";
    const link = $(".cp-pdf-link");
    link.hidden = state.pdf === "off";
    link.href = "/" + encodeURIComponent(state.name) + ".pdf";
    link.textContent = {
      waiting: "PDF (waiting)", building: "PDF (building…)", ready: "PDF",
      failed: "PDF (failed)",
    }[state.pdf] || "PDF";
    const word = $(".cp-docx-link");
    word.hidden = state.pdf !== "ready";
    word.href = "/" + encodeURIComponent(state.name) + ".docx";
    mark(state.marks || []);
    window.counterpointPreview = { shown, state };
  }

  // Altered quotations (CP401): the first words of each, marked in the page with the finding.
  function mark(marks) {
    for (const { text, note } of marks) {
      const words = text.split(/\s+/).slice(0, 6).join(" ");
      if (!words || [...document.querySelectorAll("mark.cp-altered")].some((m) => m.title === note)) continue;
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const at = node.data.replace(/\s/g, " ").indexOf(words);
        if (at < 0) continue;
        const range = document.createRange();
        range.setStart(node, at);
        range.setEnd(node, at + words.length);
        const box = document.createElement("mark");
        box.className = "cp-altered";
        box.title = note;
        range.surroundContents(box);
        break;
      }
    }
  }

  async function follow() {
    if (swapping) return;
    swapping = true;
    try {
      while (latest.page !== null && latest.page !== shown) {
        if (!(await swap(latest.name))) break;
      }
    } finally {
      swapping = false;
    }
    show(latest);
  }

  function start() {
    document.documentElement.append(host);
    show(latest);
    const events = new EventSource("/events");
    events.addEventListener("state", (event) => {
      connected = true;
      latest = JSON.parse(event.data);
      follow();
    });
    events.addEventListener("error", () => {
      connected = false;
      show(latest);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
