// The Search page: Pagefind's index, written beside the site by `briefing build`, is fetched
// only here and only once a reader searches, a few small chunks for the words asked for.
// The index of the page's language (<html lang>) is searched; results link to their pages.
(function () {
  "use strict";
  var form = document.getElementById("bf-search");
  if (!form) return;
  var input = form.querySelector("input[type=search]");
  var status = document.getElementById("bf-search-status");
  var list = document.getElementById("bf-search-results");
  var bundle = new URL(form.getAttribute("data-pagefind"), document.baseURI);
  var siteRoot = new URL("../", bundle); // the bundle sits at <site>/pagefind/
  var said = function (key, count) {
    return form.getAttribute("data-" + key).replace("{count}", String(count));
  };
  var engine = null;
  var asked = 0;

  function load() {
    if (!engine) {
      engine = import(bundle.href).then(function (pagefind) {
        return pagefind.options({ excerptLength: 24 }).then(function () { return pagefind; });
      });
    }
    return engine;
  }

  // Pagefind's URLs start at the site's root: make them relative to where the site is served
  function address(url) {
    return new URL(url.replace(/^\//, ""), siteRoot).href;
  }

  function link(href, text) {
    var a = document.createElement("a");
    a.href = href;
    a.textContent = text;
    return a;
  }

  function show(results) {
    list.replaceChildren();
    results.forEach(function (page) {
      var item = document.createElement("li");
      var title = document.createElement("h2");
      title.appendChild(link(address(page.url), page.meta.title || page.url));
      var excerpt = document.createElement("p");
      excerpt.innerHTML = page.excerpt; // Pagefind's own escaped text with <mark> around hits
      item.append(title, excerpt);
      var parts = (page.sub_results || []).filter(function (s) { return s.url !== page.url; });
      if (parts.length) {
        var within = document.createElement("ul");
        parts.slice(0, 3).forEach(function (part) {
          var entry = document.createElement("li");
          entry.appendChild(link(address(part.url), part.title));
          within.appendChild(entry);
        });
        item.appendChild(within);
      }
      list.appendChild(item);
    });
  }

  function search(query) {
    var mine = ++asked;
    query = query.trim();
    if (!query) {
      list.replaceChildren();
      status.textContent = "";
      return;
    }
    status.textContent = said("searching");
    list.setAttribute("aria-busy", "true"); // until the results are shown
    load()
      .then(function (pagefind) { return pagefind.search(query); })
      .then(function (found) {
        if (mine !== asked) return null;
        status.textContent = found.results.length
          ? said("found", found.results.length)
          : said("none");
        return Promise.all(found.results.slice(0, 10).map(function (r) { return r.data(); }));
      })
      .then(function (results) {
        if (results && mine === asked) show(results);
      })
      .catch(function () {
        if (mine === asked) status.textContent = said("failed");
      })
      .finally(function () {
        if (mine === asked) list.setAttribute("aria-busy", "false");
      });
  }

  var timer = null;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { search(input.value); }, 250);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearTimeout(timer);
    search(input.value);
    history.replaceState(null, "", "?q=" + encodeURIComponent(input.value.trim()));
  });
  var given = new URLSearchParams(location.search).get("q");
  if (given) {
    input.value = given;
    search(given);
  }
})();
