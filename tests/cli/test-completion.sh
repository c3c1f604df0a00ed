#!/bin/sh
# The bash completion, sourced into bash and called as bash calls it
# (COMP_WORDS, COMP_CWORD): commands, options and catalog events, all read
# from the lden being completed.
set -u
command -v bash >/dev/null || { echo "SKIP: no bash"; exit 77; }
LDEN="$top_builddir/src/lden"
SCRIPT="$top_srcdir/completion/lden.bash"

# complete WORD...: the words of the command line, the last being completed;
# prints COMPREPLY, one a line, sorted
complete_words() {
	bash --norc --noprofile -c '
		script=$1; shift
		. "$script" || exit 99
		COMP_WORDS=("$@")
		COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
		_lden lden "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		printf "%s\n" "${COMPREPLY[@]}" | sort' bash "$SCRIPT" "$LDEN" "$@"
}

fail=0
expect() {	# what, expected (lines), got
	if [ "$2" != "$3" ]; then
		echo "FAIL: $1"
		echo "  expected: $(printf '%s' "$2" | tr '\n' ' ')"
		echo "  got:      $(printf '%s' "$3" | tr '\n' ' ')"
		fail=1
	else
		echo "ok: $1"
	fi
}

# the script registers itself for 'lden'
[ "$(bash --norc -c '. "$1"; complete -p lden' bash "$SCRIPT")" = "complete -F _lden lden" ] ||
	{ echo "FAIL: the script does not register _lden for lden"; fail=1; }

expect "command prefix 'no'" "notify" "$(complete_words no)"
expect "command prefix 'li'" "list-events" "$(complete_words li)"
# every command of lden --help, and only those, for an empty word
want=$("$LDEN" --help | sed -n 's/^  \([a-z-]*\)  .*/\1/p' | sort)
expect "every command for ''" "$want" "$(complete_words '')"
expect "top-level option '--v'" "--version" "$(complete_words --v)"
expect "'help COMMAND'" "notify" "$(complete_words help not)"

expect "notify option '--c'" "--cgroup
--children
--container
--cooldown" "$(complete_words notify --c)"
# top --by KEY: the keys that are not an event's fields
expect "top --by 'net'" "netns" "$(complete_words top sched:sched_switch --by net)"
expect "top --by 'c'" "cgroup
cgroupns
comm
container
cpu" "$(complete_words top sched:sched_switch --by c)"
expect "notify option '--ti'" "--time" "$(complete_words notify 'count(task.create) > 1' --ti)"
expect "list-events option '--na'" "--names" "$(complete_words list-events --na)"
# an option's argument named DIR completes directories
d=$(cd "$top_srcdir" && complete_words notify --events-dir kprobe_ev)
expect "--events-dir DIR" "kprobe_events" "$d"
# lden watch: its options, and --rules PATH completes files and directories
expect "watch option '--ru'" "--rules" "$(complete_words watch --ru)"
expect "watch option '--action'" "--action-queue
--action-timeout" "$(complete_words watch --action)"
d=$(cd "$top_srcdir" && complete_words watch --rules tests/cli/rec)
expect "watch --rules PATH" "tests/cli/recv.py" "$d"
# other arguments (SEC) complete nothing
expect "--time SEC" "" "$(complete_words notify --time '')"

# a recipe of lden trace --help, by its name
expect "trace recipe 'soc'" "socket" "$(complete_words trace soc)"
expect "trace recipe 'tcp-'" "tcp-accept" "$(complete_words trace --json tcp-)"
expect "event inside 'count(task.c'" "count(task.create" "$(complete_words notify 'count(task.c')"
expect "event inside a quoted expression" "\"count(sys.open) > 1 and size(disk.read
\"count(sys.open) > 1 and size(disk.write" \
	"$(complete_words notify '"count(sys.open) > 1 and size(disk.')"
# bash splits words at '(' (COMP_WORDBREAKS): the event is a word of its own
expect "event after a split '('" "memory.free
memory.free_page" "$(complete_words notify count '(' memory.fr)"
expect "the functions at an expression's start" "size(
speed(" "$(complete_words notify s)"
# every catalog event is offered
all=$("$LDEN" list-events --names | sort)
n=$(printf '%s\n' "$all" | wc -l)
[ "$n" -ge 20 ] || { echo "FAIL: list-events --names gave only $n names"; fail=1; }
# --names lists exactly the catalog's events, in the table's order
if command -v jq >/dev/null && [ "$(id -u)" = 0 ]; then
	expect "list-events --names is the catalog" "$("$LDEN" list-events --json | jq -r '.[].name')" \
		"$("$LDEN" list-events --names)"
fi
expect "every event inside 'speed('" "$(printf '%s\n' "$all" | sed 's/^/speed(/')" \
	"$(complete_words notify 'speed(')"
exit $fail
