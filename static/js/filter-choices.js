// Type-ahead for the filter form's long multiple choices (countries, programmes,
// organizations, people, sources). The form works without it: this only adds a box that
// hides the options whose names do not contain what is typed. Chosen options stay shown.
(function () {
  "use strict";
  var selects = document.querySelectorAll("form.filters select[multiple]");
  Array.prototype.forEach.call(selects, function (select) {
    if (select.options.length < 12) {
      return;
    }
    var box = document.createElement("input");
    box.type = "search";
    box.className = "choice-filter";
    box.setAttribute("aria-controls", select.id);
    box.setAttribute("aria-label", "Find in " + (select.labels && select.labels[0] ? select.labels[0].textContent.trim() : "the list"));
    box.placeholder = "Type to find…";
    select.parentNode.insertBefore(box, select);
    box.addEventListener("input", function () {
      var wanted = box.value.trim().toLowerCase();
      Array.prototype.forEach.call(select.options, function (option) {
        var match = !wanted || option.selected || option.text.toLowerCase().indexOf(wanted) !== -1;
        option.hidden = !match;
      });
    });
  });
})();
