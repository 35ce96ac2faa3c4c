/* The "Send to FitMyCV" link is meant to be dragged to the bookmarks bar. Clicked here, it
   would only trip our own CSP (it is a javascript: link): say what to do instead. */
(function () {
  "use strict";
  function init() {
    var link = document.querySelector("[data-bookmarklet]");
    var hint = document.querySelector("[data-bookmarklet-hint]");
    if (!link || !hint) return;
    link.addEventListener("click", function (event) {
      event.preventDefault();
      hint.hidden = false;
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
