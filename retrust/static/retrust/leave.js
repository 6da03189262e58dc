// "Leave quickly": swap this page for a neutral one without leaving it in the history, and
// submit private forms without adding their pages to the history either.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-leave-quickly]");
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
        } else {
          form.removeAttribute("data-replace-history");
          form.submit();
        }
      })
      .catch(function () { form.submit(); });
  });
})();
