/* Feedback panel: live character count, Escape / outside click closes it. The form works
   as a plain POST without this file; htmx swaps the thank-you message in when present. */
(function () {
  "use strict";

  function counter(root) {
    var area = root.querySelector("[data-feedback-comment]");
    var count = root.querySelector("[data-feedback-count]");
    if (!area || !count) { return; }
    var update = function () {
      count.textContent = area.value.length;
      count.parentNode.classList.toggle("is-full", area.value.length >= 500);
    };
    area.addEventListener("input", update);
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var widget = document.querySelector("[data-feedback]");
    if (!widget) { return; }
    counter(widget);
    widget.addEventListener("toggle", function () {
      var area = widget.querySelector("[data-feedback-comment]");
      if (widget.open && area) { area.focus(); }
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && widget.open) { widget.open = false; }
    });
    document.addEventListener("click", function (event) {
      if (widget.open && !widget.contains(event.target)) { widget.open = false; }
    });
    // After an htmx swap (errors or thanks) the new panel needs its counter again.
    document.body.addEventListener("htmx:afterSwap", function () { counter(widget); });
  });
})();
