// "Leave quickly": swap this page for a neutral one without leaving it in the history, and
// submit private forms without adding their pages to the history either.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    // Links marked data-replace-history (say, "back" from a screening page) also leave no trace.
    var link = event.target.closest("[data-leave-quickly], a[data-replace-history]");
    if (!link) return;
    event.preventDefault();
    window.location.replace(link.href);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var link = document.querySelector("[data-leave-quickly]");
    if (link) window.location.replace(link.href);
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-replace-history")) return;
    event.preventDefault();
    fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin" })
      .then(function (response) {
        if (response.ok && response.redirected) {
          window.location.replace(response.url);
          return;
        }
        // Sent back with a message (say, a question left out): show the answer in place.
        // Submitting the form again would post it twice and add this page to the history.
        return response.text().then(function (html) {
          var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("main");
          var current = document.getElementById("main");
          if (!fresh || !current) {
            window.location.replace(window.location.href);
            return;
          }
          current.replaceWith(fresh);
          var invalid = fresh.querySelector("[aria-invalid='true']");
          (invalid || fresh).focus();
        });
      })
      .catch(function () { window.location.replace(window.location.href); });
  });
})();
