# Under a terminal, the runner's stdin is that terminal; setup.sh must not get it.
if [ -t 0 ]; then echo "setup.sh: stdin is a terminal"; exit 1; fi
[ -z "$(cat)" ] || { echo "setup.sh: stdin was not empty"; exit 1; }
