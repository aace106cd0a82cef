// The connections graph around a series or person, drawn with Cytoscape (served by the app
// from the npm registry package, see tessera/web/vendor.py). The list beside it says the
// same in text: for a screen reader, and for a browser without the library.
"use strict";
(function () {
  var PAGES = { series: "/series/", person: "/persons/", place: "/places/", clue: "/clues/",
                media: "/media/" };
  function label(n) { return n.words + " (" + n.agency + ")"; }

  function elements(g) {
    var out = [];
    g.nodes.forEach(function (n) {
      out.push({ group: "nodes", data: { id: n.key, label: label(n), type: n.type,
        href: n.id ? (PAGES[n.type] || "/series/") + n.id : "" },
        classes: [n.type, n.id ? "open" : "held", n.key === g.start ? "start" : ""].join(" ") });
    });
    g.edges.forEach(function (e) {
      out.push({ group: "edges", data: { id: "link-" + e.id, source: e.a, target: e.b,
        label: e.words }, classes: e.state });
    });
    return out;
  }

  var STYLE = [
    { selector: "node", style: { "label": "data(label)", "font-size": 11, "text-valign": "bottom",
      "text-margin-y": 4, "background-color": "#475569", "width": 22, "height": 22,
      "text-background-color": "#fff", "text-background-opacity": 0.85 } },
    { selector: "node.series", style: { "shape": "round-rectangle" } },
    { selector: "node.person", style: { "shape": "ellipse", "background-color": "#0f766e" } },
    { selector: "node.place", style: { "shape": "diamond", "background-color": "#b45309" } },
    { selector: "node.clue", style: { "shape": "triangle", "background-color": "#7c3aed" } },
    { selector: "node.held", style: { "background-color": "#cbd5e1", "border-width": 1,
      "border-style": "dashed", "border-color": "#64748b" } },
    { selector: "node.start", style: { "border-width": 3, "border-color": "#1d4ed8" } },
    { selector: "edge", style: { "width": 2, "curve-style": "bezier", "label": "data(label)",
      "font-size": 9, "color": "#334155", "text-rotation": "autorotate",
      "text-background-color": "#fff", "text-background-opacity": 0.85, "text-background-padding": 2,
      "line-color": "#334155" } },
    { selector: "edge.suggested", style: { "line-style": "dashed", "line-color": "#94a3b8" } },
  ];

  function text(list, g) {
    list.textContent = "";
    var names = {};
    g.nodes.forEach(function (n) { names[n.key] = label(n); });
    g.edges.forEach(function (e) {
      var li = document.createElement("li");
      li.textContent = names[e.a] + " — " + e.words + " (" + e.state + ") — " + names[e.b];
      list.appendChild(li);
    });
    if (!g.edges.length) { list.textContent = "No connections within this depth."; }
  }

  function draw(box) {
    var depth = document.getElementById("graph-depth");
    var onlyConfirmed = document.getElementById("graph-confirmed");
    var all = depth && depth.value === "all";  // the whole connected group, confirmed links
    var url = all ? box.dataset.component : box.dataset.src + "?depth=" + (depth ? depth.value : 2) +
      "&suggested=" + (onlyConfirmed && onlyConfirmed.checked ? "false" : "true");
    fetch(url, { credentials: "same-origin" }).then(function (r) { return r.json(); })
      .then(function (g) {
        text(document.getElementById("graph-text"), g);
        if (typeof window.cytoscape !== "function") {
          box.textContent = "The graph library is not installed here (run make demo); the list below says the same.";
          return;
        }
        if (window.tesseraGraph) { window.tesseraGraph.destroy(); }
        var cy = window.cytoscape({ container: box, elements: elements(g), style: STYLE,
          layout: { name: "cose", animate: false, padding: 40, randomize: false,
            idealEdgeLength: function () { return 160; }, nodeRepulsion: function () { return 90000; } },
          maxZoom: 1.6, wheelSensitivity: 0.3 });
        cy.on("tap", "node", function (ev) {
          var href = ev.target.data("href");
          if (href) { window.location.href = href; }
        });
        window.tesseraGraph = cy;
        box.dataset.nodes = String(cy.nodes().length);
        box.dataset.edges = String(cy.edges().length);
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("connection-graph");
    if (!box) { return; }
    draw(box);
    ["graph-depth", "graph-confirmed"].forEach(function (id) {
      var control = document.getElementById(id);
      if (control) { control.addEventListener("change", function () { draw(box); }); }
    });
  });
})();
