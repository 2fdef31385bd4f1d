// The printable report's own script (the report's policy runs no inline
// script): it shows the print button and prints on a click, and gives the
// printed pages their running header — the inquiry or subject the page
// carries in data-running-head — through the --running-head property the
// report's @page rules read.
"use strict";

(() => {
  const root = document.documentElement;
  const head = root.dataset.runningHead;
  if (head) root.style.setProperty("--running-head", JSON.stringify(head));
  const button = document.getElementById("print-report");
  if (!button) return;
  button.hidden = false;
  button.addEventListener("click", () => window.print());
})();
