/* Cookie banner: save the choice without leaving the page. Without JS the form posts normally. */
(function () {
  "use strict";
  function init() {
    var banner = document.getElementById("cookie-banner");
    if (!banner) return;
    var form = banner.querySelector("form[data-consent-form]");
    if (!form || !window.fetch || !window.FormData) return;
    form.addEventListener("submit", function (event) {
      var submitter = event.submitter;
      event.preventDefault();
      var data = new FormData(form);
      if (submitter && submitter.name) data.set(submitter.name, submitter.value);
      fetch(form.action, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { Accept: "application/json" }
      }).then(function (response) {
        if (!response.ok) throw new Error("consent not saved");
        banner.remove();
      }).catch(function () {
        // Fall back to a plain post, which also shows the error message if any.
        if (submitter) {
          var field = document.createElement("input");
          field.type = "hidden";
          field.name = submitter.name;
          field.value = submitter.value;
          form.appendChild(field);
        }
        HTMLFormElement.prototype.submit.call(form);
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
