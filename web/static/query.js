// The query page: send the editor's SPARQL to /sparql with fetch, show the results as a
// table whose IRIs link to their pages on this server, and offer downloads in every
// format. Plain JavaScript, no framework and nothing fetched from the internet.
"use strict";

(function () {
  const config = JSON.parse(document.getElementById("cakg-config").textContent);
  const queries = JSON.parse(document.getElementById("cakg-queries").textContent);
  const editor = document.getElementById("query");
  const form = document.getElementById("query-form");
  const statusLine = document.getElementById("status");
  const results = document.getElementById("results");
  const downloads = document.getElementById("downloads");
  const title = document.getElementById("query-title");
  const description = document.getElementById("query-description");

  // [label, media type, file extension]
  const RESULT_FORMATS = [
    ["JSON", "application/sparql-results+json", "srj"],
    ["XML", "application/sparql-results+xml", "srx"],
    ["CSV", "text/csv", "csv"],
    ["TSV", "text/tab-separated-values", "tsv"],
  ];
  const GRAPH_FORMATS = [
    ["Turtle", "text/turtle", "ttl"],
    ["N-Triples", "application/n-triples", "nt"],
    ["RDF/XML", "application/rdf+xml", "rdf"],
    ["JSON-LD", "application/ld+json", "jsonld"],
  ];

  // Blank out IRIs, strings and comments, so keywords and prefixed names can be found.
  function code(text) {
    return text
      .replace(/<[^<>\s]*>/g, "<>")
      .replace(/"""[\s\S]*?"""|'''[\s\S]*?'''/g, '""')
      .replace(/"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'/g, '""')
      .replace(/#[^\n]*/g, "");
  }

  function queryForm(text) {
    const body = code(text).replace(/\b(PREFIX\s+[\w-]*:\s*<>|BASE\s+<>)/gi, " ");
    const match = /\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b/i.exec(body);
    return match ? match[1].toUpperCase() : "SELECT";
  }

  // Declare the project's prefixes the query uses but does not declare itself.
  function withPrefixes(text) {
    const body = code(text);
    const declared = new Set();
    for (const m of body.matchAll(/\bPREFIX\s+([\w-]*):/gi)) declared.add(m[1]);
    const lines = [];
    for (const [prefix, namespace] of Object.entries(config.prefixes)) {
      const used = new RegExp("(^|[\\s(){};,.^/|!=<>*+?\\[\\]])" + prefix.replace(/-/g, "\\-") + ":");
      if (!declared.has(prefix) && used.test(body)) {
        lines.push("PREFIX " + prefix + ": <" + namespace + ">");
      }
    }
    return lines.length ? lines.join("\n") + "\n" + text : text;
  }

  function localHref(iri) {
    const root = config.root || "";
    if (iri.startsWith(config.dataBase)) return root + "/id/" + iri.slice(config.dataBase.length);
    for (const [special, path] of [[config.ontology, "/ontology"], [config.shapes, "/shapes"]]) {
      if (iri === special || iri.startsWith(special + "#") || iri.startsWith(special + "/")) {
        return root + path + iri.slice(special.length);
      }
    }
    if (iri.startsWith(config.base)) return root + "/" + iri.slice(config.base.length);
    return iri;
  }

  function compact(iri) {
    let best = null;
    for (const [prefix, namespace] of Object.entries(config.prefixes)) {
      if (iri.startsWith(namespace) && (best === null || namespace.length > best[1].length)) {
        best = [prefix, namespace];
      }
    }
    if (best === null) return iri;
    const local = iri.slice(best[1].length);
    return /^[\w\-./]*$/.test(local) ? best[0] + ":" + local : iri;
  }

  function setStatus(text, isError) {
    statusLine.textContent = text;
    statusLine.classList.toggle("error", Boolean(isError));
  }

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // One result term ({type, value, xml:lang, datatype}) as table cell content.
  function termNode(term) {
    if (!term) return element("span", "unbound", "");
    if (term.type === "uri") {
      const a = element("a", "iri", compact(term.value));
      a.href = localHref(term.value);
      a.title = term.value;
      return a;
    }
    if (term.type === "bnode") return element("span", "bnode", "_:" + term.value);
    if (term.type === "triple") {
      const span = element("span", "triple", "<< ");
      for (const part of ["subject", "predicate", "object"]) {
        span.appendChild(termNode(term.value[part]));
        span.appendChild(document.createTextNode(" "));
      }
      span.appendChild(document.createTextNode(">>"));
      return span;
    }
    const span = element("span", "literal", term.value);
    const lang = term["xml:lang"];
    if (lang) {
      span.lang = lang;
      span.appendChild(element("span", "lang", " @" + lang));
    } else if (term.datatype && !term.datatype.endsWith("#string")) {
      span.appendChild(element("span", "datatype", " " + compact(term.datatype)));
    }
    return span;
  }

  function renderTable(variables, rows) {
    const table = element("table", "results-table");
    const head = table.createTHead().insertRow();
    for (const name of variables) head.appendChild(element("th", "", name));
    const body = table.createTBody();
    for (const row of rows) {
      const tr = body.insertRow();
      for (const name of variables) tr.insertCell().appendChild(termNode(row[name]));
    }
    results.replaceChildren(table);
  }

  // N-Triples (as CONSTRUCT / DESCRIBE results) -> rows of {subject, predicate, object}.
  const NT_TERM = /<([^>]*)>|_:(\S+)|"((?:[^"\\]|\\.)*)"(?:@([\w-]+)|\^\^<([^>]*)>)?/g;

  function unescapeLiteral(text) {
    return text.replace(/\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)/g, function (_all, code) {
      if (code.length > 1) return String.fromCodePoint(parseInt(code.slice(1), 16));
      return { t: "\t", n: "\n", r: "\r", b: "\b", f: "\f" }[code] ?? code;
    });
  }

  function parseNTriples(text) {
    const rows = [];
    for (const line of text.split("\n")) {
      if (!line.trim() || line.trimStart().startsWith("#")) continue;
      const terms = [];
      NT_TERM.lastIndex = 0;
      let m;
      while ((m = NT_TERM.exec(line)) !== null && terms.length < 3) {
        if (m[1] !== undefined) terms.push({ type: "uri", value: unescapeLiteral(m[1]) });
        else if (m[2] !== undefined) terms.push({ type: "bnode", value: m[2] });
        else {
          const term = { type: "literal", value: unescapeLiteral(m[3]) };
          if (m[4]) term["xml:lang"] = m[4];
          if (m[5]) term.datatype = m[5];
          terms.push(term);
        }
      }
      if (terms.length === 3) rows.push({ subject: terms[0], predicate: terms[1], object: terms[2] });
    }
    return rows;
  }

  function errorMessage(status, body) {
    try {
      // the server's canonical error shape: {"error": {"status", "title", "message"}}
      const data = JSON.parse(body);
      const error = data.error && typeof data.error === "object" ? data.error : data;
      return error.message || (typeof error.error === "string" ? error.error : body);
    } catch (_err) {
      return body.trim() || "HTTP " + status;
    }
  }

  function post(text, accept) {
    return fetch(config.endpoint, {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded;charset=UTF-8",
        Accept: accept,
      },
      body: new URLSearchParams({ query: text }).toString(),
    });
  }

  function renderDownloads(queryKind, text) {
    const formats = queryKind === "graph" ? GRAPH_FORMATS : RESULT_FORMATS;
    downloads.replaceChildren(element("span", "label", "Download: "));
    for (const [label, mediaType, extension] of formats) {
      const button = element("button", "download", label);
      button.type = "button";
      button.dataset.mediaType = mediaType;
      button.addEventListener("click", async function () {
        const response = await post(text, mediaType);
        const body = await response.blob();
        if (!response.ok) {
          setStatus("Download failed: " + errorMessage(response.status, await body.text()), true);
          return;
        }
        const url = URL.createObjectURL(body);
        const link = element("a");
        link.href = url;
        link.download = "results." + extension;
        document.body.appendChild(link);
        link.click();
        link.remove();
        setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
      });
      downloads.appendChild(button);
    }
    downloads.hidden = false;
  }

  async function run() {
    const text = withPrefixes(editor.value);
    const kind = ["CONSTRUCT", "DESCRIBE"].includes(queryForm(text)) ? "graph" : "results";
    const accept = kind === "graph" ? "application/n-triples" : "application/sparql-results+json";
    setStatus("Running…");
    results.replaceChildren();
    results.setAttribute("aria-busy", "true");
    const started = performance.now();
    let response;
    let body;
    try {
      response = await post(text, accept);
      body = await response.text();
    } catch (err) {
      results.removeAttribute("aria-busy");
      setStatus("Cannot reach the SPARQL endpoint: " + err.message, true);
      return;
    }
    results.removeAttribute("aria-busy");
    const elapsed = Math.round(performance.now() - started);
    if (!response.ok) {
      setStatus("Error " + response.status + ": " + errorMessage(response.status, body), true);
      downloads.hidden = true;
      return;
    }
    let count;
    if (kind === "graph") {
      const rows = parseNTriples(body);
      renderTable(["subject", "predicate", "object"], rows);
      count = rows.length + (rows.length === 1 ? " triple" : " triples");
    } else {
      const data = JSON.parse(body);
      if (typeof data.boolean === "boolean") {
        results.replaceChildren(element("p", "boolean", data.boolean ? "Yes (true)" : "No (false)"));
        count = "answer " + data.boolean;
      } else {
        renderTable(data.head.vars || [], data.results.bindings || []);
        const n = data.results.bindings.length;
        count = n + (n === 1 ? " result" : " results");
      }
    }
    results.dataset.state = "done";
    const truncated = response.headers.get("X-Result-Truncated");
    setStatus(
      count + " in " + elapsed + " ms" +
        (truncated ? " (cut: " + truncated.replace(/^true;\s*/, "") + ")" : ""),
    );
    renderDownloads(kind, text);
  }

  function select(name) {
    const query = queries.find(function (q) { return q.name === name; });
    if (!query) return false;
    editor.value = query.text;
    title.textContent = query.title;
    description.textContent = query.description;
    for (const item of document.querySelectorAll("#questions .question")) {
      item.classList.toggle("selected", item.dataset.queryName === name);
    }
    const url = new URL(window.location.href);
    url.searchParams.set("query", name);
    window.history.replaceState(null, "", url);
    return true;
  }

  document.addEventListener("click", function (event) {
    const link = event.target.closest("a.question-title");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey) return;
    if (select(link.dataset.queryName)) {
      event.preventDefault();
      run();
    }
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    run();
  });

  editor.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      run();
    }
  });

  if (config.autorun) run();
  document.documentElement.dataset.queryPage = "ready";
})();
