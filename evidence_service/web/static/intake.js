/* The intake form: add and remove item rows on the page (the server reads every row). */
(function () {
  "use strict";
  var EV = window.EV;
  var rows = document.getElementById("rows");
  var template = document.getElementById("row-template");
  var add = document.getElementById("add-row");
  if (!rows || !template || !add) { return; }

  function renumber() {
    rows.querySelectorAll("[data-row]").forEach(function (row, index) {
      row.querySelector("[data-row-number]").textContent = String(index + 1);
    });
  }

  rows.addEventListener("click", function (event) {
    var button = event.target.closest("[data-remove-row]");
    if (!button) { return; }
    var all = rows.querySelectorAll("[data-row]");
    if (all.length <= 1) { window.alert(EV.t("rows_left")); return; }
    button.closest("[data-row]").remove();
    renumber();
    add.focus();
  });

  add.addEventListener("click", function () {
    var fresh = template.content.firstElementChild.cloneNode(true);
    var previous = rows.querySelector("[data-row]:last-of-type");
    if (previous) {
      // A new row starts like the one before (category, unit, weight unit): intakes are
      // usually several items of the same kind.
      ["category", "unit", "weight_unit"].forEach(function (name) {
        fresh.querySelector('[name="' + name + '"]').value = previous.querySelector('[name="' + name + '"]').value;
      });
    }
    rows.appendChild(fresh);
    renumber();
    fresh.querySelector("[data-first]").focus();
  });
})();
