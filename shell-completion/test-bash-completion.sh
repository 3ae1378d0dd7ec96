#!/bin/bash
# test-bash-completion.sh COMPLETION FIXTURES: sources the bash completion of
# hugepagectl and checks what it offers for a few command lines, the way
# bash calls it on <TAB> (COMP_LINE, COMP_POINT; COMP_WORDBREAKS as Debian's
# interactive bash sets it).  Needs no bash-completion package.
set -u
completion=$1 fixtures=$2
status=$fixtures/status
# shellcheck source=/dev/null
source "$completion" || exit 1
COMP_WORDBREAKS=$' \t\n"\'@><=;|&(:'
failed=0 passed=0

# expect LINE [WORD...]: completing at the end of LINE offers exactly WORDs
# (in any order).
expect()
{
	local line=$1 w ok=1
	local -A want=() got=()
	shift
	COMP_LINE=$line
	COMP_POINT=${#line}
	read -ra COMP_WORDS <<< "$line"
	COMP_CWORD=${#COMP_WORDS[@]}
	COMPREPLY=()
	_hugepagectl hugepagectl "" ""
	for w in "$@"; do
		want[$w]=1
	done
	[[ ${#COMPREPLY[@]} == "$#" ]] || ok=0
	for w in "${COMPREPLY[@]}"; do
		[[ -n ${want[$w]-} && -z ${got[$w]-} ]] || ok=0
		got[$w]=1
	done
	if ((ok)); then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		printf 'FAIL: "%s<TAB>"\n  want: %s\n  got:  %s\n' "$line" "$*" "${COMPREPLY[*]}"
	fi
}

[[ $(complete -p hugepagectl) == "complete -F _hugepagectl hugepagectl" ]] ||
	{ echo "FAIL: hugepagectl is not registered"; failed=$((failed + 1)); }

# Commands and options.
expect "hugepagectl " status policies explain reload metrics
expect "hugepagectl ex" explain
expect "hugepagectl --status-file=$status p" policies
expect "hugepagectl --" --help --status-file= --procfs=
expect "hugepagectl status --" --help --status-file= --procfs= --json
expect "hugepagectl status --j" --json
expect "hugepagectl policies --js" --json
expect "hugepagectl explain --j" --json
expect "hugepagectl reload --" --help --status-file= --procfs= --timeout= --pid=
expect "hugepagectl reload --p" --pid= --procfs=
expect "hugepagectl reload --pid="
expect "hugepagectl reload --t" --timeout=
expect "hugepagectl metrics --" --help --status-file= --procfs= --output=
expect "hugepagectl metrics --o" --output=
expect "hugepagectl reload --timeout="
expect "hugepagectl status --json "
expect "hugepagectl frobnicate --" --help --status-file= --procfs=

# File names after --status-file (bash replaces what follows "=").
expect "hugepagectl --status-file=$fixtures/sta" "$fixtures/status"
expect "hugepagectl --status-file $fixtures/sta" "$fixtures/status"

# explain: the groups of the status file given, by path and by unit.
expect "hugepagectl --status-file=$status explain /" \
	/db.slice /db.slice/postgres.service \
	/system.slice/system-getty.slice/getty@tty1.service \
	'/system.slice/system-systemd\\x2dfsck.slice' '/odd\ name.slice'
expect "hugepagectl --status-file $status explain /db" /db.slice /db.slice/postgres.service
expect "hugepagectl explain --status-file=$status /db.slice/" /db.slice/postgres.service
expect "hugepagectl --status-file=$status explain db" db.slice
expect "hugepagectl --status-file=$status explain p" postgres.service
# After "@", a word break, bash replaces only what follows it.
expect "hugepagectl --status-file=$status explain getty@" tty1.service
expect "hugepagectl --status-file=$status explain /system.slice/system-systemd" \
	'/system.slice/system-systemd\\x2dfsck.slice'
expect "hugepagectl --status-file=$status explain /odd" '/odd\ name.slice'
# Nothing from reason= text or from policy records.
expect "hugepagectl --status-file=$status explain /bo"
expect "hugepagectl --status-file=$status explain bogus"
expect "hugepagectl --status-file=$status explain /not"
# One argument only; no status file, no groups.
expect "hugepagectl --status-file=$status explain /db.slice "
expect "hugepagectl --status-file=$fixtures/missing explain /"

echo "$passed passed, $failed failed"
[[ $failed == 0 ]]
