/*
 * Under file:// a link to a folder ("../glossary/kim-jong-un/") opens a
 * directory listing instead of the page, so point such links at the folder's
 * index.html. Only same-site relative links are touched; on a web server
 * nothing changes.
 */
(function () {
  "use strict";

  if (window.location.protocol !== "file:") {
    return;
  }

  // A scheme ("https:", "mailto:"), a root or protocol-relative path, or a fragment.
  var NOT_RELATIVE = /^(?:[a-z][a-z0-9+.\-]*:|\/|#)/i;

  function withIndex(href) {
    if (!href || NOT_RELATIVE.test(href)) {
      return null;
    }
    var split = /^([^?#]*)(.*)$/.exec(href);
    var path = split[1];
    var rest = split[2];
    if (path === "") {
      return null;
    }
    if (path === "." || path === ".." || /\/\.\.?$/.test(path)) {
      path += "/";
    }
    if (path.charAt(path.length - 1) !== "/") {
      return null;
    }
    return path + "index.html" + rest;
  }

  function rewrite() {
    var links = document.querySelectorAll("a[href], area[href]");
    for (var i = 0; i < links.length; i += 1) {
      var fixed = withIndex(links[i].getAttribute("href"));
      if (fixed !== null) {
        links[i].setAttribute("href", fixed);
      }
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", rewrite);
  } else {
    rewrite();
  }
})();
