#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn one kunit.py run into `PASS kunit.<suite>.<case>` /
`FAIL kunit.<suite>.<case>: <reason>` lines.  Called by run.sh.

Statuses come from kunit.py's --json file (KernelCI format).  Reasons come
from the raw kernel log (<build_dir>/test.log), parsed with kunit.py's own
kunit_parser so that a failing case's diagnostic lines can be quoted.
Anything that is not a clean pass of every expected suite is a FAIL line
and a non-zero exit: a build or config failure, a crash, a parse error, a
skipped case, a suite missing from the results.
"""
import argparse
import io
import json
import os
import re
import sys

MAX_REASON = 300


def one_line(text):
    text = re.sub(r'\s+', ' ', text).strip()
    return text if len(text) <= MAX_REASON else text[:MAX_REASON - 3] + '...'


CRASH = ''  # the kernel's last words, if it died (from test.log)


def find_crash(test_log):
    if not (test_log and os.path.exists(test_log)):
        return ''
    with open(test_log, errors='replace') as f:
        text = f.read().splitlines()
    found = [l.strip() for l in text
             if re.search(r'Kernel panic|BUG:|Oops|general protection|'
                          r'KASAN|UBSAN|^RIP:', l.strip())]
    return ' | '.join(found[:3])


def load_logs(kunit_dir, test_log):
    """{(suite, case): [log lines]} from the raw kernel log, or {}."""
    if not (test_log and os.path.exists(test_log)):
        return {}
    sys.path.insert(0, kunit_dir)
    try:
        import kunit_printer
        import kunit_parser
    except ImportError as e:
        print(f'report.py: cannot import kunit_parser: {e}', file=sys.stderr)
        return {}
    kunit_printer.stdout._output = io.StringIO()  # silence its progress output
    kunit_printer.stdout._use_color = False
    with open(test_log, errors='replace') as f:
        try:
            root = kunit_parser.parse_run_tests(f)
        except Exception as e:  # never let the reason lookup hide a status
            print(f'report.py: parsing {test_log}: {e}', file=sys.stderr)
            return {}
    logs = {}

    def walk(test, path):
        for sub in test.subtests:
            p = path + [sub.name]
            if sub.subtests:
                walk(sub, p)
            else:
                logs[tuple(p)] = sub.log
    walk(root, [])
    return logs


def reason_from_log(lines, status):
    lines = [l.strip() for l in lines if l.strip()]
    # KUnit diagnostics: "# case: EXPECTATION FAILED at file:line" then
    # the indented "Expected ..." explanation lines.
    for i, l in enumerate(lines):
        if 'EXPECTATION FAILED' in l or 'ASSERTION FAILED' in l:
            at = re.sub(r'^#\s*\S+:\s*', '', l)
            at = re.sub(r'(EXPECTATION|ASSERTION) FAILED at ', '', at)
            at = re.sub(r'^.*?/ckpt_cokernel_kunit/repo/', '', at)
            detail = []
            for d in lines[i + 1:i + 5]:
                if 'FAILED at' in d or re.match(r'^(not )?ok ', d):
                    break
                detail.append(d.lstrip('# '))
            return one_line(f'{at}: ' + ' '.join(detail))
    if status == 'ERROR':
        tail = ' | '.join(lines[-3:]) if lines else CRASH or 'no output'
        return one_line(f'crashed the kernel or did not finish: {tail}')
    if status == 'SKIP':
        return one_line('skipped: ' + (' '.join(lines[-2:]) or 'no reason given'))
    return one_line(' '.join(lines[-3:]) or f'status {status}')


def first_error(kunit_output):
    """The most telling line of a failed kunit.py run (build/config)."""
    if not (kunit_output and os.path.exists(kunit_output)):
        return 'no kunit.py output'
    with open(kunit_output, errors='replace') as f:
        text = f.read().splitlines()
    for pat in (r'\berror:', r'Error \d+', r'Not all Kconfig options',
                r'ERROR', r'[Ee]rror', r'Traceback'):
        for l in text:
            if re.search(pat, l):
                return one_line(l)
    return one_line(' | '.join(text[-3:])) if text else 'no kunit.py output'


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--json', required=True)
    ap.add_argument('--test-log')
    ap.add_argument('--kunit-dir', required=True)
    ap.add_argument('--kunit-output')
    ap.add_argument('--rc', type=int, required=True)
    ap.add_argument('--expect', default='', help='comma-separated suites')
    ap.add_argument('--missing-hint', action='append', default=[],
                    help='suite=text: why a suite may be missing')
    a = ap.parse_args()

    hints = dict(h.split('=', 1) for h in a.missing_hint)
    failed = 0
    seen_suites = set()

    results = None
    if os.path.exists(a.json):
        try:
            with open(a.json) as f:
                results = json.load(f)
        except ValueError as e:
            print(f'FAIL kunit.results: unreadable {a.json}: {e}')
            failed += 1

    if results is None:
        # No parsed results at all: kunit.py failed before running tests.
        if not failed:
            print(f'FAIL kunit.build: kunit.py exited {a.rc} before any test '
                  f'ran: {first_error(a.kunit_output)}')
        return 1

    logs = load_logs(a.kunit_dir, a.test_log)
    global CRASH
    CRASH = find_crash(a.test_log)

    def walk(group, path):
        nonlocal failed
        for i, case in enumerate(group.get('test_cases', []), 1):
            # A case or suite the kernel never reported has no name.
            p = path + [case['name'] or ('case%d' % i if path else 'suite%d' % i)]
            name = 'kunit.' + '.'.join(p)
            status = case.get('status', 'FAIL')
            if status == 'PASS':
                print(f'PASS {name}')
            else:
                failed += 1
                why = reason_from_log(logs.get(tuple(p), []), status)
                print(f'FAIL {name}: {why}')
        for sub in group.get('sub_groups', []):
            if not path:
                seen_suites.add(sub['name'])
            walk(sub, path + [sub['name']])

    walk(results, [])

    for suite in filter(None, a.expect.split(',')):
        if suite not in seen_suites:
            failed += 1
            hint = hints.get(suite, 'not built, not run, or crashed before it')
            print(f'FAIL kunit.{suite}: suite missing from the results ({hint})')

    if a.rc != 0 and not failed:
        failed += 1
        print(f'FAIL kunit.run: kunit.py exited {a.rc} although every case '
              f'passed: {first_error(a.kunit_output)}')
    if not seen_suites and not failed:
        failed += 1
        print('FAIL kunit.run: no test suite ran')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
