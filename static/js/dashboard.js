// The dashboard's charts, drawn from the same JSON the tables' figures come from (/dashboard/data/).
// Labels arrive translated in the JSON or in the container's data-label-* attributes.
// The charts are drawn as SVG: crisp on any screen, and their labels are <text> elements the browser tests measure.
// Down to a phone's 390 px no label overlaps another or is cut off at the chart's edge: the options below size,
// turn, shorten or leave out labels for the width at hand, and are worked out again when the window is resized.
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
  var FONT_SIZE = 12;
  var NARROW = 600;  // px of chart width: below it a chart is laid out for a phone
  var charts = [];

  function chart(id, draw) {
    var element = document.getElementById(id);
    var instance = echarts.init(element, null, {renderer: "svg"});
    charts.push({instance: instance, draw: draw});
    draw(instance, element.clientWidth);
    return instance;
  }

  // How wide a label is at FONT_SIZE: CJK characters take a full em, everything else about half of one.
  function textWidth(text) {
    var width = 0;
    for (var index = 0; index < text.length; index += 1) {
      width += text.charCodeAt(index) > 0x2e7f ? FONT_SIZE : FONT_SIZE * 0.6;
    }
    return width;
  }

  function go(url) {
    if (url) {
      window.location.href = url;
    }
  }

  // Unit names along the bottom: level when every name fits its column, otherwise turned upright and shortened
  // (the full name is in the tooltip); when the columns are too narrow even for upright labels, a window of them is
  // shown and the rest are a scroll (dataZoom) away. Rates above the bars only where a column holds one.
  function childRatesOption(rows, width) {
    var names = rows.map(function (row) { return row.unit.name; });
    var longest = Math.max.apply(null, names.map(textWidth));
    var plotWidth = Math.max(width - 72, 60);
    var level = longest + 8 <= plotWidth / rows.length;
    var shown = level ? rows.length : Math.max(Math.floor(plotWidth / (FONT_SIZE + 8)), 1);
    var windowed = rows.length > Math.min(shown, 30);
    var column = plotWidth / Math.min(rows.length, level ? rows.length : Math.min(shown, 30));
    var labelWidth = level ? column - 4 : (width < NARROW ? 84 : 120);
    return {
      grid: {left: 8, right: 16, top: 24, bottom: windowed ? 36 : 8, containLabel: true},
      tooltip: {
        trigger: "axis",
        formatter: function (items) {
          var row = rows[items[0].dataIndex];
          return escapeHtml(row.unit.name) + "<br>" + escapeHtml(root.dataset.labelRate) + ": " +
            escapeHtml(row.rate_text) + " (" + escapeHtml(row.completed) + " / " + escapeHtml(row.planned) + ")";
        }
      },
      xAxis: {type: "category", data: names,
              axisLabel: {interval: 0, rotate: level ? 0 : 90, width: labelWidth, overflow: "truncate",
                          fontSize: FONT_SIZE, hideOverlap: true}},
      yAxis: {type: "value", min: 0, max: 100, axisLabel: {formatter: "{value}%", fontSize: FONT_SIZE}},
      dataZoom: windowed ? [
        {type: "inside", startValue: 0, endValue: Math.min(shown, 30) - 1, zoomLock: true},
        {type: "slider", startValue: 0, endValue: Math.min(shown, 30) - 1, zoomLock: true, showDetail: false,
         height: 14, bottom: 8, brushSelect: false}
      ] : [],
      series: [{
        name: root.dataset.labelRate, type: "bar", itemStyle: {color: RED}, barMinHeight: 3, barMaxWidth: 48,
        data: rows.map(function (row) { return row.rate; }),
        label: {show: column >= textWidth("100.0%") + 4, position: "top", fontSize: FONT_SIZE,
                formatter: function (p) { return rows[p.dataIndex].rate_text; }},
        labelLayout: {hideOverlap: true}
      }]
    };
  }

  function drawChildRates(data) {
    var rows = data.children;
    var element = document.getElementById("chart-child-rates");
    if (!rows.length) {
      element.closest(".chart-card").hidden = true;
      return;
    }
    var rates = chart("chart-child-rates", function (instance, width) {
      instance.setOption(childRatesOption(rows, width), {replaceMerge: ["dataZoom"]});
    });
    // A click drills down to the unit's own dashboard, or to its items where nothing is below it.
    rates.on("click", function (params) {
      var row = rows[params.dataIndex];
      go(row.has_children ? row.unit.url : row.links.planned);
    });
  }

  // Every state in the legend, never paged: a plain legend wraps onto more lines. On a phone the ring shrinks to make
  // room for them and the labels beside it carry only the counts (the legend names the colours).
  function statusesOption(rows, width) {
    var phone = width < NARROW;
    return {
      // A function rather than the "{b}: {c} ({d}%)" template, so that what is escaped does not rest on ECharts.
      tooltip: {
        trigger: "item",
        formatter: function (item) {
          return escapeHtml(item.name) + ": " + escapeHtml(item.value) + " (" + escapeHtml(item.percent) + "%)";
        }
      },
      legend: {type: "plain", bottom: 0, left: 8, right: 8, itemGap: 8, itemWidth: 12, itemHeight: 10,
               textStyle: {fontSize: FONT_SIZE}},
      series: [{
        name: root.dataset.labelItems, type: "pie",
        radius: phone ? ["28%", "48%"] : ["40%", "68%"], center: ["50%", phone ? "38%" : "45%"],
        label: {formatter: phone ? "{c}" : "{b}\n{c}", fontSize: FONT_SIZE, width: phone ? 48 : 96,
                overflow: "truncate"},
        labelLine: {length: phone ? 6 : 12, length2: phone ? 6 : 12},
        labelLayout: {hideOverlap: true},
        data: rows.map(function (row) {
          return {name: row.label, value: row.count, link: row.link, itemStyle: {color: STATUS_COLOURS[row.status]}};
        })
      }]
    };
  }

  function drawStatuses(data) {
    var rows = data.statuses.filter(function (row) { return row.count > 0; });
    var statuses = chart("chart-statuses", function (instance, width) {
      instance.setOption(statusesOption(rows, width));
    });
    statuses.on("click", function (params) { go(params.data.link); });
  }

  function drawTrend(data) {
    var rows = data.trend;
    var trend = chart("chart-trend", function (instance) { instance.setOption(trendOption(rows)); });
    trend.on("click", function (params) { go(rows[params.dataIndex].link); });
  }

  // The weeks' dates along the bottom: as many as fit side by side, the others left out (ECharts' "auto" interval,
  // with anything still touching hidden).
  function trendOption(rows) {
    return {
      grid: {left: 8, right: 16, top: 24, bottom: 8, containLabel: true},
      tooltip: {
        trigger: "axis",
        formatter: function (items) {
          var row = rows[items[0].dataIndex];
          return escapeHtml(row.week) + " – " + escapeHtml(row.week_end) + "<br>" +
            escapeHtml(root.dataset.labelCompleted) + ": " + escapeHtml(row.completed);
        }
      },
      xAxis: {type: "category", data: rows.map(function (row) { return row.week.slice(5); }),
              axisLabel: {interval: "auto", hideOverlap: true, fontSize: FONT_SIZE}},
      yAxis: {type: "value", minInterval: 1, min: 0, axisLabel: {fontSize: FONT_SIZE}},
      series: [{
        name: root.dataset.labelCompleted, type: "bar", itemStyle: {color: "#15803d"},
        data: rows.map(function (row) { return row.completed; })
      }, {
        // Straight segments: a smoothed curve overshoots below zero between a busy week and an empty one.
        type: "line", smooth: false, symbol: "none", lineStyle: {color: RED}, tooltip: {show: false},
        data: rows.map(function (row) { return row.completed; })
      }]
    };
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
    charts.forEach(function (drawn) {
      drawn.instance.resize();
      drawn.draw(drawn.instance, drawn.instance.getDom().clientWidth);
    });
  });
}());
