/* Staff dashboards: draws the charts described in the page's #dashboard-charts JSON with the
   vendored Chart.js, and shows the custom dates of the period filter only when needed.
   No inline script or style: the page's CSP allows scripts and styles from 'self' only. */
(function () {
  "use strict";

  var PALETTE = ["#2447d6", "#12b886", "#f59f00", "#d6336c", "#7048e8", "#15aabf",
                 "#82c91e", "#fd7e14", "#868e96", "#e64980", "#4c6ef5", "#40c057"];
  var CURRENCIES = { eur: "€", usd: "$", gbp: "£" };
  // Series that carry a meaning get its colour: failures red, successes green...
  var TONES = { good: "#12b886", bad: "#d6336c", warn: "#f59f00", info: "#2447d6",
                spam: "#7048e8", muted: "#adb5bd" };

  function formatter(unit) {
    var symbol = CURRENCIES[(unit || "").toLowerCase()];
    return function (value) {
      if (value === null || value === undefined) { return "—"; }
      if (symbol) {
        var digits = Math.abs(value) >= 10 || value === 0 ? 2 : 4;
        return (value < 0 ? "-" : "") + symbol + Math.abs(value).toLocaleString(undefined, {
          minimumFractionDigits: digits === 2 ? 0 : 2, maximumFractionDigits: digits
        });
      }
      if (unit === "%") { return value.toFixed(1) + " %"; }
      return Number(value).toLocaleString();
    };
  }

  function dayLabel(label) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(label)) { return label; }
    var parts = label.split("-");
    var date = new Date(Date.UTC(+parts[0], +parts[1] - 1, +parts[2]));
    return date.toLocaleDateString(undefined, { day: "numeric", month: "short", timeZone: "UTC" });
  }

  function isEmpty(spec) {
    return !spec.labels.length || spec.datasets.every(function (ds) {
      return ds.data.every(function (v) { return !v; });
    });
  }

  function draw(spec, css) {
    var canvas = document.getElementById("chart-" + spec.id);
    if (!canvas) { return; }
    if (isEmpty(spec)) {
      canvas.parentNode.classList.add("is-empty");
      return;
    }
    var format = formatter(spec.unit);
    var doughnut = spec.type === "doughnut";
    var datasets = spec.datasets.map(function (ds, index) {
      var color = TONES[ds.tone] || PALETTE[index % PALETTE.length];
      var out = { label: ds.label, data: ds.data };
      if (doughnut) {
        out.backgroundColor = ds.data.map(function (_, i) {
          return TONES[(ds.tones || [])[i]] || PALETTE[i % PALETTE.length];
        });
        out.borderColor = css.background;
        out.borderWidth = 2;
      } else if (spec.type === "line") {
        out.borderColor = color;
        out.backgroundColor = color + "22";
        out.fill = spec.datasets.length === 1;
        out.tension = 0.3;
        out.pointRadius = spec.labels.length > 45 ? 0 : 2;
        out.borderWidth = 2;
      } else {
        out.backgroundColor = color;
        out.borderRadius = 3;
        out.maxBarThickness = 42;
      }
      return out;
    });
    var valueAxis = {
      beginAtZero: true,
      stacked: spec.stacked,
      grid: { color: css.grid },
      ticks: { callback: function (v) { return format(v); }, precision: spec.unit ? undefined : 0 }
    };
    var labelAxis = {
      stacked: spec.stacked,
      grid: { display: false },
      ticks: {
        autoSkip: true, maxRotation: 0,
        callback: function (v) { return dayLabel(this.getLabelForValue(v)); }
      }
    };
    var options = {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      indexAxis: spec.horizontal ? "y" : "x",
      interaction: { mode: doughnut ? "nearest" : "index", intersect: doughnut },
      plugins: {
        legend: {
          display: doughnut || spec.datasets.length > 1,
          position: doughnut ? "right" : "bottom",
          labels: { boxWidth: 12, boxHeight: 12, usePointStyle: false }
        },
        tooltip: {
          callbacks: {
            title: function (items) { return items.length ? dayLabel(items[0].label) : ""; },
            label: function (item) {
              var value = doughnut || !spec.horizontal ? item.parsed.y : item.parsed.x;
              if (doughnut) { value = item.parsed; }
              return " " + item.dataset.label + ": " + format(value);
            }
          }
        }
      }
    };
    if (!doughnut) {
      options.scales = spec.horizontal ? { x: valueAxis, y: labelAxis } : { x: labelAxis, y: valueAxis };
    } else {
      options.cutout = "62%";
    }
    new window.Chart(canvas, { type: spec.type, data: { labels: spec.labels, datasets: datasets }, options: options });
  }

  function drawCharts() {
    var node = document.getElementById("dashboard-charts");
    if (!node || !window.Chart) { return; }
    var style = getComputedStyle(document.body);
    var css = {
      text: style.getPropertyValue("--body-quiet-color").trim() || "#666",
      grid: style.getPropertyValue("--hairline-color").trim() || "#e8e8e8",
      background: style.getPropertyValue("--body-bg").trim() || "#fff"
    };
    window.Chart.defaults.color = css.text;
    window.Chart.defaults.font.family = style.fontFamily;
    JSON.parse(node.textContent).forEach(function (spec) { draw(spec, css); });
  }

  function periodForms() {
    document.querySelectorAll("[data-period-form]").forEach(function (form) {
      var select = form.querySelector("select[name=period]");
      var custom = form.querySelector("[data-custom-dates]");
      if (!select || !custom) { return; }
      function sync() { custom.hidden = select.value !== "custom"; }
      select.addEventListener("change", function () {
        sync();
        // A preset applies at once; custom dates wait for the Apply button.
        if (select.value !== "custom") { form.requestSubmit ? form.requestSubmit() : form.submit(); }
      });
      sync();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    periodForms();
    drawCharts();
  });
})();
