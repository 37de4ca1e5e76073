/* The org tree's few behaviours beyond htmx attributes (the CSP allows no inline script).
   Everything here is an enhancement: without it every action is still a plain form. */
(function () {
  "use strict";

  // A refused form comes back as 400 with its errors: show it in place of the form.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var detail = event.detail;
    if (detail.xhr.status === 400 && detail.elt.closest("[data-org]")) {
      detail.shouldSwap = true;
      detail.isError = false;
    }
  });

  // Esc leaves an inline form through its cancel control (which may restore what it replaced).
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || !event.target.closest) return;
    var form = event.target.closest("[data-org-inline]");
    var cancel = form && form.querySelector("[data-org-cancel]");
    if (cancel) {
      event.preventDefault();
      cancel.click();
    }
  });

  // Close and cancel links drop an open panel or form without a round trip.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-org-dismiss]");
    var box = link && link.closest("[data-org-dismissable]");
    if (box) {
      event.preventDefault();
      box.remove();
    }
  });
})();
