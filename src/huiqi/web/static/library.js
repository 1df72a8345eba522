// 政策库 chart: documents per year, stacked by validity. The data is the page's own JSON (the same
// object GET /api/v1/documents returns), embedded in #library-data; ECharts is vendored under /static/vendor.
(function () {
  "use strict";
  var holder = document.getElementById("library-chart");
  var source = document.getElementById("library-data");
  if (!holder || !source || typeof echarts === "undefined") return;
  var docs = JSON.parse(source.textContent).documents;
  var order = [["in_force", "有效", "#1e7e34"], ["not_yet", "尚未施行", "#1f5fbf"],
               ["open", "施行日期未定", "#a15c00"], ["expired", "已失效", "#9ca3af"]];
  var years = Array.from(new Set(docs.map(function (d) { return d.year === null ? "未写明" : String(d.year); })))
    .sort(function (a, b) { return a === "未写明" ? 1 : b === "未写明" ? -1 : a.localeCompare(b); });
  var series = order.map(function (o) {
    return {
      name: o[1], type: "bar", stack: "docs", itemStyle: { color: o[2] },
      data: years.map(function (y) {
        return docs.filter(function (d) {
          return d.validity === o[0] && (d.year === null ? "未写明" : String(d.year)) === y;
        }).length;
      })
    };
  }).filter(function (s) { return s.data.some(function (n) { return n > 0; }); });
  var chart = echarts.init(holder);
  chart.setOption({
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    legend: { top: 0 },
    grid: { left: 36, right: 12, top: 40, bottom: 30 },
    xAxis: { type: "category", data: years },
    yAxis: { type: "value", minInterval: 1, name: "文件数" },
    series: series
  });
  holder.dataset.rendered = "true";  // lets the browser test see that the chart was drawn
  window.addEventListener("resize", function () { chart.resize(); });
})();
