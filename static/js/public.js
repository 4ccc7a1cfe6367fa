// The public unit page's chart: planned and completed published items by list kind, with the completion rate.
// The figures come from the page's own JSON (json_script "public-chart-data"), the same numbers as its table;
// labels come translated in the JSON and the container's data-label-* attributes. Drawn as SVG, resized with
// the window. Everything written into a tooltip as HTML goes through portal.escapeHtml.
(function () {
  "use strict";
  var element = document.getElementById("public-chart");
  var source = document.getElementById("public-chart-data");
  if (!element || !source || typeof echarts === "undefined") {
    return;
  }
  var escapeHtml = window.portal.escapeHtml;
  var data = JSON.parse(source.textContent);
  var labels = {
    planned: element.getAttribute("data-label-planned"),
    completed: element.getAttribute("data-label-completed"),
    rate: element.getAttribute("data-label-rate")
  };
  var chart = echarts.init(element, null, {renderer: "svg"});

  function tooltip(params) {
    var index = params[0].dataIndex;
    var rate = data.rates[index];
    return escapeHtml(data.kinds[index]) + "<br>" +
      escapeHtml(labels.planned) + "：" + escapeHtml(data.planned[index]) + "<br>" +
      escapeHtml(labels.completed) + "：" + escapeHtml(data.completed[index]) + "<br>" +
      escapeHtml(labels.rate) + "：" + escapeHtml(rate === null ? "—" : rate.toFixed(1) + "%");
  }

  chart.setOption({
    tooltip: {trigger: "axis", axisPointer: {type: "shadow"}, formatter: tooltip},
    legend: {data: [labels.planned, labels.completed], bottom: 0},
    grid: {left: 40, right: 16, top: 24, bottom: 48},
    xAxis: {type: "category", data: data.kinds},
    yAxis: {type: "value", minInterval: 1},
    series: [
      {name: labels.planned, type: "bar", data: data.planned, itemStyle: {color: "#93c5fd"}},
      {
        name: labels.completed, type: "bar", data: data.completed, itemStyle: {color: "#16a34a"},
        label: {
          show: true, position: "top",
          formatter: function (params) {
            var rate = data.rates[params.dataIndex];
            return rate === null ? "" : rate.toFixed(1) + "%";
          }
        }
      }
    ]
  });
  element.setAttribute("data-drawn", "true");
  window.addEventListener("resize", function () { chart.resize(); });
}());
