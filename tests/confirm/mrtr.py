"""mrtr.py SCENARIO - a 2026-07-28 client confirming (or not) a destructive
call through an input request (MRTR), for the 114x cases (stdlib only).

Runs `$BIN serve` with the case's environment (two stored Stripe connections,
acme the default and beta, both at $STUB), and checks what the server answers
and how many refunds reached the stub ($TMP/stub-requests.jsonl). Scenarios:
approve, decline, cancel, tampered, replayed, changed, connection, expired,
reask, nocaps, discover. Failures raise."""
import base64, json, os, select, subprocess, sys, time

scenario = sys.argv[1]
argv = [os.environ["BIN"]] + (["--mode", "discover"] if scenario == "discover" else []) + ["serve"]
p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
buf = []
pending = [b""]  # read, not yet a whole line
V = "2026-07-28"
CAPS = {} if scenario == "nocaps" else {"elicitation": {"form": {}}}
META = {"io.modelcontextprotocol/protocolVersion": V,
        "io.modelcontextprotocol/clientCapabilities": CAPS,
        "io.modelcontextprotocol/clientInfo": {"name": "t", "version": "1"}}
REFUND = {"charge": "ch_123", "amount": 2000}
next_id = [0]


def read_until(pred, timeout=30.0):
    end = time.time() + timeout
    while time.time() < end:
        for i, m in enumerate(buf):
            if pred(m):
                return buf.pop(i)
        # Raw reads split here: readline() on the buffered pipe could take two
        # messages at once and leave the second where select() cannot see it.
        r, _, _ = select.select([p.stdout], [], [], 0.2)
        if r:
            data = os.read(p.stdout.fileno(), 65536)
            if not data:
                break
            pending[0] += data
        while b"\n" in pending[0]:
            line, pending[0] = pending[0].split(b"\n", 1)
            line = line.decode()
            m = json.loads(line)  # stdout carries protocol only
            assert m.get("jsonrpc") == "2.0", line
            buf.append(m)
    raise SystemExit(f"timed out; seen {buf}")


def call(name, args, **extra):
    next_id[0] += 1
    i = next_id[0]
    params = {"name": name, "arguments": args, "_meta": META}
    params.update(extra)
    p.stdin.write(json.dumps({"jsonrpc": "2.0", "id": i, "method": "tools/call", "params": params}) + "\n")
    p.stdin.flush()
    return read_until(lambda m: m.get("id") == i)["result"]


def refund(args=REFUND, **extra):
    if scenario == "discover":
        return call("switchboard_call", {"name": "stripe_refunds_create", "arguments": args}, **extra)
    return call("stripe_refunds_create", args, **extra)


def asked(r):
    """The InputRequiredResult: the form the user sees, and the state."""
    assert r.get("resultType") == "input_required", r
    req = r["inputRequests"]["confirm"]
    assert req["method"] == "elicitation/create", req
    params = req["params"]
    assert params["mode"] == "form", params
    assert "Stripe: create refunds on stripe/acme" in params["message"], params
    assert "- charge: ch_123\n- amount: 2000" in params["message"], params
    assert params["requestedSchema"]["properties"]["confirm"]["type"] == "boolean", params
    assert isinstance(r["requestState"], str) and len(r["requestState"]) > 40, r
    return r["requestState"]


def refused(r, words):
    assert r.get("isError") is True, r
    text = r["content"][0]["text"]
    assert "was not run, and nothing was sent" in text and words in text, text


def refunds_sent():
    path = os.path.join(os.environ["TMP"], "stub-requests.jsonl")
    if not os.path.exists(path):
        return 0
    return sum(1 for l in open(path) if json.loads(l)["path"] == "/v1/refunds")


YES = {"confirm": {"action": "accept", "content": {"confirm": True}}}


def approved_ok(r):
    assert not r.get("isError") and r["structuredContent"]["data"]["id"] == "re_1", r


if scenario in ("approve", "discover"):
    state = asked(refund())
    assert refunds_sent() == 0
    approved_ok(refund(requestState=state, inputResponses=YES))
    assert refunds_sent() == 1
    if scenario == "discover":
        # Through switchboard_call too: no yes, no refund; a state for one
        # call does not carry to other inner arguments.
        state = asked(refund())
        refused(refund({"charge": "ch_999", "amount": 2000}, requestState=state, inputResponses=YES),
                "the confirmation was given for other arguments")
        state = asked(refund())
        refused(refund(requestState=state,
                       inputResponses={"confirm": {"action": "decline"}}), "the user declined")
        assert refunds_sent() == 1
elif scenario == "decline":
    state = asked(refund())
    refused(refund(requestState=state, inputResponses={"confirm": {"action": "decline"}}),
            "the user declined. Do not call it again unless the user asks for it")
    state = asked(refund())
    refused(refund(requestState=state,
                   inputResponses={"confirm": {"action": "accept", "content": {"confirm": False}}}),
            "the user declined (the form was sent without confirm: true)")
elif scenario == "cancel":
    state = asked(refund())
    refused(refund(requestState=state, inputResponses={"confirm": {"action": "cancel"}}),
            "the user cancelled the confirmation")
elif scenario == "tampered":
    state = asked(refund())
    raw = bytearray(base64.urlsafe_b64decode(state + "=" * (-len(state) % 4)))
    raw[len(raw) // 2] ^= 1
    bad = base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")
    refused(refund(requestState=bad, inputResponses=YES), "the requestState does not verify")
    refused(refund(requestState="not-a-state", inputResponses=YES), "the requestState does not verify")
    # The state is still good after the tampered copies were refused.
    approved_ok(refund(requestState=state, inputResponses=YES))
    assert refunds_sent() == 1
elif scenario == "replayed":
    state = asked(refund())
    approved_ok(refund(requestState=state, inputResponses=YES))
    refused(refund(requestState=state, inputResponses=YES),
            "the confirmation was already used (a requestState is good once)")
    assert refunds_sent() == 1
elif scenario == "changed":
    state = asked(refund())
    refused(refund({"charge": "ch_123", "amount": 200000}, requestState=state, inputResponses=YES),
            "the confirmation was given for other arguments")
    # Refused once is used up: the same state cannot be tried again.
    refused(refund(requestState=state, inputResponses=YES), "already used")
    state = asked(refund())
    refused(call("stripe_customers_delete", {"id": "cus_1"}, requestState=state, inputResponses=YES),
            "the confirmation was given for another tool (stripe_refunds_create)")
elif scenario == "connection":
    state = asked(refund())
    refused(refund(dict(REFUND, connection="beta"), requestState=state, inputResponses=YES),
            "the confirmation was given for another connection (stripe/acme)")
elif scenario == "expired":
    state = asked(refund())
    refused(refund(requestState=state, inputResponses=YES), "the confirmation expired")
elif scenario == "reask":
    # A retry without the answer is asked again, with a new state.
    state = asked(refund())
    state2 = asked(refund(requestState=state))
    assert state2 != state
    # inputResponses without a state are not a yes: asked again.
    asked(refund(inputResponses=YES))
    approved_ok(refund(requestState=state2, inputResponses=YES))
elif scenario == "nocaps":
    # MRTR must not send an elicitation the client did not declare.
    r = refund()
    refused(r, "can ask the user neither")
    assert "switchboard connections edit stripe/acme --confirm never" in r["content"][0]["text"], r
    r = refund(requestState="x", inputResponses=YES)
    refused(r, "can ask the user neither")
else:
    raise SystemExit("unknown scenario " + scenario)

if scenario not in ("approve", "discover", "tampered", "replayed", "reask"):
    assert refunds_sent() == 0, "a refund reached the vendor"
p.stdin.close()
assert p.wait(timeout=30) == 0
print("ok")
