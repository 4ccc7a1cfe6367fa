// A complete report's chart: the completion rate of each unit below the report's unit, read from the
// <script type="application/json" id="rate-chart-data"> the page carries (data, never run).
(function () {
  "use strict";
  var source = document.getElementById("rate-chart-data");
  if (!source || typeof echarts === "undefined") {
    return;
  }
  var escapeHtml = window.portal.escapeHtml;
  var data = JSON.parse(source.textContent);
  var chart = echarts.init(document.getElementById("rate-chart"));

  function rateText(rate) {
    return rate === null ? "—" : rate + "%";
  }

  chart.setOption({
    grid: {left: 48, right: 16, bottom: 80, top: 24},
    // The tooltip is HTML: the unit's name is escaped (portal.js); axis labels are drawn on the canvas.
    tooltip: {
      trigger: "axis",
      formatter: function (items) {
        var index = items[0].dataIndex;
        return escapeHtml(data.units[index]) + "<br>" + escapeHtml(rateText(data.rates[index]));
      }
    },
    xAxis: {type: "category", data: data.units, axisLabel: {rotate: 30}},
    yAxis: {type: "value", max: 100, axisLabel: {formatter: "{value}%"}},
    series: [{type: "bar", data: data.rates, itemStyle: {color: "#c8102e"}, label: {show: true, position: "top", formatter: "{c}%"}}]
  });
  window.addEventListener("resize", function () { chart.resize(); });
}());
