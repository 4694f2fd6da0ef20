// The chronology's filters: by base, event type and confidence, with the count of events shown.
// The page holds every event and the filters hidden: without this script all are shown.
// A choice is kept in the address (?base=…&type=…&confidence=…), so a filtered view can be linked.
(function () {
  "use strict";
  var form = document.querySelector("form.bf-filter");
  if (!form) return;
  var selects = Array.prototype.slice.call(form.querySelectorAll("select[data-filter]"));
  var groups = Array.prototype.slice.call(document.querySelectorAll(".bf-events"));
  var count = form.querySelector(".bf-filter__count");
  var digits = count.getAttribute("data-digits");
  var PARAMS = { bases: "base", type: "type", confidence: "confidence" };

  function localDigits(n) {
    return n.toLocaleString("en-US").replace(/[0-9]/g, function (d) { return digits[+d]; });
  }

  function matches(card) {
    return selects.every(function (select) {
      var wanted = select.value;
      var has = (card.getAttribute("data-" + select.getAttribute("data-filter")) || "").split(" ");
      return !wanted || has.indexOf(wanted) !== -1;
    });
  }

  // Months whose events are all filtered out lose their heading and their table-of-contents entry.
  function showMonth(group, visible) {
    group.hidden = !visible;
    var id = group.getAttribute("data-month");
    var heading = document.getElementById(id);
    if (heading) heading.hidden = !visible;
    document.querySelectorAll('.md-nav--secondary a[href="#' + id + '"]').forEach(function (link) {
      link.parentElement.hidden = !visible;
    });
  }

  function apply() {
    var shown = 0;
    groups.forEach(function (group) {
      var inGroup = 0;
      group.querySelectorAll(".bf-event").forEach(function (card) {
        var visible = matches(card);
        card.hidden = !visible;
        if (visible) inGroup += 1;
      });
      showMonth(group, inGroup > 0);
      shown += inGroup;
    });
    count.textContent = count.getAttribute("data-template").replace("{shown}", localDigits(shown));
    var url = new URL(window.location.href);
    selects.forEach(function (select) {
      var name = PARAMS[select.getAttribute("data-filter")];
      if (select.value) url.searchParams.set(name, select.value);
      else url.searchParams.delete(name);
    });
    window.history.replaceState(null, "", url.href);
  }

  var asked = new URL(window.location.href).searchParams;
  selects.forEach(function (select) {
    var value = asked.get(PARAMS[select.getAttribute("data-filter")]);
    if (value && select.querySelector('option[value="' + CSS.escape(value) + '"]')) {
      select.value = value;
    }
    select.addEventListener("change", apply);
  });
  form.addEventListener("reset", function () { window.setTimeout(apply, 0); });
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  form.hidden = false;
  apply();
})();
