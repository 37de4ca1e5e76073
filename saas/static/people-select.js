/* Choosing people on the people list for "Create accounts" (the CSP allows no inline script).
   An enhancement only: without it each box is ticked by hand and the form still posts.
   Delegated from the document, because htmx swaps the results (and the form) as one types. */
(function () {
  "use strict";

  function boxes(form) {
    return Array.prototype.slice.call(
      document.querySelectorAll('input[name=employee][form="' + form.id + '"]:not([disabled])')
    );
  }

  function refresh(form) {
    var everyone = form.querySelector("[data-select-unit]");
    var all = everyone && everyone.checked;
    var picked = boxes(form).filter(function (box) { return box.checked; }).length;
    boxes(form).forEach(function (box) { box.closest("tr").classList.toggle("picked", all || box.checked); });
    var count = form.querySelector("[data-select-count]");
    if (count) count.textContent = all ? "" : picked ? "(" + picked + ")" : "";
    var page = form.querySelector("[data-select-page]");
    if (page) {
      page.checked = all || (picked > 0 && picked === boxes(form).length);
      page.disabled = all;
    }
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    var form = target.closest && target.closest("[data-people-select]");
    if (!form && target.name === "employee" && target.form) form = target.form;
    if (!form || !form.matches("[data-people-select]")) return;
    if (target.matches("[data-select-page]")) {
      boxes(form).forEach(function (box) { box.checked = target.checked; });
    }
    refresh(form);
  });

  document.addEventListener("htmx:afterSwap", function () {
    var form = document.querySelector("[data-people-select]");
    if (form) refresh(form);
  });
})();
