// The statistics page's charts, drawn with Chart.js (served by the app from the npm registry
// package): the same numbers as the table beside them, which stays the reference.
"use strict";
(function () {
  var COLOURS = ["#1d4ed8", "#0f766e", "#b45309", "#7c3aed", "#be123c", "#475569", "#15803d"];

  function words(column) { return column.replace(/_/g, " "); }

  function byGroup(canvas, table) {
    var columns = JSON.parse(canvas.dataset.columns);
    return new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: table.rows.map(function (r) { return r[table.by]; }),
        datasets: columns.map(function (c, i) {
          return { label: words(c), data: table.rows.map(function (r) { return r[c]; }),
                   backgroundColor: COLOURS[i % COLOURS.length] };
        }),
      },
      options: { animation: false, responsive: true, maintainAspectRatio: false,
                 scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
    });
  }

  function perDay(canvas, table) {
    var days = table.identified_per_day;
    return new window.Chart(canvas, {
      type: "bar",
      data: { labels: days.map(function (d) { return d.day; }),
              datasets: [{ label: "victims identified or safeguarded",
                           data: days.map(function (d) { return d.victims; }),
                           backgroundColor: COLOURS[1] }] },
      options: { animation: false, responsive: true, maintainAspectRatio: false,
                 scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var source = document.getElementById("stats-data");
    if (!source) { return; }
    if (typeof window.Chart !== "function") {
      source.textContent = "The chart library is not installed here (run make demo); the tables say the same.";
      return;
    }
    var table = JSON.parse(source.dataset.table);
    window.tesseraCharts = {};
    [["chart-groups", byGroup], ["chart-files", byGroup], ["chart-days", perDay]].forEach(function (pair) {
      var canvas = document.getElementById(pair[0]);
      if (canvas) { window.tesseraCharts[pair[0]] = pair[1](canvas, table); }
    });
  });
})();
