#!/bin/sh
# gen.sh regenerates the JVM thread-dump fixtures in this directory from a
# real JVM (OpenJDK 17: javac, java, jstack, jcmd). Each program in src/
# is started, given time to reach its steady state (deadlocked or busy),
# dumped the three ways an operator would dump it, and killed:
#
#	jstack PID              NAME_jstack.txt
#	jstack -l PID           NAME_jstack_l.txt   (ownable synchronizers)
#	jcmd PID Thread.print -l NAME_jcmd.txt
#	jcmd PID Thread.print   NAME_jcmd_nol.txt
#	kill -3 PID             NAME_sigquit.txt    (the JVM's stdout, with
#	                                             the program's own output)
#
# Nothing is edited afterwards. Run it from anywhere:
#
#	sh internal/evidence/jvm/testdata/gen.sh
#
# then refresh the golden files with
#
#	go test ./internal/evidence/jvm -update
set -eu
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
pid=
cleanup() {
	[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

javac -d "$tmp" "$here/src/MonitorDeadlock.java" "$here/src/LockDeadlock.java" "$here/src/Busy.java"

# dump NAME CLASS HOW...: run CLASS, then take each dump in HOW.
dump() {
	name=$1 class=$2
	shift 2
	java -cp "$tmp" "$class" >"$tmp/$name.out" 2>&1 &
	pid=$!
	sleep 3
	for how in "$@"; do
		case $how in
		jstack) jstack "$pid" >"$here/${name}_jstack.txt" ;;
		jstack-l) jstack -l "$pid" >"$here/${name}_jstack_l.txt" ;;
		jcmd) jcmd "$pid" Thread.print -l >"$here/${name}_jcmd.txt" ;;
		jcmd-nol) jcmd "$pid" Thread.print >"$here/${name}_jcmd_nol.txt" ;;
		sigquit)
			kill -QUIT "$pid"
			sleep 1
			;;
		esac
	done
	kill -9 "$pid"
	wait "$pid" 2>/dev/null || true
	pid=
	case " $* " in
	*" sigquit "*) cp "$tmp/$name.out" "$here/${name}_sigquit.txt" ;;
	esac
	echo "dumped $name"
}

dump monitor_deadlock MonitorDeadlock jstack jcmd sigquit
dump lock_deadlock LockDeadlock jstack jstack-l jcmd-nol
dump busy Busy jcmd sigquit
