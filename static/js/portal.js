// Loaded by every page of base.html, before the page's own scripts. The Content-Security-Policy forbids inline
// script (no <script> blocks, no onclick=…): behaviour lives in static/js and finds its elements by data- attributes.
(function () {
  "use strict";
  var ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;"};

  // Any value put into an HTML string (a chart tooltip, anything set through innerHTML) goes through this first:
  // names and titles are typed by users, and ECharts writes a tooltip formatter's string as HTML.
  function escapeHtml(value) {
    return value === null || value === undefined ? "" : String(value).replace(/[&<>"']/g, function (character) {
      return ENTITIES[character];
    });
  }

  window.portal = {escapeHtml: escapeHtml};

  // <select data-submit-on-change>: picking an option submits its form (the language menu).
  document.addEventListener("change", function (event) {
    if (event.target.matches("select[data-submit-on-change]")) {
      event.target.form.submit();
    }
  });

  // <select data-follows-unit="responsible_unit">: offer only the people of the unit chosen in that select of
  // the same form (options carry data-unit); a person of another unit is cleared rather than sent.
  function followUnit(personSelect) {
    var unitSelect = personSelect.form && personSelect.form.elements[personSelect.getAttribute("data-follows-unit")];
    if (!unitSelect) {
      return;
    }
    Array.prototype.forEach.call(personSelect.options, function (option) {
      var unit = option.getAttribute("data-unit");
      var offered = unit === null || !unitSelect.value || unit === unitSelect.value;
      option.hidden = !offered;
      option.disabled = !offered;
      if (!offered && option.selected) {
        personSelect.value = "";
      }
    });
  }
  document.querySelectorAll("select[data-follows-unit]").forEach(followUnit);
  document.addEventListener("change", function (event) {
    document.querySelectorAll("select[data-follows-unit]").forEach(function (personSelect) {
      if (personSelect.form === event.target.form && event.target.name === personSelect.getAttribute("data-follows-unit")) {
        followUnit(personSelect);
      }
    });
  });

  // <… data-script="/static/js/….js">: a widget names the script that enhances it (a form's widget cannot add a
  // <script> to the page); each is loaded once, after the page is read.
  var loaded = {};
  document.querySelectorAll("[data-script]").forEach(function (element) {
    var source = element.getAttribute("data-script");
    if (!loaded[source]) {
      loaded[source] = true;
      var script = document.createElement("script");
      script.src = source;
      document.body.appendChild(script);
    }
  });

  // <form data-confirm="…"> or <button data-confirm="…">: a destructive action asks before it is sent.
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    var message = (button && button.getAttribute("data-confirm")) || event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });
}());
