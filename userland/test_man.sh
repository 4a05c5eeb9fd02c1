#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Host test of the manual's other views and of "cokctl check" without a
# module: cokctl(8) from "cokctl help --man" renders with no groff or
# man warning and names every verb, option and topic; bash completion
# offers verbs and options from the same texts; check's exit status
# follows its verdict.  One PASS/FAIL line per case.
#
#	test_man.sh [COKCTL]
COKCTL=${1:-./cokctl}
DIR=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d /tmp/cok-test-man.XXXXXX)
trap 'rm -rf "$T"' EXIT
failed=0

pass() { echo "PASS man/$1"; }
fail() { echo "FAIL man/$1: $2"; failed=1; }

"$COKCTL" help --man >"$T/cokctl.8" || fail generate "help --man exit $?"
if ! command -v groff >/dev/null; then
	fail groff "groff not installed (qemu-images/deps.sh installs groff-base)"
elif ! groff -ww -man -Tutf8 -P-cbou "$T/cokctl.8" >"$T/page" 2>"$T/warn"; then
	fail groff "groff exit status $?: $(head -n 1 "$T/warn")"
elif [ -s "$T/warn" ]; then
	fail groff "warnings: $(head -n 2 "$T/warn" | tr '\n' ' ')"
else
	pass groff
fi
if command -v man >/dev/null; then
	LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z "$T/cokctl.8" >/dev/null 2>"$T/mwarn"
	if [ -s "$T/mwarn" ]; then
		fail man-l "man -l --warnings: $(head -n 2 "$T/mwarn" | tr '\n' ' ')"
	else
		pass man-l
	fi
fi

missing=
for v in $("$COKCTL" help --verbs); do
	grep -q "^   cokctl $v\$" "$T/page" || missing="$missing $v"
	for o in $("$COKCTL" help --options "$v"); do
		grep -q -- "$o" "$T/page" || missing="$missing $v:$o"
	done
done
n=$("$COKCTL" help --verbs | grep -c .)
if [ "$n" -lt 14 ]; then
	fail verbs "help --verbs lists $n verbs"
elif [ -n "$missing" ]; then
	fail verbs "not in the page:$missing"
else
	pass verbs
fi
for s in NAME SYNOPSIS "EXIT STATUS" "SECURITY MODEL" "IMAGE FORMAT"; do
	grep -q "^$s\$" "$T/page" || missing="$missing '$s'"
done
grep -q '^NAME$' "$T/page" && grep -A1 '^NAME$' "$T/page" | grep -q 'cokctl - ' || missing="$missing NAME-line"
[ -z "$missing" ] && pass sections || fail sections "missing:$missing"
# The page's text is the help's: a line of each appears in the other.
if "$COKCTL" help security | grep -q "map the device except a segment" &&
   grep -q "map the device except a segment" "$T/page"; then
	pass security-topic
else
	fail security-topic "help security and the page disagree"
fi

# Bash completion, with a fake status/ps for the ids.
if command -v bash >/dev/null; then
	cat >"$T/fake" <<EOT
#!/bin/sh
case "\$1 \$2" in
"status -j") echo '{"enclaves":[{"id":3,"state":"running","cores":[{"cpu":1}]},{"id":7,"state":"running","cores":[]}]}' ;;
"ps -j") echo '{"apps":[{"id":12,"enclave":3,"core":0,"cpu":1,"state":"running","pid":9}]}' ;;
*) exec "$(cd "$(dirname "$COKCTL")" && pwd)/$(basename "$COKCTL")" "\$@" ;;
esac
EOT
	chmod +x "$T/fake"
	comp() {	# WORDS...: the completions of the last word
		bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _cokctl; echo "${COMPREPLY[*]}"' \
			comp "$DIR/completion/cokctl.bash" "$T/fake" "$@"
	}
	r1=$(comp "") r2=$(comp create --c) r3=$(comp destroy "") r4=$(comp freeze "")
	r5=$(comp help se) r6=$(comp image "") r7=$(comp check -)
	case " $r1 " in *" check "*" launch "*|*" launch "*" check "*) ok=1 ;; *) ok=0 ;; esac
	[ $ok = 1 ] || fail completion "verbs: '$r1'"
	[ "$r2" = "--cpus --cpu-list" ] || { ok=0; fail completion "create --c: '$r2'"; }
	[ "$r3" = "3 7" ] || { ok=0; fail completion "destroy: '$r3', want the enclave ids 3 7"; }
	[ "$r4" = "12" ] || { ok=0; fail completion "freeze: '$r4', want the app id 12"; }
	[ "$r5" = "security" ] || { ok=0; fail completion "help se: '$r5'"; }
	[ "$r6" = "info verify" ] || { ok=0; fail completion "image: '$r6'"; }
	case " $r7 " in *" --module "*" --json "*) ;; *) ok=0; fail completion "check -: '$r7'" ;; esac
	[ $ok = 1 ] && pass completion
fi

# cokctl check: exit 0 exactly when its JSON says ok, one JSON line.
"$COKCTL" check -j >"$T/check.json" 2>"$T/check.err"
rc=$?
if [ "$(grep -c '' "$T/check.json")" != 1 ] || ! grep -q '^{"ok":\(true\|false\),"kernel":"[^"]*","checks":\[{"name":"module"' "$T/check.json"; then
	fail check-json "not one line of the documented JSON: $(head -c 200 "$T/check.json")"
elif grep -q '^{"ok":true' "$T/check.json" && [ $rc != 0 ] ||
     grep -q '^{"ok":false' "$T/check.json" && [ $rc != 1 ]; then
	fail check-json "exit $rc does not follow $(head -c 20 "$T/check.json")"
elif grep -q '"status":"FAIL","essential":true,"detail":"[^"]*","fix":""' "$T/check.json"; then
	fail check-json "a FAIL without a fix: $(cat "$T/check.json")"
else
	pass check-json
fi
"$COKCTL" check --bogus >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 2 ] && [ ! -s "$T/out" ] && grep -q "unknown option '--bogus'" "$T/err" &&
	pass check-usage || fail check-usage "exit $rc: $(head -n 1 "$T/err")"
exit $failed
