// The print dialog (templates/_print_dialog.html): a printer offers only the templates its
// media takes, a download offers the format, a roll has no positions to skip.
(function () {
  "use strict";
  function setUp(form) {
    var printer = form.querySelector("select[name=printer]");
    var template = form.querySelector("select[name=template]");
    var format = form.querySelector(".print-format");
    var skip = form.querySelector("input[name=skip]");
    function update() {
      var chosen = printer.options[printer.selectedIndex];
      var media = (chosen && chosen.dataset.media) ? chosen.dataset.media.split(" ") : null;
      var firstOk = null;
      Array.prototype.forEach.call(template.options, function (opt) {
        var ok = !media || media.indexOf(opt.value) >= 0;
        opt.hidden = !ok;
        opt.disabled = !ok;
        if (ok && firstOk === null) { firstOk = opt; }
      });
      if (template.selectedOptions.length && template.selectedOptions[0].disabled && firstOk) {
        firstOk.selected = true;
      }
      if (format) { format.hidden = !!media; }
      var tpl = template.options[template.selectedIndex];
      var perPage = tpl ? Number(tpl.dataset.perPage || 1) : 1;
      if (skip) {
        skip.max = String(Math.max(0, perPage - 1));
        skip.disabled = perPage <= 1;
        if (perPage <= 1) { skip.value = "0"; }
      }
    }
    printer.addEventListener("change", update);
    template.addEventListener("change", update);
    update();
  }
  document.querySelectorAll("form[data-print-dialog]").forEach(setUp);
})();
