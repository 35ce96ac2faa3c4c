/* "Send the link again": counts down the server's cooldown so the button is not clicked in vain.
   Without JS the button always works and the server says when to wait. */
(function () {
  "use strict";
  function init() {
    var form = document.querySelector("form[data-cooldown]");
    if (!form) return;
    var button = form.querySelector("[data-cooldown-button]");
    var left = parseInt(form.getAttribute("data-cooldown"), 10) || 0;
    var template = form.getAttribute("data-wait-label") || "%s";
    var label = button.textContent;
    if (left <= 0) return;

    function tick() {
      if (left > 0) {
        button.disabled = true;
        button.textContent = template.replace("%s", left);
        left -= 1;
        window.setTimeout(tick, 1000);
      } else {
        button.disabled = false;
        button.textContent = label;
      }
    }
    tick();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
