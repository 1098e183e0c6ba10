/* The analytics dashboard's one behaviour: picking a date means a custom period.
   A static file, not an inline handler, so the Content-Security-Policy can forbid inline script. */
(function () {
  "use strict";
  // Capture phase: the form's htmx "change" trigger must already see period=custom.
  document.addEventListener("change", (event) => {
    const input = event.target;
    if (!input || !input.matches || !input.matches("input[data-custom-period]") || !input.form) return;
    const period = input.form.elements.namedItem("period");
    if (period) period.value = "custom";
  }, true);
})();
