if [ -t 0 ]; then echo "check.sh: stdin is a terminal"; exit 1; fi
if [ "$(readlink /proc/$$/fd/0)" = "$(readlink /proc/$PPID/fd/0 2>/dev/null)" ]; then
	echo "check.sh: stdin is the runner's"; exit 1
fi
