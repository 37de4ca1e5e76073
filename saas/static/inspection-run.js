/* The inspection run's enhancements (the CSP allows no inline script). Without this file
   the form still works: the stepper's buttons post the form, "Save" saves every item, and a
   photo is sent with its "Upload" button.

   - marks the page as scripted, so the no-script buttons hide;
   - a deduction's − and + change the count in place, and the change saves it (HTMX);
   - a refusal (403: finished or cancelled meanwhile) is shown beside the item, not dropped;
   - an item whose value was refused is marked, and unmarked once saved;
   - an item or photo that could not be sent (no connection) says so. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".insp-item .stepper [data-step]");
    if (!button) return;
    event.preventDefault();
    var input = button.parentNode.querySelector("input");
    var count = parseInt(input.value, 10);
    if (isNaN(count)) count = 0;
    count = Math.min(Math.max(count + parseInt(button.getAttribute("data-step"), 10), 0), 1000);
    input.value = String(count);
    input.dispatchEvent(new Event("change", { bubbles: true }));
  });

  function item(element) {
    return element && element.closest ? element.closest(".insp-item") : null;
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (item(target) && event.detail.xhr.status === 403) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var slot = event.detail.target;
    if (!slot.classList || !slot.classList.contains("item-msg")) return;
    var found = item(slot);
    if (!found) return;
    var wrong = slot.querySelector(".field-error, [role=alert]") !== null;
    found.classList.toggle("has-error", wrong);
    found.querySelectorAll("input[type=text]").forEach(function (input) {
      if (wrong) input.setAttribute("aria-invalid", "true");
      else input.removeAttribute("aria-invalid");
    });
  });

  document.addEventListener("htmx:sendError", function (event) {
    var found = item(event.detail.elt);
    var form = found && found.closest("form");
    if (!found || !form) return;
    var note = document.createElement("span");
    note.className = "field-error";
    note.textContent = form.getAttribute("data-offline");
    var slot = found.querySelector(".item-msg");
    slot.replaceChildren(note);
  });
})();
