/* kbctl help center search: offline, no network. The index (assets/search-index.js) holds
   kbctl's own terms (Snowball stems, ё folded); a query word matches a term that equals it,
   a stem it starts with, a term it starts (the word being typed), or one typo away. */
(function () {
  "use strict";
  var input = document.getElementById("kb-search");
  var list = document.getElementById("kb-results");
  if (!input || !list) { return; }
  var root = input.getAttribute("data-root") || "";
  var index = null, terms = null, byLength = null, decoded = {}, stops = {}, loading = false, pending = null;
  var TOKEN = /[\p{L}\p{N}]+(?:[.\-][\p{L}\p{N}]+)*/gu;

  function load(then) {
    if (index) { then(); return; }
    pending = then;
    if (loading) { return; }
    loading = true;
    var script = document.createElement("script");
    script.src = root + "assets/search-index.js";
    script.onload = function () {
      index = window.KBCTL_INDEX;
      terms = Object.keys(index.terms);
      byLength = {};
      terms.forEach(function (term) { (byLength[term.length] = byLength[term.length] || []).push(term); });
      index.stops.forEach(function (word) { stops[word] = true; });
      if (pending) { pending(); }
    };
    document.head.appendChild(script);
  }

  function postings(term) {
    var found = decoded[term];
    if (!found) {
      var deltas = index.terms[term], value = 0;
      found = new Array(deltas.length);
      for (var i = 0; i < deltas.length; i++) { value += deltas[i]; found[i] = value; }
      decoded[term] = found;
    }
    return found;
  }

  /* Edit distance (with transpositions), stopping early past `limit`. */
  function distance(a, b, limit) {
    if (Math.abs(a.length - b.length) > limit) { return limit + 1; }
    var previous2 = null, previous = [], current, i, j;
    for (j = 0; j <= b.length; j++) { previous.push(j); }
    for (i = 1; i <= a.length; i++) {
      current = [i];
      var best = i;
      for (j = 1; j <= b.length; j++) {
        var cost = a[i - 1] === b[j - 1] ? 0 : 1;
        var value = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
        if (previous2 && i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
          value = Math.min(value, previous2[j - 2] + 1);
        }
        current.push(value);
        if (value < best) { best = value; }
      }
      if (best > limit) { return limit + 1; }
      previous2 = previous; previous = current;
    }
    return previous[b.length];
  }

  /* Terms a query word matches, with a weight: 3 exact, 2 stem, 1 typed prefix or typo. */
  function matches(word, last) {
    var found = {};
    if (index.terms[word]) { found[word] = 3; }
    var shortest = /[а-я]/.test(word) ? 3 : 4;
    for (var cut = word.length - 1; cut >= Math.max(shortest, word.length - 4); cut--) {
      var stem = word.slice(0, cut);
      if (index.terms[stem] && !found[stem]) { found[stem] = 2; }
    }
    var strong = Object.keys(found).length > 0;
    if (last && word.length >= 3) {
      for (var k = 0; k < terms.length; k++) {
        if (terms[k].lastIndexOf(word, 0) === 0 && !found[terms[k]]) { found[terms[k]] = 1; }
      }
    }
    if (!strong && word.length >= 5 && !/\d/.test(word)) {
      var limit = word.length <= 8 ? 1 : 2;
      for (var length = Math.max(4, word.length - 4); length <= word.length + limit; length++) {
        var group = byLength[length] || [];
        for (var n = 0; n < group.length; n++) {
          var term = group[n];
          if (found[term]) { continue; }
          var best = distance(word, term, limit);
          /* an inflected word against a stem: compare the start of the word of about the
             stem's length */
          for (var size = term.length - 1; best > limit && size <= term.length + 1; size++) {
            if (size < word.length) { best = Math.min(best, distance(word.slice(0, size), term, limit)); }
          }
          if (best <= limit) { found[term] = 1; }
        }
      }
    }
    return found;
  }

  function search(query) {
    var words = (query.toLowerCase().replace(/ё/g, "е").match(TOKEN) || []).filter(function (word) {
      return !stops[word];
    });
    var scores = {}, hits = {};
    words.forEach(function (word, position) {
      var found = matches(word, position === words.length - 1), best = {};
      Object.keys(found).forEach(function (term) {
        postings(term).forEach(function (value) {
          var doc = value >> 1, weight = found[term] * (value & 1 ? 3 : 1);
          if (!best[doc] || best[doc] < weight) { best[doc] = weight; }
        });
      });
      Object.keys(best).forEach(function (doc) {
        scores[doc] = (scores[doc] || 0) + best[doc];
        hits[doc] = (hits[doc] || 0) + 1;
      });
    });
    return Object.keys(scores).sort(function (a, b) {
      return (hits[b] - hits[a]) || (scores[b] - scores[a]) || (a - b);
    }).slice(0, 20).map(Number);
  }

  function show(found, query) {
    list.textContent = "";
    found.forEach(function (number) {
      var doc = index.docs[number];
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = root + doc[1];
      link.textContent = doc[0];
      item.appendChild(link);
      if (doc[2] || doc[3]) {
        var note = document.createElement("small");
        note.textContent = (doc[2] ? doc[2] + " · " : "") + doc[3];
        item.appendChild(document.createElement("br"));
        item.appendChild(note);
      }
      list.appendChild(item);
    });
    if (!found.length && query.trim()) {
      var none = document.createElement("li");
      none.className = "none";
      none.textContent = input.getAttribute("data-none") || "";
      list.appendChild(none);
    }
    list.setAttribute("data-count", String(found.length));
    list.setAttribute("data-query", query);
  }

  function run() {
    load(function () {
      var query = input.value;
      show(query.trim() ? search(query) : [], query);
    });
  }
  input.addEventListener("input", run);
  input.addEventListener("focus", function () { load(function () {}); });
})();
