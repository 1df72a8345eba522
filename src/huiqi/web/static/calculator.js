// 政策计算器 chart: each item's definite amount (符合) and the ceiling of each discretionary item (酌定),
// from the page's own JSON (#calc-data, the same object POST /api/v1/calculate returns). Amounts are drawn
// in 万元; the exact figures are in the table beside it.
(function () {
  "use strict";
  var holder = document.getElementById("calc-chart");
  var source = document.getElementById("calc-data");
  if (!holder || !source || typeof echarts === "undefined") return;
  var result = JSON.parse(source.textContent);
  var rows = result.items.filter(function (i) {
    return i.status === "eligible" || (i.status === "discretionary" && i.cap);
  });
  var wan = function (fen) { return fen / 1000000; };  // display only: 1万元 = 1,000,000 fen
  // The document id first: two documents can name items alike (创新券 in 002 and in 003).
  var labels = rows.map(function (i) {
    var t = i.title.length > 12 ? i.title.slice(0, 11) + "…" : i.title;
    return i.document + " " + t;
  });
  var chart = echarts.init(holder);
  chart.setOption({
    tooltip: {
      trigger: "axis", axisPointer: { type: "shadow" },
      formatter: function (ps) {
        var i = rows[ps[0].dataIndex];
        var what = i.status === "eligible" ? "确定金额 " + i.amount.display : "酌定上限 " + i.cap.display;
        return i.title + "<br>" + i.item + "<br>" + what;
      }
    },
    legend: { top: 0 },
    grid: { left: 8, right: 40, top: 36, bottom: 8, containLabel: true },
    xAxis: { type: "value", name: "万元" },
    yAxis: { type: "category", data: labels, inverse: true },
    series: [
      { name: "符合（确定金额）", type: "bar", stack: "x", itemStyle: { color: "#1e7e34" },
        data: rows.map(function (i) { return i.status === "eligible" ? wan(i.amount.fen) : 0; }) },
      { name: "酌定（上限）", type: "bar", stack: "x", itemStyle: { color: "#e0a040" },
        data: rows.map(function (i) { return i.status === "discretionary" ? wan(i.cap.fen) : 0; }) }
    ]
  });
  holder.style.height = Math.max(160, 60 + rows.length * 34) + "px";
  chart.resize();
  holder.dataset.rendered = "true";  // lets the browser test see that the chart was drawn
  window.addEventListener("resize", function () { chart.resize(); });
})();
