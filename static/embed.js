/* Parley embeds, on the page that hosts them: fits every Parley iframe to its content.

   Listens for the height each widget posts, and believes only messages that come from Parley's
   origin (the origin this script was loaded from) and from one of this page's Parley iframes.
   An external script with no eval and no inline code, so it runs under a strict
   Content-Security-Policy; without it the iframes still show their content, scrollable. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.src || !window.URL) return;
  var origin = new URL(script.src, location.href).origin;
  // The snippet is pasted once per widget: one listener per Parley origin is enough.
  var started = (window.parleyEmbeds = window.parleyEmbeds || {});
  if (started[origin]) return;
  started[origin] = true;

  function parleyFrames() {
    return Array.prototype.filter.call(document.getElementsByTagName("iframe"), function (frame) {
      var address;
      try {
        address = new URL(frame.src, location.href);
      } catch (error) {
        return false;
      }
      return address.origin === origin &&
        (frame.hasAttribute("data-parley-embed") || address.pathname.indexOf("/embed/") === 0);
    });
  }

  window.addEventListener("message", function (event) {
    var data = event.data;
    if (event.origin !== origin || !data || data.type !== "parley:resize") return;
    var height = Math.ceil(Number(data.height));
    if (!(height > 0 && height < 100000)) return;
    parleyFrames().forEach(function (frame) {
      if (frame.contentWindow !== event.source) return;
      frame.style.height = height + "px";
      // The snippet's style attribute may be refused by the page's CSP; the CSSOM is not.
      if (getComputedStyle(frame).borderTopStyle === "inset") frame.style.border = "0";
    });
  });

  // Widgets that loaded before this script ran have already posted their height: ask again. To any
  // origin: a frame still loading (lazily, say) is about:blank, and a message aimed at Parley's origin
  // would make the browser log an error on the host's page. The request holds nothing private, and a
  // widget answers only its own parent.
  parleyFrames().forEach(function (frame) {
    if (frame.contentWindow) frame.contentWindow.postMessage({ type: "parley:request-size" }, "*");
  });
})();
