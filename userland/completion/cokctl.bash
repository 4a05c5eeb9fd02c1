# SPDX-License-Identifier: GPL-2.0
# bash completion of cokctl.  The verbs, topics and each verb's options
# come from cokctl itself ("cokctl help --verbs/--topics/--options
# VERB", read from its manual), enclave and app ids from
# "cokctl status -j" and "cokctl ps -j".  Plain bash: bash-completion's
# helpers are not needed.

# _cokctl_ids status|ps: the ids of the enclaves or of the apps.
_cokctl_ids()
{
	"$_cokctl_bin" "$1" -j 2>/dev/null | grep -o '{"id":[0-9]*' | cut -d: -f2
}

_cokctl()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
	local verb=${COMP_WORDS[1]} words
	_cokctl_bin=${COMP_WORDS[0]}
	COMPREPLY=()

	if [ "$COMP_CWORD" -eq 1 ]; then
		words="$("$_cokctl_bin" help --verbs 2>/dev/null) --help --version"
		COMPREPLY=($(compgen -W "$words" -- "$cur"))
		return 0
	fi
	# The value of an option.
	case $verb:$prev in
	launch:-e|launch:--enclave|restore:-e|restore:--enclave)
		COMPREPLY=($(compgen -W "$(_cokctl_ids status)" -- "$cur"))
		return 0 ;;
	dump:-o|dump:--output|check:-m|check:--module)
		COMPREPLY=($(compgen -f -- "$cur"))
		return 0 ;;
	*:-c|*:--core|*:-n|*:--cores|create:-l|create:--cpu-list|create:-m|create:--mem)
		return 0 ;;
	esac
	case $cur in
	-*)
		words=$("$_cokctl_bin" help --options "$verb" 2>/dev/null)
		COMPREPLY=($(compgen -W "$words" -- "$cur"))
		return 0 ;;
	esac
	case $verb in
	destroy|status|console)
		COMPREPLY=($(compgen -W "$(_cokctl_ids status)" -- "$cur")) ;;
	kill|freeze|thaw|dump)
		COMPREPLY=($(compgen -W "$(_cokctl_ids ps)" -- "$cur")) ;;
	help)
		words="$("$_cokctl_bin" help --verbs 2>/dev/null) $("$_cokctl_bin" help --topics 2>/dev/null)"
		COMPREPLY=($(compgen -W "$words" -- "$cur")) ;;
	image)
		if [ "$COMP_CWORD" -eq 2 ]; then
			COMPREPLY=($(compgen -W "info verify" -- "$cur"))
		else
			COMPREPLY=($(compgen -f -- "$cur"))
		fi ;;
	launch)
		COMPREPLY=($(compgen -c -- "$cur") $(compgen -f -- "$cur")) ;;
	restore)
		COMPREPLY=($(compgen -f -- "$cur")) ;;
	esac
	return 0
}
complete -F _cokctl cokctl
