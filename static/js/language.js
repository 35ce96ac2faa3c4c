/* Language menu: switch as soon as a language is picked; the button stays for no-JS visitors. */
(function () {
  "use strict";
  function init() {
    document.querySelectorAll("form[data-language-form]").forEach(function (form) {
      var button = form.querySelector("[data-language-submit]");
      var select = form.querySelector("select");
      if (!select) return;
      if (button) button.hidden = true;
      select.addEventListener("change", function () { form.submit(); });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
