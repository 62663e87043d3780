{{%AUTOESCAPE context="HTML"}}{{! Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
    The end of index.html. The script sorts the summary table by a clicked column; its
    SHA-256 is in the Content Security Policy of report_head.html.tpl: change both together
    (tests/cli/report_test.py prints the new hash). }}</main>
<footer>Written by perfcheck {{GENERATOR_VERSION}} from the history; nothing was re-run. Charts by gnuplot. Change points: PELT (Killick, Fearnhead &amp; Eckley 2012) with penalty 3&nbsp;ln&nbsp;n.</footer>
<script>
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
