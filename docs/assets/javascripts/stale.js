// Says when the record's information cutoff is more than the allowed days old on the day the
// page is read: a build stays byte-reproducible, so this cannot be decided when it is made.
(function () {
  "use strict";
  var DAY = 24 * 60 * 60 * 1000;
  document.querySelectorAll(".bf-updated[data-cutoff]").forEach(function (box) {
    var cutoff = Date.parse(box.getAttribute("data-cutoff") + "T00:00:00Z");
    var allowed = Number(box.getAttribute("data-stale-days") || "30");
    var notice = box.querySelector(".bf-stale");
    if (notice && !isNaN(cutoff) && Date.now() - cutoff > allowed * DAY) {
      notice.hidden = false;
    }
  });
})();
