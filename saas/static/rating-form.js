/* The rating form's enhancements (the CSP allows no inline script). Without this file the
   form still works: the stepper's buttons post the form, every field is saved by "Save draft".

   - a deduction's − and + change the count in place, and the change saves it (HTMX);
   - a refusal (403: the sheet was submitted or the cycle closed meanwhile) is shown beside
     the field like any other answer, not dropped;
   - a field whose value was refused is marked, and unmarked once saved;
   - a field that could not be sent (no connection) says so. */
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".stepper [data-step]");
    if (!button) return;
    event.preventDefault();
    var input = button.parentNode.querySelector("input");
    var count = parseInt(input.value, 10);
    if (isNaN(count)) count = 0;
    count = Math.min(Math.max(count + parseInt(button.getAttribute("data-step"), 10), 0), 1000);
    input.value = String(count);
    input.dispatchEvent(new Event("change", { bubbles: true }));
  });

  function isSlot(element) {
    return element && element.classList && element.classList.contains("item-msg");
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    if (isSlot(event.detail.target) && event.detail.xhr.status === 403) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var slot = event.detail.target;
    if (!isSlot(slot)) return;
    var item = slot.closest(".rating-item");
    var wrong = slot.querySelector(".field-error, [role=alert]") !== null;
    item.classList.toggle("has-error", wrong);
    item.classList.remove("is-missing");
    item.querySelectorAll("input[type=text]").forEach(function (input) {
      if (wrong) input.setAttribute("aria-invalid", "true");
      else input.removeAttribute("aria-invalid");
    });
  });

  document.addEventListener("htmx:sendError", function (event) {
    var item = event.detail.elt.closest && event.detail.elt.closest(".rating-item");
    var form = item && item.closest("form");
    if (!item || !form) return;
    var slot = item.querySelector(".item-msg");
    var note = document.createElement("span");
    note.className = "field-error";
    note.textContent = form.getAttribute("data-offline");
    slot.replaceChildren(note);
  });
})();
