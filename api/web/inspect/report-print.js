// The printable report's own script (the report's policy runs no inline
// script): it shows the print button and prints on a click, and gives the
// printed pages their running header — the inquiry or subject the page
// carries in data-running-head — through the --running-head property the
// report's @page rules read.
//
// Opened from /inspect/, the report is a blob document: its link to the
// other language (?lang=…) has no address to resolve against, and the
// token that fetched the report stays with /inspect/. There the link asks
// the page that opened the report (postMessage, to its own origin only) to
// fetch it again in the other language into this window.
"use strict";

(() => {
  const root = document.documentElement;
  const head = root.dataset.runningHead;
  if (head) root.style.setProperty("--running-head", JSON.stringify(head));
  const button = document.getElementById("print-report");
  if (button) {
    button.hidden = false;
    button.addEventListener("click", () => window.print());
  }
  const other = document.getElementById("switch-lang");
  if (!other || location.protocol !== "blob:") return;
  const opener = () => (window.opener && !window.opener.closed ? window.opener : null);
  if (!opener()) {
    other.hidden = true;
    return;
  }
  other.addEventListener("click", (e) => {
    e.preventDefault();
    const page = opener();
    if (page) page.postMessage({ report_language: other.dataset.lang }, location.origin);
  });
})();
