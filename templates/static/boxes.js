/*
 * The explainer's fact boxes, each a <details> that the page sends open. On a
 * phone they follow the story, so this script closes them there, before they
 * are on screen, and the chips under the headline open the one they lead to.
 * Without this script every box stays open: nothing is hidden from a reader.
 */
(function () {
  "use strict";

  var boxes = document.querySelectorAll("[data-factbox] > details");
  if (!boxes.length || !window.matchMedia) {
    return;
  }

  // The width at which style.css puts the boxes beside the story.
  var wide = window.matchMedia("(min-width: 64em)");

  function boxFor(hash) {
    var target = hash.length > 1 ? document.getElementById(hash.slice(1)) : null;
    var aside = target && target.closest ? target.closest("[data-factbox]") : null;
    return aside ? aside.querySelector("details") : null;
  }

  function fit() {
    var wanted = boxFor(window.location.hash);
    for (var i = 0; i < boxes.length; i += 1) {
      boxes[i].open = wide.matches || boxes[i] === wanted;
    }
  }

  function openFor(hash) {
    var box = boxFor(hash);
    if (box) {
      box.open = true;
    }
  }

  function openAll() {
    for (var i = 0; i < boxes.length; i += 1) {
      boxes[i].open = true;
    }
  }

  fit();
  // Paper shows every box whole, folded on screen or not.
  window.addEventListener("beforeprint", openAll);
  window.addEventListener("afterprint", fit);
  if (wide.addEventListener) {
    wide.addEventListener("change", fit);
  }
  window.addEventListener("hashchange", function () {
    openFor(window.location.hash);
  });
  // A chip tapped twice does not change the hash: open its box all the same.
  document.addEventListener("click", function (event) {
    var chip = event.target && event.target.closest ? event.target.closest("a.chip") : null;
    if (chip) {
      openFor(chip.getAttribute("href") || "");
    }
  });
})();
