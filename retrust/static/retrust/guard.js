// Loaded first, and blocking, on every retrust page. After "Leave quickly" (leave.js), a way
// back into retrust through the history — the Back button, or a page the browser restores from
// its back-forward cache — shows the neutral page instead, before anything is painted. Opening
// retrust afresh (typing its address, a bookmark) clears the mark: the person came back on
// purpose.
(function () {
  "use strict";
  var KEY = "retrust-left"; // written by leave.js: where "Leave quickly" went

  function leftTo() {
    try {
      return window.sessionStorage.getItem(KEY);
    } catch (error) {
      return null; // storage switched off: nothing was marked
    }
  }

  function away(to) {
    document.documentElement.hidden = true;
    window.location.replace(to);
  }

  var to = leftTo();
  if (to) {
    var entries = window.performance && performance.getEntriesByType
      ? performance.getEntriesByType("navigation")
      : [];
    if (entries.length && entries[0].type === "back_forward") {
      away(to);
    } else {
      try {
        window.sessionStorage.removeItem(KEY);
      } catch (error) {
        // nothing to clear
      }
    }
  }

  window.addEventListener("pageshow", function (event) {
    var again = leftTo();
    if (event.persisted && again) away(again);
  });
})();
