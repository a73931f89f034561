/* Inside a Parley widget: tell the page around it how tall the widget is, so that embed.js
   (or AMP's amp-iframe) can fit the iframe to it. The widget reads fine without this script. */
(function () {
  "use strict";
  var root = document.documentElement;
  var focus = document.querySelector(".focus");
  // A focused widget keeps the height the page gave it and opens at the focused round. A #fragment
  // in the iframe's address does the same without JavaScript; this covers addresses without one.
  if (focus && !location.hash) {
    window.scrollTo(0, focus.getBoundingClientRect().top + window.scrollY - 8);
  }
  if (window.parent === window || root.hasAttribute("data-fixed-height")) return;

  var sent = 0;
  function post(force) {
    var height = Math.ceil(root.getBoundingClientRect().height);
    if (height === sent && force !== true) return;
    sent = height;
    window.parent.postMessage({ type: "parley:resize", height: height, url: location.href }, "*");
    window.parent.postMessage({ sentinel: "amp", type: "embed-size", height: height }, "*");
  }

  // embed.js may start after this widget has loaded: it asks, and the widget answers.
  window.addEventListener("message", function (event) {
    if (event.source === window.parent && event.data && event.data.type === "parley:request-size") post(true);
  });
  if (window.ResizeObserver) new ResizeObserver(function () { post(); }).observe(root);
  window.addEventListener("load", function () { post(); });
  window.addEventListener("resize", function () { post(); });
  post();
})();
