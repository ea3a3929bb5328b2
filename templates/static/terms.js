/*
 * Glossary pop-overs. Each linked mention in the article body,
 * <a data-term="ID" href="…">, has a hidden card after the article,
 * <div id="term-ID" popover="manual">, which ends with a link to the entry.
 *
 * - A mouse resting on a mention opens its card after a short delay, so that a
 *   pointer sweeping across a paragraph opens nothing; leaving both the
 *   mention and the card closes it.
 * - A tap on a touch screen opens the card instead of leaving the page; the
 *   card's "Open entry" link (or a second tap) goes on to the entry.
 * - Keyboard focus opens it at once; Escape closes it.
 * - A mention is described by its card's kind ("Person"), not by the whole card.
 * - A button in the chips under the headline turns cards off and on; the choice
 *   is kept in localStorage where there is one.
 *
 * Without this script (or without the popover API) the mentions stay plain links.
 */
(function () {
  "use strict";

  var body = document.querySelector("[data-article-body]");
  if (!body || !document.getElementById) {
    return;
  }

  var SHOW_DELAY_MS = 400;  // a pointer that rests, not one passing by
  var HIDE_DELAY_MS = 250;  // time to move the pointer from the link onto the card
  var GAP_PX = 8;           // between the link and the card
  var EDGE_PX = 8;          // kept free at the viewport's edges
  var STORAGE_KEY = "explainer-cards";

  var hasPopover = typeof HTMLElement === "function" &&
    Object.prototype.hasOwnProperty.call(HTMLElement.prototype, "popover");

  var open = null;          // {link, card} while a card is shown
  var showTimer = 0;
  var hideTimer = 0;
  var enabled = readChoice();

  function readChoice() {
    try {
      return window.localStorage.getItem(STORAGE_KEY) !== "off";
    } catch (error) {
      return true;  // storage may be refused (file://, privacy settings)
    }
  }

  function saveChoice() {
    try {
      window.localStorage.setItem(STORAGE_KEY, enabled ? "on" : "off");
    } catch (error) {
      // The choice then lasts as long as the page.
    }
  }

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
    window.clearTimeout(showTimer);
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
    window.clearTimeout(showTimer);
    window.clearTimeout(hideTimer);
    hideTimer = window.setTimeout(hideNow, HIDE_DELAY_MS);
  }

  function show(link) {
    var card = enabled ? cardFor(link) : null;
    if (!card) {
      return;
    }
    window.clearTimeout(showTimer);
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

  function showSoon(link) {
    window.clearTimeout(showTimer);
    window.clearTimeout(hideTimer);
    if (open && open.link === link) {
      return;
    }
    showTimer = window.setTimeout(function () {
      show(link);
    }, SHOW_DELAY_MS);
  }

  function termLink(target) {
    var link = target && target.closest ? target.closest("a[data-term]") : null;
    return link && body.contains(link) ? link : null;
  }

  function describeLinks() {
    var links = body.querySelectorAll("a[data-term]");
    for (var i = 0; i < links.length; i += 1) {
      var card = cardFor(links[i]);
      var kind = card ? document.getElementById(card.id + "-kind") : null;
      if (enabled && kind) {
        links[i].setAttribute("aria-describedby", kind.id);
      } else {
        links[i].removeAttribute("aria-describedby");
      }
    }
  }

  // The switch sits at the end of the chips under the headline, where adding it
  // moves nothing else; a page without chips gets it after the story.
  function addSwitch() {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "chip cards-switch";
    function label() {
      button.textContent = enabled ? "Turn cards off" : "Turn cards on";
    }
    label();
    button.addEventListener("click", function () {
      enabled = !enabled;
      saveChoice();
      hideNow();
      describeLinks();
      label();
    });
    var chips = document.querySelector(".jump-chips");
    var holder = document.createElement(chips ? "li" : "p");
    holder.appendChild(button);
    if (chips) {
      chips.appendChild(holder);
    } else {
      body.appendChild(holder);
    }
  }

  describeLinks();
  addSwitch();

  body.addEventListener("pointerover", function (event) {
    var link = termLink(event.target);
    if (link && event.pointerType === "mouse") {
      showSoon(link);
    }
  });

  body.addEventListener("pointerout", function (event) {
    var link = termLink(event.target);
    if (link && event.pointerType === "mouse" && !link.contains(event.relatedTarget)) {
      hideSoon();
    }
  });

  // A tap: the first opens the card, a second on the same mention follows it.
  var lastPointer = "";
  document.addEventListener("pointerdown", function (event) {
    lastPointer = event.pointerType;
  }, true);

  body.addEventListener("click", function (event) {
    var link = termLink(event.target);
    if (!link || lastPointer !== "touch" || !enabled || !cardFor(link)) {
      return;
    }
    if (!(open && open.link === link)) {
      event.preventDefault();
      show(link);
    }
  });

  // A tap anywhere else closes the card.
  document.addEventListener("click", function (event) {
    if (open && !open.card.contains(event.target) && !termLink(event.target)) {
      hideNow();
    }
  });

  // Focus from the keyboard only: a tap or click focuses the link too.
  body.addEventListener("focusin", function (event) {
    var link = termLink(event.target);
    var byKeyboard = true;
    try {
      byKeyboard = link ? link.matches(":focus-visible") : false;
    } catch (error) {
      byKeyboard = true;
    }
    if (link && byKeyboard) {
      show(link);
    }
  });

  body.addEventListener("focusout", function (event) {
    if (termLink(event.target) && lastPointer !== "touch") {
      hideNow();
    }
  });

  // The pointer may move onto the card to read it (WCAG 1.4.13, hoverable).
  document.addEventListener("pointerover", function (event) {
    if (open && open.card.contains(event.target)) {
      window.clearTimeout(hideTimer);
    }
  });

  document.addEventListener("pointerout", function (event) {
    if (open && event.pointerType === "mouse" && open.card.contains(event.target) &&
        !open.card.contains(event.relatedTarget)) {
      hideSoon();
    }
  });

  document.addEventListener("keydown", function (event) {
    lastPointer = "";
    if ((event.key === "Escape" || event.key === "Esc") && open) {
      hideNow();
    }
  });

  // A phone's address bar coming and going resizes the viewport's height only.
  var viewportWidth = window.innerWidth;
  window.addEventListener("resize", function () {
    if (window.innerWidth !== viewportWidth) {
      viewportWidth = window.innerWidth;
      hideNow();
    }
  });
})();
