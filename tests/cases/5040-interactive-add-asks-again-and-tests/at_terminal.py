"""Case 5040: connections add at a terminal. A malformed key is said and
asked again (not the whole add aborted), so is an empty answer to a required
field; then the test is offered, Enter runs it against the stub, and its
outcome is recorded. With --no-test nothing is offered."""
import os

from terminal import session as _session


def session(argv, steps):
    return _session(argv, steps, pause=0.1)

stub = os.environ["STUB"]




out = session(["connections", "add", "stripe", "--name", "tty", "--set", "base_url=" + stub], [
    (b"api_key: ", b"pk_test_wrongkind\n"),
    (b"try again", None),
    (b"api_key: ", b"\n"),
    (b"'api_key' is required; try again", None),
    (b"api_key: ", b"sk_test_typed123secret\n"),
    (b"Enter skips]: ", b"\n"),
    (b"added stripe/tty", None),
    (b"now with a read call? [Y/n]: ", b"\n"),
    (b"ok: stripe/tty answered stripe_customers_list", None),
])
assert "does not have the expected form" in out, out
assert "pk_test_wrongkind" not in out and "sk_test_typed" not in out, "a secret echoed: " + out

out = session(["connections", "add", "stripe", "--name", "quiet", "--no-test",
               "--set", "base_url=" + stub], [
    (b"api_key: ", b"sk_test_other456secret\n"),
    (b"Enter skips]: ", b"\n"),
    (b"added stripe/quiet", None),
])
assert "[Y/n]" not in out, out
print("ok")
