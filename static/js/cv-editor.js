/* The CV editor's drag and drop, and its "Present" boxes.

   A dropped entry or section posts its new place (`to`) to the reorder endpoint the arrow
   buttons use, and htmx swaps the answer in. Without this file the arrows still do the job,
   and keyboard users keep them. */
(function () {
  "use strict";

  function position(item, selector) {
    var siblings = Array.prototype.filter.call(item.parentNode.children, function (el) {
      return el.matches(selector);
    });
    return siblings.indexOf(item);
  }

  function post(url, to, target) {
    htmx.ajax("POST", url, { source: target, target: target, swap: "outerHTML", values: { to: to } });
  }

  function sortEntries(section) {
    if (Sortable.get(section)) return;
    Sortable.create(section, {
      draggable: ".cv-entry",
      handle: ".entry-handle",
      animation: 150,
      onEnd: function (event) {
        if (event.oldIndex === event.newIndex) return;
        var controls = event.item.querySelector("[data-move]");
        post(controls.dataset.move, position(event.item, ".cv-entry"), section);
      },
    });
  }

  function sortSections(page) {
    if (Sortable.get(page)) return;
    Sortable.create(page, {
      draggable: "[data-move-section]",
      handle: ".section-handle",
      animation: 150,
      onMove: function (event) {
        return event.related.id !== "section-header"; // the header stays first
      },
      onEnd: function (event) {
        if (event.oldIndex === event.newIndex) return;
        var to = position(event.item, ".cv-section:not(#section-header)");
        post(event.item.dataset.moveSection, to, page);
      },
    });
  }

  function showPresent(box) {
    var end = box.closest(".end-date").querySelector("input[name=end_date]");
    end.disabled = box.checked;
  }

  htmx.onLoad(function (root) {
    var scope = root.parentNode || root;
    scope.querySelectorAll("#cv-document").forEach(sortSections);
    scope.querySelectorAll(".cv-section").forEach(function (section) {
      if (section.querySelector(".entry-handle")) sortEntries(section);
    });
    scope.querySelectorAll(".end-date input[name=end_present]").forEach(showPresent);
  });

  document.addEventListener("change", function (event) {
    if (event.target.matches(".end-date input[name=end_present]")) showPresent(event.target);
  });
})();
