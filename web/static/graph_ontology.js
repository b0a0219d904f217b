/* The ontology diagram: classes as boxes, subclass links dashed, object properties labelled;
 * a click opens the class's definition on the ontology page. */
(function () {
  "use strict";
  var root = document.getElementById("ontology-diagram");
  if (!root) return;
  var svg = document.getElementById("ontology-graph");
  var status = document.getElementById("ontology-status");
  var external = document.getElementById("show-external");
  var siteRoot = root.dataset.siteRoot || "";
  var data = null;

  function render() {
    var showExternal = external.checked;
    var nodes = data.nodes.filter(function (n) { return showExternal || n.kind === "class"; });
    var ids = {};
    nodes.forEach(function (n) { ids[n.id] = true; });
    var edges = data.edges
      .filter(function (e) { return ids[e.source] && ids[e.target]; })
      .map(function (e) { return Object.assign({dashed: e.kind === "sub"}, e); });
    var shown = {
      nodes: nodes.map(function (n) {
        return Object.assign({}, n, {color: n.kind === "class" ? "#fbeee9" : "#eef1f5", size: 20});
      }),
      edges: edges
    };
    CakgGraph.draw(svg, shown, {
      boxes: true,
      arrows: true,
      edgeLabels: true,
      iterations: 400,
      gravity: 0.2,
      spread: 0.55,
      describe: function (n) {
        return n.label + (n.comment ? "\n" + n.comment : "") +
          (n.attributes.length ? "\nattributes: " + n.attributes.join(", ") : "");
      },
      onOpen: function (n) {
        if (n.kind === "class") window.location.href = siteRoot + n.path;
      }
    });
    svg.dataset.rendered = shown.nodes.length;
    status.textContent = shown.nodes.length + " classes, " + edges.length + " links";
  }

  fetch(root.dataset.url, {headers: {Accept: "application/json"}})
    .then(function (response) {
      if (!response.ok) return response.json().then(function (b) { throw new Error(b.error.message); });
      return response.json();
    })
    .then(function (json) { data = json; render(); })
    .catch(function (error) { status.textContent = "The ontology could not be loaded: " + error.message; });
  external.addEventListener("change", function () { if (data) render(); });
})();
