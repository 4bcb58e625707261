(function () {
  var sel = document.getElementById('market-filter');
  var q = document.getElementById('text-filter');
  var shown = document.getElementById('shown');
  if (!sel) return;
  var rows = Array.prototype.slice.call(document.querySelectorAll('#events tbody tr'));
  function apply() {
    var m = sel.value, t = q.value.trim().toLowerCase(), n = 0;
    rows.forEach(function (r) {
      var ok = (!m || r.getAttribute('data-markets').split(' ').indexOf(m) >= 0) &&
               (!t || r.textContent.toLowerCase().indexOf(t) >= 0);
      r.hidden = !ok;
      if (ok) n++;
    });
    shown.textContent = n;
  }
  sel.addEventListener('change', function () {
    // remember the market in the address (#market=IN), so a filtered view can be bookmarked or shared
    history.replaceState(null, '', sel.value ? '#market=' + encodeURIComponent(sel.value) : location.pathname);
    apply();
  });
  q.addEventListener('input', apply);
  var m = /(?:^#|&)market=([^&]+)/.exec(location.hash);
  if (m) {
    var want = decodeURIComponent(m[1]).toUpperCase();
    for (var i = 0; i < sel.options.length; i++) if (sel.options[i].value === want) sel.value = want;
    apply();
  }
})();
