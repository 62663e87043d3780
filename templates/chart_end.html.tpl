{{%AUTOESCAPE context="HTML"}}{{! Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
    Closes one chart's figure: the note in place of a missing chart, and the caption. }}{{#MISSING}}<div class="chart-missing" role="note">{{NOTE}}</div>{{/MISSING}}<figcaption>{{CAPTION}}</figcaption></figure>
