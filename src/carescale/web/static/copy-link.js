// Progressive enhancement for links to share (a result, a saved scenario):
// 1. A link the server wrote with a loopback address (127.0.0.1, localhost, [::1]: no public
//    address was configured) while this browser reached the app at another address is shown and
//    copied with this browser's own address instead (the server never takes the address from the
//    request's Host header: docs/security.md).
// 2. A "Copy link" button beside it. Without JavaScript (or without the clipboard) the button
//    stays hidden and the link can be copied by hand.
(function () {
  "use strict";
  var loopback = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/i;
  function ownAddress(url) {
    try {
      var u = new URL(url, window.location.href);
      if (loopback.test(u.hostname) && !loopback.test(window.location.hostname)) {
        return window.location.origin + u.pathname + u.search + u.hash;
      }
    } catch (e) { /* not an address: leave it */ }
    return url;
  }
  document.querySelectorAll("a[data-share-link]").forEach(function (link) {
    var shown = ownAddress(link.textContent.trim());
    if (shown !== link.textContent.trim()) { link.textContent = shown; }
  });
  document.querySelectorAll("button.carescale-copy[data-copy]").forEach(function (button) {
    button.setAttribute("data-copy", ownAddress(button.getAttribute("data-copy")));
  });
  if (!navigator.clipboard || !window.isSecureContext) { return; }
  document.querySelectorAll("button.carescale-copy[data-copy]").forEach(function (button) {
    var status = document.getElementById("copy-status");
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(button.getAttribute("data-copy")).then(function () {
        if (status) { status.textContent = "Link copied."; }
      }, function () {
        if (status) { status.textContent = "Could not copy: select the link and copy it."; }
      });
    });
  });
})();
