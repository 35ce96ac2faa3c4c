/* Live preview in the e-mail template editor (admin).
   The draft is posted to the preview view twice: once for the subject, text and errors (JSON,
   shown with textContent), once into the sandboxed iframe, whose answer carries its own strict
   CSP. The HTML is never put into this page, so staff-written markup cannot run here. */
(function () {
  "use strict";
  var FIELDS = ["name", "trigger", "subject", "html_content", "text_content"];
  var DELAY_MS = 400;

  function init() {
    var panel = document.getElementById("email-preview");
    var form = document.getElementById("emailtemplate_form");
    if (!panel || !form) return;
    var url = panel.getAttribute("data-preview-url");
    var frame = panel.querySelector("iframe");
    var subject = panel.querySelector("[data-preview-subject]");
    var text = panel.querySelector("[data-preview-text]");
    var error = panel.querySelector("[data-preview-error]");
    var errorBox = panel.querySelector("[data-preview-error-box]");
    var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
    var timer = null;

    function draft() {
      var values = {};
      FIELDS.forEach(function (name) {
        var field = form.elements[name];
        if (field) values[name] = field.value;
      });
      return values;
    }

    function showJson(values) {
      var body = new FormData();
      Object.keys(values).forEach(function (key) { body.append(key, values[key]); });
      body.append("part", "json");
      fetch(url, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "X-CSRFToken": token },
      })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          subject.textContent = data.subject || "";
          text.textContent = data.text || "";
          error.textContent = data.error || "";
          errorBox.hidden = !data.error;
        })
        .catch(function () { /* the next keystroke tries again */ });
    }

    function showHtml(values) {
      var shadow = document.createElement("form");
      shadow.method = "post";
      shadow.action = url;
      shadow.target = frame.name;
      shadow.hidden = true;
      values.csrfmiddlewaretoken = token;
      values.part = "html";
      Object.keys(values).forEach(function (key) {
        var input = document.createElement("input");
        input.type = "hidden";
        input.name = key;
        input.value = values[key];
        shadow.appendChild(input);
      });
      document.body.appendChild(shadow);
      shadow.submit();
      document.body.removeChild(shadow);
    }

    function refresh() {
      showJson(draft());
      showHtml(draft());
    }

    form.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(refresh, DELAY_MS);
    });
    form.addEventListener("change", function (event) {
      if (event.target.name === "trigger") refresh();
    });
    if (!frame.getAttribute("src")) refresh();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
