// The search box: Pagefind's UI, where the page is served over http(s).
// Without JavaScript, or from file:// (where the index cannot be fetched),
// the box stays hidden and the Glossary and section pages are the way in.
(function () {
  "use strict";
  var box = document.getElementById("search");
  if (!box || location.protocol === "file:" || typeof window.PagefindUI !== "function") {
    return;
  }
  box.parentElement.hidden = false;
  // Pagefind's input has only a title; name it by the page's own label.
  var labelInput = function () {
    var input = box.querySelector("input");
    if (input) {
      input.setAttribute("aria-labelledby", "search-label");
    }
    return Boolean(input);
  };
  if (!labelInput()) {
    var observer = new MutationObserver(function () {
      if (labelInput()) {
        observer.disconnect();
      }
    });
    observer.observe(box, { childList: true, subtree: true });
  }
  new window.PagefindUI({ element: "#search", showImages: false, resetStyles: false });
})();
