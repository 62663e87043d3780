{{%AUTOESCAPE context="XML"}}{{! Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
    junit.xml: one testcase per performance test; its properties carry the figures in base
    units (ns, bytes). failed and regressed are failures, error an error, "not run" and skipped skipped. }}<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="perfcheck" tests="{{TESTS}}" failures="{{FAILURES}}" errors="{{ERRORS}}" skipped="{{SKIPPED}}" time="{{TIME}}">
<testsuite name="perfcheck" tests="{{TESTS}}" failures="{{FAILURES}}" errors="{{ERRORS}}" skipped="{{SKIPPED}}" time="{{TIME}}" timestamp="{{DATE}}" hostname="{{HOSTNAME}}">
<properties>
{{#SUITE_PROPERTY}}<property name="{{KEY}}" value="{{VALUE}}"/>
{{/SUITE_PROPERTY}}</properties>
{{#CASE}}<testcase classname="perfcheck" name="{{NAME}}" time="{{TIME}}">
<properties>
{{#PROPERTY}}<property name="{{KEY}}" value="{{VALUE}}"/>
{{/PROPERTY}}</properties>
{{#FAILURE}}<failure type="{{TYPE}}" message="{{MESSAGE}}">{{TEXT}}</failure>
{{/FAILURE}}{{#ERROR}}<error type="error" message="{{MESSAGE}}">{{TEXT}}</error>
{{/ERROR}}{{#SKIPPED}}<skipped message="{{SKIP_MESSAGE}}"/>
{{/SKIPPED}}{{#SYSTEM_OUT}}<system-out>{{TEXT}}</system-out>
{{/SYSTEM_OUT}}</testcase>
{{/CASE}}</testsuite>
</testsuites>
