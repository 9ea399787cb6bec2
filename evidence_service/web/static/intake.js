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

  /* The hazard picker writes the row's classes into its codes field (what the server reads);
     choosing a category starts the row with that category's classes (data/category_hazards.toml). */
  var defaultsNode = document.getElementById("hazard-defaults");
  var defaults = defaultsNode ? JSON.parse(defaultsNode.textContent) : {};

  function showPicked(row) {
    var codes = row.querySelector("[data-hazard-codes]");
    var summary = row.querySelector("[data-hazard-summary]");
    if (summary && codes) { summary.textContent = codes.value || EV.t("keeper.no_hazard"); }
  }

  function pick(row, classes) {
    row.querySelectorAll("[data-hazard]").forEach(function (box) {
      box.checked = classes.indexOf(box.getAttribute("data-hazard")) >= 0;
    });
    row.querySelector("[data-hazard-codes]").value = classes.join(", ");
    showPicked(row);
  }

  rows.addEventListener("change", function (event) {
    var row = event.target.closest("[data-row]");
    if (!row) { return; }
    if (event.target.hasAttribute("data-hazard")) {
      var chosen = [];
      row.querySelectorAll("[data-hazard]:checked").forEach(function (box) { chosen.push(box.getAttribute("data-hazard")); });
      row.querySelector("[data-hazard-codes]").value = chosen.join(", ");
      showPicked(row);
    } else if (event.target.name === "category") {
      pick(row, defaults[event.target.value] || []);
    } else if (event.target.hasAttribute("data-hazard-codes")) {
      pick(row, event.target.value.split(",").map(function (c) { return c.trim(); }).filter(Boolean));
    }
  });

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
      pick(fresh, defaults[previous.querySelector('[name="category"]').value] || []);
    }
    rows.appendChild(fresh);
    renumber();
    fresh.querySelector("[data-first]").focus();
  });
})();
