// The search box. Its space is laid out from the first paint, invisible; this
// script makes it visible where the page is served over http(s). Without
// JavaScript, or from file:// (where the index cannot be fetched), it stays
// invisible and the Glossary and section pages are the way in.
//
// Pagefind (its JS API, about 40 KB and a WebAssembly module) is loaded only
// when a reader first focuses the box or types in it. Results are built with
// DOM methods: the only markup taken from the index is <mark> around the
// words found, read through a DOMParser document that runs nothing.
(function () {
  "use strict";
  var MAX_RESULTS = 8;
  var box = document.getElementById("search");
  var script = document.currentScript;
  if (!box || !script || location.protocol === "file:") {
    return;
  }
  var input = box.querySelector("input");
  var list = box.querySelector("ol");
  var status = box.querySelector("[role=status]");
  // The site's root is the folder above static/, wherever the site is served.
  var root = new URL("../", script.src);
  var engine = null;
  var latest = "";

  var loadEngine = function () {
    if (!engine) {
      engine = import(new URL("pagefind/pagefind.js", root).href).then(function (pagefind) {
        // Pagefind favours short pages by default, so a name in a headline
        // would list its two-line glossary entry above the story itself.
        var options = { baseUrl: root.pathname, excerptLength: 24, ranking: { pageLength: 0 } };
        return pagefind.options(options).then(function () {
          return pagefind;
        });
      });
    }
    return engine;
  };

  // Pagefind's excerpt is escaped text with <mark> around the words found.
  var excerptNodes = function (excerpt) {
    var parsed = new DOMParser().parseFromString(excerpt, "text/html");
    return Array.prototype.map.call(parsed.body.childNodes, function (node) {
      if (node.nodeName === "MARK") {
        var mark = document.createElement("mark");
        mark.textContent = node.textContent;
        return mark;
      }
      return document.createTextNode(node.textContent || "");
    });
  };

  // Pagefind names a page by its folder; the site links to index.html, which
  // also opens where a server lists folders rather than serving their index.
  var pageHref = function (url) {
    return /\/$/.test(url) ? url + "index.html" : url;
  };

  var resultItem = function (data) {
    var item = document.createElement("li");
    item.className = "search-result";
    var kind = document.createElement("p");
    kind.className = "search-result-kind";
    kind.textContent = data.meta.type || "Page";
    var link = document.createElement("a");
    link.href = pageHref(data.url);
    link.textContent = data.meta.title || data.url;
    var title = document.createElement("p");
    title.className = "search-result-title";
    title.appendChild(link);
    var excerpt = document.createElement("p");
    excerpt.className = "search-result-excerpt";
    excerptNodes(data.excerpt).forEach(function (node) {
      excerpt.appendChild(node);
    });
    item.append(kind, title, excerpt);
    return item;
  };

  var show = function (query, found) {
    list.replaceChildren.apply(list, found.map(resultItem));
    list.hidden = found.length === 0;
    var count = found.length === 1 ? "1 result" : found.length + " results";
    status.textContent = count + " for “" + query + "”";
  };

  var clear = function () {
    list.replaceChildren();
    list.hidden = true;
    status.textContent = "";
  };

  var run = function () {
    var query = input.value.trim();
    latest = query;
    if (!query) {
      clear();
      return;
    }
    loadEngine()
      .then(function (pagefind) {
        return pagefind.debouncedSearch(query, {}, 200);
      })
      .then(function (search) {
        // null: a later keystroke replaced this search.
        if (!search || query !== latest) {
          return null;
        }
        var top = search.results.slice(0, MAX_RESULTS);
        return Promise.all(
          top.map(function (result) {
            return result.data();
          })
        ).then(function (found) {
          if (query === latest) {
            show(query, found);
          }
        });
      })
      .catch(function () {
        status.textContent = "Search is not available right now.";
      });
  };

  input.addEventListener("focus", loadEngine, { once: true });
  input.addEventListener("input", run);
  input.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      input.value = "";
      clear();
    } else if (event.key === "Enter") {
      // Enter goes to the first result, as a form without a target cannot.
      event.preventDefault();
      var first = list.querySelector("a");
      if (first) {
        first.focus();
      }
    }
  });
  box.classList.add("is-ready");
})();
