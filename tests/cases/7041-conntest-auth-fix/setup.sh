# The widgets connector imported from the spec the stub is made from, at the stub.
sh "$ROOT/tests/stub/widgets.sh"
