// Progressive enhancement: a "Copy link" button beside a link to share. Without JavaScript (or
// without the clipboard) the button stays hidden and the link can be copied by hand.
(function () {
  "use strict";
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
