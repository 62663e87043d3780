{{%AUTOESCAPE context="HTML"}}{{! Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
    Closes one test of index.html (opened by report_test.html.tpl). }}</div>
</section>
