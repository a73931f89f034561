/* The Embed panel of the compare, timeline and round pages: its Copy button. The panel works without it. */
(function () {
  "use strict";
  // Shows controls that only work with a script, such as the Copy button of the Embed panel.
  document.documentElement.classList.add("js");

  // Delegated, so that it also serves panels htmx swaps in later.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button[data-copy]");
    if (!button) return;
    var field = document.getElementById(button.getAttribute("data-copy"));
    var status = document.getElementById(button.getAttribute("aria-describedby"));
    if (!field) return;
    function say(message) {
      if (status) status.textContent = message;
    }
    field.focus();
    field.select();
    var manual = "Selected: press Ctrl+C (or ⌘C) to copy.";
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(function () { say("Copied."); }, function () { say(manual); });
    } else {
      say(manual);
    }
  });
})();
