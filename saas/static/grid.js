/* The rating grid: each cell saved when the rater leaves it, the row's total added up as they
   type, arrow keys and Enter moving between cells like a spreadsheet (the CSP allows no inline
   script). Without it the grid is a form: "Save all" posts every cell and the server adds up.

   A row's total follows the server's rule: an item's points from its mode (a number within
   0..max, a level's or yes/no's points, max minus a deduction per time down to the floor),
   each section's items added up and capped at the section's maximum, the sections added up. */
(function () {
  "use strict";

  var form = document.querySelector("[data-rating-grid]");
  if (!form) return;
  var url = form.getAttribute("data-cell-url");
  var token = form.querySelector("input[name=csrf_token]").value;
  var rows = Array.prototype.slice.call(form.querySelectorAll("tr[data-row]"));

  function cellsOf(row) {
    return Array.prototype.slice.call(row.querySelectorAll("[data-cell]"));
  }

  function num(text) {
    text = String(text).trim();
    return /^\d+(\.\d+)?$/.test(text) ? parseFloat(text) : NaN;
  }

  function points(cell) {
    var max = parseFloat(cell.getAttribute("data-max")) || 0;
    var mode = cell.getAttribute("data-mode");
    if (cell.tagName === "SELECT") {
      var option = cell.options[cell.selectedIndex];
      if (!option || option.value === "") return null;
      return Math.min(Math.max(parseFloat(option.getAttribute("data-points")) || 0, 0), max);
    }
    var value = num(cell.value);
    if (isNaN(value)) return null;
    if (mode === "deduction") {
      if (value !== Math.floor(value)) return null;
      var per = parseFloat(cell.getAttribute("data-per")) || 0;
      var floor = parseFloat(cell.getAttribute("data-floor")) || 0;
      return Math.max(max - per * value, floor);
    }
    return value > max ? null : value;
  }

  function shown(total) {
    // Two decimals at most, without trailing zeros, as the server writes it.
    return String(Math.round(total * 100) / 100);
  }

  function recount(row) {
    var subtotals = {}, maxima = {};
    cellsOf(row).forEach(function (cell) {
      var found = points(cell);
      if (found === null) return;
      var section = cell.getAttribute("data-section");
      maxima[section] = parseFloat(cell.getAttribute("data-section-max")) || 0;
      subtotals[section] = (subtotals[section] || 0) + found;
    });
    var total = 0;
    Object.keys(subtotals).forEach(function (section) {
      total += Math.min(subtotals[section], maxima[section]);
    });
    setAll(row, "[data-total]", shown(total));
  }

  function setAll(row, selector, text) {
    Array.prototype.forEach.call(row.querySelectorAll(selector), function (node) {
      node.textContent = text;
    });
  }

  function showError(cell, message) {
    var td = cell.closest("td");
    var slot = td.querySelector("[data-error]");
    td.classList.toggle("bad", !!message);
    slot.textContent = message || "";
    if (message) {
      cell.setAttribute("aria-invalid", "true");
      cell.setAttribute("aria-describedby", slot.id);
    } else {
      cell.removeAttribute("aria-invalid");
    }
  }

  function save(cell) {
    if (cell.value === cell.getAttribute("data-saved") && !cell.closest("td").classList.contains("bad")) return;
    var td = cell.closest("td");
    var row = cell.closest("tr");
    var value = cell.value;
    td.classList.add("saving");
    var body = new URLSearchParams();
    body.set("sheet", row.getAttribute("data-sheet"));
    body.set("key", cell.getAttribute("data-key"));
    body.set("value", value);
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": token, "Accept": "application/json" },
      body: body
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (answer) {
      td.classList.remove("saving");
      if (!answer.ok) {
        showError(cell, answer.data.error || form.getAttribute("data-msg-offline"));
        return;
      }
      var data = answer.data;
      // The value as stored ("08" is kept as "8"), unless the rater typed on meanwhile.
      if (cell.value === value && cell.tagName !== "SELECT") cell.value = data.value;
      cell.setAttribute("data-saved", data.value);
      showError(cell, "");
      td.classList.add("saved");
      setTimeout(function () { td.classList.remove("saved"); }, 900);
      setAll(row, "[data-total]", data.total);
      setAll(row, "[data-status]", data.status_label);
      row.className = "status-" + data.status;
      var missing = form.getAttribute("data-msg-missing").replace("{n}", data.missing);
      setAll(row, "[data-missing]", data.missing ? missing : "");
    }).catch(function () {
      td.classList.remove("saving");
      showError(cell, form.getAttribute("data-msg-offline"));
    });
  }

  function move(cell, rowStep, colStep) {
    var row = cell.closest("tr");
    var r = rows.indexOf(row);
    var c = cellsOf(row).indexOf(cell);
    for (;;) {
      r += rowStep;
      c += colStep;
      if (r < 0 || r >= rows.length) return false;
      var cells = cellsOf(rows[r]);
      if (c < 0 || c >= cells.length) return false;
      var next = cells[c];
      if (!next.disabled) {
        next.focus();
        if (next.select) next.select();
        next.scrollIntoView({ block: "nearest", inline: "nearest" });
        return true;
      }
      if (colStep) return false;  // a submitted row: sideways there is nothing to reach
    }
  }

  form.addEventListener("keydown", function (event) {
    var cell = event.target;
    if (!cell.matches || !cell.matches("[data-cell]") || event.altKey || event.ctrlKey || event.metaKey) return;
    var text = cell.tagName === "INPUT";
    var atStart = !text || (cell.selectionStart === 0 && cell.selectionEnd === 0);
    var atEnd = !text || (cell.selectionStart === cell.value.length && cell.selectionEnd === cell.value.length);
    var moved = false;
    switch (event.key) {
      case "Enter": moved = move(cell, event.shiftKey ? -1 : 1, 0) || true; break;
      case "ArrowDown": moved = move(cell, 1, 0); break;
      case "ArrowUp": moved = move(cell, -1, 0); break;
      case "ArrowRight": moved = atEnd && move(cell, 0, 1); break;
      case "ArrowLeft": moved = atStart && move(cell, 0, -1); break;
    }
    if (moved) event.preventDefault();
  });

  form.addEventListener("input", function (event) {
    if (event.target.matches("[data-cell]")) recount(event.target.closest("tr"));
  });
  form.addEventListener("change", function (event) {
    if (event.target.matches("[data-cell]")) save(event.target);
  });
  form.addEventListener("focusin", function (event) {
    if (event.target.matches("input[data-cell]")) event.target.select();
  });
})();
