/* The graph explorer: loads graph.json for the chosen view, draws it with CakgGraph,
 * filters by class and source, searches by name, sizes by a centrality measure and opens
 * an entity's page on click. */
(function () {
  "use strict";
  var root = document.getElementById("explorer");
  if (!root) return;
  var svg = document.getElementById("graph");
  var status = document.getElementById("graph-status");
  var info = document.getElementById("graph-info");
  var groupBox = document.getElementById("group-filter");
  var sourceBox = document.getElementById("source-filter");
  var search = document.getElementById("graph-search");
  var sizeBy = document.getElementById("size-by");
  var colourBy = document.getElementById("colour-by");
  // Community colours: a qualitative palette, repeated when there are more communities.
  var PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948",
                 "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"];
  var siteRoot = root.dataset.siteRoot || "";
  var current = null;
  var data = null;

  function view() {
    var checked = document.querySelector("input[name=view]:checked");
    return checked ? checked.value : "entities";
  }

  function checkboxes(box, legend, items, name) {
    while (box.firstChild) box.removeChild(box.firstChild);
    var title = document.createElement("legend");
    title.textContent = legend;
    box.appendChild(title);
    items.forEach(function (item) {
      var label = document.createElement("label");
      var input = document.createElement("input");
      input.type = "checkbox";
      input.name = name;
      input.value = item.name;
      input.checked = true;
      input.addEventListener("change", refilter);
      label.appendChild(input);
      if (item.color) {
        var swatch = document.createElement("span");
        swatch.className = "swatch";
        swatch.style.background = item.color;
        label.appendChild(swatch);
      }
      label.appendChild(document.createTextNode(" " + item.name + " (" + item.count + ")"));
      box.appendChild(label);
    });
  }

  function chosen(name) {
    return Array.prototype.slice
      .call(document.querySelectorAll("input[name=" + name + "]:checked"))
      .map(function (input) { return input.value; });
  }

  function refilter() {
    if (!current) return;
    var groups = chosen("group"), sources = chosen("source");
    var counts = current.setVisible(function (node) {
      var bySource = !node.sources.length || node.sources.some(function (s) {
        return sources.indexOf(s) >= 0;
      });
      return groups.indexOf(node.group) >= 0 && bySource;
    });
    var scope = data.view === "actors" ? "actor network" : "entity graph";
    if (data.centre) {
      var centre = data.nodes.filter(function (n) { return n.id === data.centre; })[0];
      scope = "neighbourhood of " + (centre ? centre.label : data.centre) + " in the " + scope;
    }
    status.textContent = counts.nodes + " nodes, " + counts.edges + " edges shown (" +
      data.nodes.length + " nodes, " + data.edges.length + " edges in the " + scope + ")";
    status.dataset.nodes = counts.nodes;
    status.dataset.edges = counts.edges;
    updateDownloads(groups, sources);
  }

  function updateDownloads(groups, sources) {
    var links = document.querySelectorAll("#downloads a");
    var allGroups = data.groups.length === groups.length;
    var allSources = data.sources.length === sources.length;
    Array.prototype.forEach.call(links, function (link) {
      var url = root.dataset.exportUrl.replace("FORMAT", link.dataset.format);
      var params = new URLSearchParams({view: view()});
      if (!allGroups) groups.forEach(function (g) { params.append("class", g); });
      if (!allSources) sources.forEach(function (s) { params.append("source", s); });
      link.href = url + "?" + params.toString();
    });
  }

  function sizeMeasure() {
    var measure = sizeBy.value;
    var top = Math.max.apply(null, data.nodes.map(function (n) { return n[measure] || 0; }).concat([1e-9]));
    return function (node) { return 8 + 34 * ((node[measure] || 0) / top); };
  }

  function describe(node) {
    return node.label + " — " + (node.class_label || node.group) + "\ndegree " + node.degree +
      ", PageRank " + Number(node.pagerank).toFixed(4) + ", betweenness " +
      Number(node.betweenness).toFixed(4);
  }

  function showInfo(node) {
    if (!node) { info.hidden = true; return; }
    info.hidden = false;
    info.textContent = describe(node) + (node.sources.length ? "\nsources: " + node.sources.join(", ") : "");
  }

  function counts(key, items) {
    var tally = {};
    data.nodes.forEach(function (node) {
      (key === "source" ? node.sources : [node.group]).forEach(function (value) {
        tally[value] = (tally[value] || 0) + 1;
      });
    });
    return items.map(function (item) {
      return {name: item.name || item, color: item.color, count: tally[item.name || item] || 0};
    });
  }

  function load(url) {
    status.textContent = "Loading the graph…";
    url = url || root.dataset.graphUrl + "?view=" + encodeURIComponent(view());
    fetch(url, {headers: {Accept: "application/json"}})
      .then(function (response) {
        if (!response.ok) return response.json().then(function (body) { throw new Error(body.error.message); });
        return response.json();
      })
      .then(function (json) {
        data = json;
        checkboxes(groupBox, "Classes", counts("group", data.groups), "group");
        checkboxes(sourceBox, "Sources", counts("source", data.sources), "source");
        current = CakgGraph.draw(svg, data, {
          size: sizeMeasure(),
          describe: describe,
          onHover: showInfo,
          onOpen: function (node) {
            if (node.path) window.location.href = siteRoot + node.path;
          }
        });
        svg.dataset.rendered = data.nodes.length;
        if (colourBy.value !== "class") current.recolour(colour);
        refilter();
        if (search.value) runSearch();
      })
      .catch(function (error) {
        status.textContent = "The graph could not be loaded: " + error.message;
      });
  }

  function runSearch() {
    if (!current) return [];
    var words = search.value.trim().toLowerCase();
    return current.highlight(words ? function (node) {
      return !node.hidden && (node.label || "").toLowerCase().indexOf(words) >= 0;
    } : null);
  }

  function findPath() {
    var result = document.getElementById("path-result");
    var params = new URLSearchParams({
      view: view(),
      from: document.getElementById("path-from").value,
      to: document.getElementById("path-to").value
    });
    while (result.firstChild) result.removeChild(result.firstChild);
    fetch(root.dataset.pathUrl + "?" + params.toString(), {headers: {Accept: "application/json"}})
      .then(function (response) {
        return response.json().then(function (body) {
          if (!response.ok) throw new Error(body.error.message);
          return body;
        });
      })
      .then(function (body) {
        var path = body.paths[0];
        current.showPath(path.nodes);
        path.hops.forEach(function (hop, i) {
          if (i === 0) addStep(result, hop.from_label, "");
          addStep(result, hop.to_label, hop.relations.join(" / "), hop.evidence);
        });
        result.dataset.steps = path.hops.length;
      })
      .catch(function (error) {
        if (current) current.showPath([]);
        var item = document.createElement("li");
        item.className = "path-error";
        item.textContent = error.message;
        result.appendChild(item);
      });
  }

  function addStep(list, label, relation, evidence) {
    var item = document.createElement("li");
    if (evidence && evidence.length) item.title = "“" + evidence.join("”\n“") + "”";
    if (relation) {
      var how = document.createElement("span");
      how.className = "path-relation";
      how.textContent = relation + " ";
      item.appendChild(how);
    }
    item.appendChild(document.createTextNode(label));
    list.appendChild(item);
  }

  document.getElementById("path-go").addEventListener("click", findPath);
  document.getElementById("ego-go").addEventListener("click", function () {
    var params = new URLSearchParams({
      view: view(),
      entity: document.getElementById("ego-entity").value,
      radius: document.getElementById("ego-radius").value
    });
    load(root.dataset.neighboursUrl + "?" + params.toString());
  });
  document.getElementById("ego-all").addEventListener("click", function () { load(); });
  search.addEventListener("input", runSearch);
  search.addEventListener("keydown", function (event) {
    if (event.key !== "Enter") return;
    var found = runSearch();
    if (found.length) current.focus(found[0].id);
  });
  sizeBy.addEventListener("change", function () { if (current) current.resize(sizeMeasure()); });
  function colour(node) {
    return colourBy.value === "community" ? PALETTE[node.community % PALETTE.length] : node.color;
  }
  colourBy.addEventListener("change", function () { if (current) current.recolour(colour); });
  Array.prototype.forEach.call(document.querySelectorAll("input[name=view]"), function (input) {
    input.addEventListener("change", function () { load(); });
  });
  load();
})();
