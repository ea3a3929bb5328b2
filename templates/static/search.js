// The search box: Pagefind's UI, where the page is served over http(s).
// Without JavaScript, or from file:// (where the index cannot be fetched),
// the box stays hidden and the Glossary and section pages are the way in.
(function () {
  "use strict";
  var box = document.getElementById("search");
  if (!box || location.protocol === "file:" || typeof window.PagefindUI !== "function") {
    return;
  }
  box.hidden = false;
  new window.PagefindUI({ element: "#search", showImages: false, resetStyles: false });
})();
