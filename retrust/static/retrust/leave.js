// "Leave quickly" (the button at the top of every partner page, or Esc): end the session, and
// swap this page for a neutral one without leaving it in the history. The sign-out goes as a
// beacon, which the browser delivers even as the page goes away; guard.js keeps the Back button
// from leading into retrust afterwards. Also: private forms that leave no page in the history.
(function () {
  "use strict";
  var KEY = "retrust-left"; // read by guard.js

  function leave(form) {
    var to = form.getAttribute("data-leave-to") || "/away/";
    try {
      window.sessionStorage.setItem(KEY, to);
    } catch (error) {
      // storage switched off: the sign-out and the swap below still happen
    }
    var data = new FormData(form);
    data.append("beacon", "1");
    var sent = false;
    try {
      sent = navigator.sendBeacon(form.action, data);
    } catch (error) {
      sent = false;
    }
    if (!sent) {
      fetch(form.action, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        keepalive: true,
      }).catch(function () {});
    }
    window.location.replace(to);
  }

  document.addEventListener("click", function (event) {
    // Links marked data-replace-history (say, "back" from a screening page) leave no trace.
    var link = event.target.closest("a[data-replace-history]");
    if (!link) return;
    event.preventDefault();
    window.location.replace(link.href);
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || event.defaultPrevented || event.isComposing) return;
    var form = document.querySelector("form[data-leave-quickly]");
    if (!form) return;
    event.preventDefault();
    leave(form);
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.hasAttribute("data-leave-quickly")) {
      event.preventDefault();
      leave(form);
      return;
    }
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
