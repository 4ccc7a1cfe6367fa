// The dashboard's charts, drawn from the same JSON the tables' figures come from (/dashboard/data/).
// Labels arrive translated in the JSON or in the container's data-label-* attributes.
// ECharts writes a tooltip formatter's string into the page as HTML: every value in it goes through escapeHtml
// (portal.js), unit names above all, which are typed by whoever manages the units. Axis and series labels are
// drawn on the canvas as plain text.
(function () {
  "use strict";
  var root = document.getElementById("dashboard-charts");
  if (!root || typeof echarts === "undefined") {
    return;
  }
  var escapeHtml = window.portal.escapeHtml;
  var RED = "#c8102e";
  var STATUS_COLOURS = {
    draft: "#cbd5e1", submitted: "#a5b4fc", approved: "#818cf8", in_progress: "#3b82f6", completed: "#4ade80",
    closed: "#15803d", returned: "#f97316", suspended: "#9ca3af", cancelled: "#e5e7eb"
  };
  var charts = [];

  function chart(id) {
    var element = document.getElementById(id);
    var instance = echarts.init(element);
    charts.push(instance);
    return instance;
  }

  function go(url) {
    if (url) {
      window.location.href = url;
    }
  }

  function drawChildRates(data) {
    var rows = data.children;
    var element = document.getElementById("chart-child-rates");
    if (!rows.length) {
      element.closest(".chart-card").hidden = true;
      return;
    }
    var rates = chart("chart-child-rates");
    rates.setOption({
      grid: {left: 48, right: 16, top: 24, bottom: rows.length > 8 ? 96 : 48},
      tooltip: {
        trigger: "axis",
        formatter: function (items) {
          var row = rows[items[0].dataIndex];
          return escapeHtml(row.unit.name) + "<br>" + escapeHtml(root.dataset.labelRate) + ": " +
            escapeHtml(row.rate_text) + " (" + escapeHtml(row.completed) + " / " + escapeHtml(row.planned) + ")";
        }
      },
      xAxis: {type: "category", data: rows.map(function (row) { return row.unit.name; }),
              axisLabel: {rotate: rows.length > 8 ? 40 : 0, interval: 0}},
      yAxis: {type: "value", min: 0, max: 100, axisLabel: {formatter: "{value}%"}},
      dataZoom: rows.length > 30 ? [{type: "slider", start: 0, end: 30 / rows.length * 100}] : [],
      series: [{
        name: root.dataset.labelRate, type: "bar", itemStyle: {color: RED}, barMinHeight: 3, barMaxWidth: 48,
        data: rows.map(function (row) { return row.rate; }),
        label: {show: rows.length <= 16, position: "top",
                formatter: function (p) { return rows[p.dataIndex].rate_text; }}
      }]
    });
    // A click drills down to the unit's own dashboard, or to its items where nothing is below it.
    rates.on("click", function (params) {
      var row = rows[params.dataIndex];
      go(row.has_children ? row.unit.url : row.links.planned);
    });
  }

  function drawStatuses(data) {
    var rows = data.statuses.filter(function (row) { return row.count > 0; });
    var statuses = chart("chart-statuses");
    statuses.setOption({
      // A function rather than the "{b}: {c} ({d}%)" template, so that what is escaped does not rest on ECharts.
      tooltip: {
        trigger: "item",
        formatter: function (item) {
          return escapeHtml(item.name) + ": " + escapeHtml(item.value) + " (" + escapeHtml(item.percent) + "%)";
        }
      },
      // A plain legend wraps onto a second line: every state stays in sight, none behind paging arrows.
      legend: {type: "plain", bottom: 0, itemGap: 8, itemWidth: 12, itemHeight: 10},
      series: [{
        name: root.dataset.labelItems, type: "pie", radius: ["40%", "68%"], center: ["50%", "45%"],
        label: {formatter: "{b}\n{c}"},
        data: rows.map(function (row) {
          return {name: row.label, value: row.count, link: row.link, itemStyle: {color: STATUS_COLOURS[row.status]}};
        })
      }]
    });
    statuses.on("click", function (params) { go(params.data.link); });
  }

  function drawTrend(data) {
    var rows = data.trend;
    var trend = chart("chart-trend");
    trend.setOption({
      grid: {left: 40, right: 16, top: 24, bottom: 40},
      tooltip: {
        trigger: "axis",
        formatter: function (items) {
          var row = rows[items[0].dataIndex];
          return escapeHtml(row.week) + " – " + escapeHtml(row.week_end) + "<br>" +
            escapeHtml(root.dataset.labelCompleted) + ": " + escapeHtml(row.completed);
        }
      },
      xAxis: {type: "category", data: rows.map(function (row) { return row.week.slice(5); })},
      yAxis: {type: "value", minInterval: 1, min: 0},
      series: [{
        name: root.dataset.labelCompleted, type: "bar", itemStyle: {color: "#15803d"},
        data: rows.map(function (row) { return row.completed; })
      }, {
        // Straight segments: a smoothed curve overshoots below zero between a busy week and an empty one.
        type: "line", smooth: false, symbol: "none", lineStyle: {color: RED}, tooltip: {show: false},
        data: rows.map(function (row) { return row.completed; })
      }]
    });
    trend.on("click", function (params) { go(rows[params.dataIndex].link); });
  }

  fetch(root.dataset.url, {credentials: "same-origin", headers: {Accept: "application/json"}})
    .then(function (response) {
      if (!response.ok) {
        throw new Error(response.status);
      }
      return response.json();
    })
    .then(function (data) {
      drawChildRates(data);
      drawStatuses(data);
      drawTrend(data);
      root.dataset.ready = "true";
    })
    .catch(function () {
      root.hidden = true;
    });

  window.addEventListener("resize", function () {
    charts.forEach(function (instance) { instance.resize(); });
  });
}());
