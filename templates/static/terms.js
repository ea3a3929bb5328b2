/*
 * Glossary pop-overs. Each linked mention in the article body,
 * <a data-term="ID" href="…">, has a hidden card after the article,
 * <div id="term-ID" role="tooltip" popover="manual">. Hovering or focusing the
 * link shows the card beside it; Escape, moving the pointer away or moving
 * focus away hides it. The link itself stays a plain link, and without this
 * script (or without the popover API) the page loses nothing but the cards.
 */
(function () {
  "use strict";

  var body = document.querySelector("[data-article-body]");
  if (!body || !document.getElementById) {
    return;
  }

  var HIDE_DELAY_MS = 250;  // time to move the pointer from the link onto the card
  var GAP_PX = 8;           // between the link and the card
  var EDGE_PX = 8;          // kept free at the viewport's edges

  var hasPopover = typeof HTMLElement === "function" &&
    Object.prototype.hasOwnProperty.call(HTMLElement.prototype, "popover");

  var open = null;          // {link, card} while a card is shown
  var hideTimer = 0;

  function cardFor(link) {
    var id = link.getAttribute("data-term");
    var card = id ? document.getElementById("term-" + id) : null;
    return card && card.classList.contains("term-card") ? card : null;
  }

  function isShown(card) {
    if (hasPopover) {
      try {
        return card.matches(":popover-open");
      } catch (error) {
        return false;
      }
    }
    return card.classList.contains("is-open");
  }

  // Below the link (its first line box), or above it when there is no room below.
  function place(link, card) {
    var rects = link.getClientRects();
    var box = rects.length ? rects[0] : link.getBoundingClientRect();
    var viewportWidth = document.documentElement.clientWidth;
    var viewportHeight = document.documentElement.clientHeight;
    var width = card.offsetWidth;
    var height = card.offsetHeight;

    var left = Math.max(EDGE_PX, Math.min(box.left, viewportWidth - width - EDGE_PX));
    var top = box.bottom + GAP_PX;
    if (top + height > viewportHeight - EDGE_PX && box.top - GAP_PX - height >= EDGE_PX) {
      top = box.top - GAP_PX - height;
    }
    card.style.left = Math.round(left + window.pageXOffset) + "px";
    card.style.top = Math.round(top + window.pageYOffset) + "px";
  }

  function hideNow() {
    window.clearTimeout(hideTimer);
    if (!open) {
      return;
    }
    var card = open.card;
    open.link.classList.remove("term-open");
    open = null;
    if (hasPopover) {
      if (isShown(card)) {
        card.hidePopover();
      }
    } else {
      card.classList.remove("is-open");
    }
  }

  function hideSoon() {
    window.clearTimeout(hideTimer);
    hideTimer = window.setTimeout(hideNow, HIDE_DELAY_MS);
  }

  function show(link) {
    var card = cardFor(link);
    if (!card) {
      return;
    }
    window.clearTimeout(hideTimer);
    if (open && open.card === card) {
      return;
    }
    hideNow();
    if (hasPopover) {
      card.showPopover();
    } else {
      card.classList.add("is-open");
    }
    open = { link: link, card: card };
    link.classList.add("term-open");
    place(link, card);
  }

  function termLink(target) {
    var link = target && target.closest ? target.closest("a[data-term]") : null;
    return link && body.contains(link) ? link : null;
  }

  var links = body.querySelectorAll("a[data-term]");
  for (var i = 0; i < links.length; i += 1) {
    var card = cardFor(links[i]);
    if (card) {
      // The card's text is the link's description, read with it on focus.
      links[i].setAttribute("aria-describedby", card.id);
    }
  }

  body.addEventListener("mouseover", function (event) {
    var link = termLink(event.target);
    if (link) {
      show(link);
    }
  });

  body.addEventListener("mouseout", function (event) {
    var link = termLink(event.target);
    if (link && !link.contains(event.relatedTarget)) {
      hideSoon();
    }
  });

  body.addEventListener("focusin", function (event) {
    var link = termLink(event.target);
    if (link) {
      show(link);
    }
  });

  body.addEventListener("focusout", function (event) {
    if (termLink(event.target)) {
      hideNow();
    }
  });

  // The pointer may move onto the card to read it (WCAG 1.4.13, hoverable).
  document.addEventListener("mouseover", function (event) {
    if (open && open.card.contains(event.target)) {
      window.clearTimeout(hideTimer);
    }
  });

  document.addEventListener("mouseout", function (event) {
    if (open && open.card.contains(event.target) && !open.card.contains(event.relatedTarget)) {
      hideSoon();
    }
  });

  document.addEventListener("keydown", function (event) {
    if ((event.key === "Escape" || event.key === "Esc") && open) {
      hideNow();
    }
  });

  window.addEventListener("resize", hideNow);
})();
