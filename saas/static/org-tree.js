/* The org tree's few behaviours beyond htmx attributes (the CSP allows no inline script).
   Everything here is an enhancement: without it every action is still a plain form. */
(function () {
  "use strict";

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

  // A refused form comes back in place (400): put the cursor on the first field to fix.
  document.addEventListener("htmx:afterSwap", function (event) {
    var swapped = event.target;
    if (!event.detail.xhr || event.detail.xhr.status !== 400 || !swapped.querySelector) return;
    var invalid = swapped.matches('[aria-invalid="true"]')
      ? swapped
      : swapped.querySelector('[aria-invalid="true"]');
    if (invalid) invalid.focus();
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
