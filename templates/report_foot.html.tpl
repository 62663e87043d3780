{{%AUTOESCAPE context="HTML"}}{{! Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
    The end of index.html. The script makes the tooltip circles of each chart's data-p (see
    chart_overlay.svg.tpl) with their <title>, from #tip-keys and the rest, and sorts the
    summary table by a clicked column; its SHA-256 is in the Content Security Policy of report_head.html.tpl: change both together
    (tests/cli/report_test.py prints the new hash). }}</main>
<footer>Written by perfcheck {{GENERATOR_VERSION}} from the history; nothing was re-run. Charts by gnuplot. Change points: PELT (Killick, Fearnhead &amp; Eckley 2012) with penalty 3&nbsp;ln&nbsp;n.</footer>
{{#TIP_KEYS}}<div id="tip-keys" hidden data-keys="{{LIST}}"></div>
{{/TIP_KEYS}}<script>
var tipKeys = document.getElementById("tip-keys");
tipKeys = tipKeys ? JSON.parse(tipKeys.dataset.keys) : [];
document.querySelectorAll(".tips[data-p]").forEach(function (g) {
  var first = g.firstChild, ns = g.namespaceURI;
  g.dataset.p.split("|").forEach(function (record) {
    var f = record.split(" "), c = document.createElementNS(ns, "circle"), title = document.createElementNS(ns, "title");
    c.setAttribute("cx", f[0]);
    c.setAttribute("cy", f[1]);
    title.textContent = tipKeys[+f[2]] + " " + f.slice(4).join(" ") + tipKeys[+f[3]];
    c.appendChild(title);
    g.insertBefore(c, first);
  });
  g.removeAttribute("data-p");
});
document.querySelectorAll("table.sortable th").forEach(function (th, col) {
  th.addEventListener("click", function () {
    var body = th.closest("table").tBodies[0], up = th.getAttribute("aria-sort") !== "ascending";
    th.parentNode.querySelectorAll("th").forEach(function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", up ? "ascending" : "descending");
    var key = function (row) { var c = row.cells[col]; return c.dataset.sort !== undefined ? parseFloat(c.dataset.sort) : c.textContent.trim().toLowerCase(); };
    Array.from(body.rows).sort(function (a, b) { var x = key(a), y = key(b), r = x < y ? -1 : x > y ? 1 : 0; return up ? r : -r; }).forEach(function (row) { body.appendChild(row); });
  });
});
</script>
</body>
</html>
