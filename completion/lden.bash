# bash completion for lden                                  -*- shell-script -*-
#
# Everything is read from lden itself, so new commands, options and
# catalog events complete without changes here:
#   commands  the two-space-indented rows of 'lden --help'
#   options   the long options of 'lden COMMAND --help' ("  -t, --time SEC")
#   events    'lden list-events --names', completed inside count(, size(
#             and speed( and after options whose argument is EVENT
#   recipes   the rows under "Recipes:" of 'lden COMMAND --help' (trace)
# (each a few milliseconds: nothing is cached, nothing goes stale)

# _lden_run ARGS...: the lden being completed (./src/lden, or lden on PATH)
_lden_run()
{
	local prog=${COMP_WORDS[0]}
	[[ $prog == */* && -x $prog ]] || prog=lden
	LC_ALL=C "$prog" "$@" 2>/dev/null
}

_lden_commands()
{
	_lden_run --help | sed -n 's/^  \([a-z][a-z0-9-]*\)  .*/\1/p'
}

# long options of a command, one per line: "--time SEC" or "--json"
_lden_options()
{
	_lden_run "$1" --help |
		sed -n 's/^ \{1,8\}\(-[a-zA-Z0-9], \)\{0,1\}\(--[a-z][a-z0-9-]*\)\( \([A-Z][A-Z_]*\)\)\{0,1\}.*/\2 \4/p'
}

_lden_recipes()
{
	_lden_run "$1" --help |
		sed -n '/^Recipes:/,/^[^ ]/s/^  \([a-z][a-z0-9-]*\)  .*/\1/p'
}

_lden_events()
{
	_lden_run list-events --names
}

_lden()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev= cmd= i word arg prefix
	COMPREPLY=()
	((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}

	for ((i = 1; i < COMP_CWORD; i++)); do
		word=${COMP_WORDS[i]}
		[[ $word == -* ]] && continue
		cmd=$word
		break
	done

	if [[ -z $cmd ]]; then
		if [[ $cur == -* ]]; then
			mapfile -t COMPREPLY < <(compgen -W '--help --version' -- "$cur")
		else
			mapfile -t COMPREPLY < <(compgen -W "$(_lden_commands)" -- "$cur")
		fi
		return 0
	fi
	if [[ $cmd == help ]]; then
		((i == COMP_CWORD - 1)) &&
			mapfile -t COMPREPLY < <(compgen -W "$(_lden_commands)" -- "$cur")
		return 0
	fi
	# after '--', a command line of its own
	for ((i++; i < COMP_CWORD; i++)); do
		if [[ ${COMP_WORDS[i]} == -- ]]; then
			mapfile -t COMPREPLY < <(compgen -c -- "$cur")
			return 0
		fi
	done

	# top --by KEY: the keys of every event (a field name is typed)
	if [[ $cmd == top && ( $prev == --by || $prev == -b ) ]]; then
		mapfile -t COMPREPLY < <(compgen -W 'pid comm cgroup cpu container netns pidns mntns userns cgroupns ipcns utsns' -- "$cur")
		return 0
	fi

	# the argument of the option before, by the name its --help gives it
	if [[ $prev == --* ]]; then
		arg=$(_lden_options "$cmd" | sed -n "s/^$prev \([A-Z_]*\)\$/\1/p")
		case $arg in
		'') ;;
		EVENT*)
			mapfile -t COMPREPLY < <(compgen -W "$(_lden_events)" -- "$cur")
			return 0 ;;
		DIR*)
			mapfile -t COMPREPLY < <(compgen -d -- "$cur")
			return 0 ;;
		FILE* | PATH* | COMMAND* | SCRIPT*)
			mapfile -t COMPREPLY < <(compgen -f -- "$cur")
			return 0 ;;
		*)
			return 0 ;;
		esac
	fi

	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$(_lden_options "$cmd" | cut -d' ' -f1)" -- "$cur")
		return 0
	fi

	# inside an expression: the event after the last '(' (bash may have
	# split the word there already, leaving '(' as the previous word)
	if [[ $cur == *'('* || $prev == *'(' ]]; then
		prefix=${cur%"${cur##*[(\"\' !&|]}"}
		mapfile -t COMPREPLY < <(compgen -P "$prefix" -W "$(_lden_events)" -- "${cur#"$prefix"}")
		((${#COMPREPLY[@]})) && compopt -o nospace 2>/dev/null
		return 0
	fi
	# a command with recipes (lden trace socket): them, and events
	arg=$(_lden_recipes "$cmd")
	if [[ -n $arg ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$arg $(_lden_events)" -- "$cur")
		return 0
	fi
	# the start of an expression, for commands whose usage has one
	_lden_run "$cmd" --help | grep -q "^usage: lden $cmd .*EXPRESSION" ||
		return 0
	if [[ $cur == [a-z]* || $cur == \"* || $cur == \'* ]]; then
		prefix=${cur%"${cur##*[\"\' !&|]}"}
		mapfile -t COMPREPLY < <(compgen -P "$prefix" -W 'count( size( speed(' -- "${cur#"$prefix"}")
		((${#COMPREPLY[@]})) && compopt -o nospace 2>/dev/null
	fi
	return 0
}
complete -F _lden lden
