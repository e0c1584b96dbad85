#!/usr/bin/env python3
"""mailserver.py - a loopback SMTP + IMAP server for switchboard's mail tests
(Python standard library only; plain text, no TLS).

    mailserver.py --dir D --port-file F [--user U] [--password P] [--token T]
                  [--cert PEM --key PEM]

Listens on 127.0.0.1 (two free ports), writes "SMTP_PORT IMAP_PORT\\n" to F
once both listen, and runs until SIGTERM. With --cert and --key it also
offers STARTTLS on those two ports and listens on two more with implicit TLS;
F then reads "SMTP_PORT IMAP_PORT SMTPS_PORT IMAPS_PORT".

Store layout under D:
  mailboxes/<name>/<uid>.eml     one message; <name> may nest (delimiter "/")
  mailboxes/<name>/<uid>.flags   optional: its flags, space separated (\\Seen ...)
  mailboxes/<name>/.uidvalidity  optional: the mailbox's UIDVALIDITY (default 1);
                                 a test renumbers a mailbox by renaming its
                                 messages and writing a new number here
  sent/<n>.eml                   each message accepted over SMTP, as received
  sent/<n>.json                  its envelope: {"mail_from", "rcpt_to", "auth"}
  imap.log                       every IMAP command line received (LOGIN and
                                 AUTHENTICATE arguments left out)
  drop_fetch                     optional, a number N: the server answers N more
                                 UID FETCH commands (on any connection), then
                                 closes the connection at the next one without
                                 answering and removes this file (a server that
                                 fails in the middle of a poll)
Messages accepted over SMTP are also delivered to INBOX with the next UID.
A message's internal date (for SINCE/BEFORE) is its Date header, else the
file's mtime. Mailbox names are stored as UTF-8 and spoken as modified UTF-7.

SMTP: EHLO/HELO, AUTH PLAIN, LOGIN, XOAUTH2 (with or without an initial
response), MAIL, RCPT, DATA, RSET, NOOP, QUIT. Authentication is required
before MAIL.
IMAP4rev1 subset: CAPABILITY, NOOP, LOGIN, AUTHENTICATE PLAIN/XOAUTH2
(SASL-IR too), LIST (mailboxes named Sent, Drafts, Trash, Junk or Archive
carry that special-use flag), STATUS, SELECT, EXAMINE, UID SEARCH (ALL,
SEEN, UNSEEN, FROM, TO, SUBJECT, SINCE, BEFORE, UID, NOT, OR, parenthesised
groups), UID FETCH (UID, FLAGS, RFC822.SIZE, INTERNALDATE, BODYSTRUCTURE
(simplified: message/rfc822 parts are shown as basic bodies), BODY[...] and
BODY.PEEK[...] with "", HEADER,
TEXT, HEADER.FIELDS (..), and <start.count>; FLAGS come in a FETCH response
of their own when a body section is fetched too), UID STORE, CLOSE, LOGOUT.
Command arguments may be atoms, quoted strings or synchronizing literals;
UID SEARCH takes CHARSET UTF-8 and matches FROM, TO, CC and SUBJECT against
the decoded headers.
"""
import argparse
import base64
import email
import email.header
import email.policy
import email.utils
import json
import os
import re
import signal
import socketserver
import ssl
import sys
import threading
import time

LOCK = threading.Lock()
ARGS = None
TLS = None  # an ssl.SSLContext when --cert/--key are given
MAX_LINE = 65536
MAX_DATA = 50 << 20


# ---------------------------------------------------------------- store


def box_dir(name):
    parts = [p for p in name.split("/") if p]
    if not parts or any(p in (".", "..") for p in parts):
        return None
    if parts[0].upper() == "INBOX":
        parts[0] = "INBOX"
    return os.path.join(ARGS.dir, "mailboxes", *parts)


def box_names():
    root = os.path.join(ARGS.dir, "mailboxes")
    names = []
    for cur, dirs, _files in os.walk(root):
        dirs.sort()
        for d in dirs:
            names.append(os.path.relpath(os.path.join(cur, d), root).replace(os.sep, "/"))
    names.sort(key=lambda n: (n != "INBOX", n))
    return names


def box_uids(path):
    uids = []
    for f in os.listdir(path):
        if f.endswith(".eml") and f[:-4].isdigit():
            uids.append(int(f[:-4]))
    return sorted(uids)


def box_uidvalidity(path):
    """The mailbox's UIDVALIDITY: the number in its .uidvalidity file, else 1.
    A test renumbers a mailbox by renaming its <uid>.eml files and writing a
    new number there (RFC 3501 2.3.1.1)."""
    try:
        with open(os.path.join(path, ".uidvalidity")) as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return 1


def msg_path(path, uid, ext):
    return os.path.join(path, "%d.%s" % (uid, ext))


def read_flags(path, uid):
    try:
        with open(msg_path(path, uid, "flags")) as f:
            return f.read().split()
    except FileNotFoundError:
        return []


def write_flags(path, uid, flags):
    with open(msg_path(path, uid, "flags"), "w") as f:
        f.write(" ".join(flags))


def read_msg(path, uid):
    with open(msg_path(path, uid, "eml"), "rb") as f:
        return f.read()


def deliver(raw):
    path = box_dir("INBOX")
    os.makedirs(path, exist_ok=True)
    uids = box_uids(path)
    uid = (uids[-1] + 1) if uids else 1
    with open(msg_path(path, uid, "eml"), "wb") as f:
        f.write(raw)


def split_message(raw):
    m = re.search(rb"\r?\n\r?\n", raw)
    if not m:
        return raw, b""
    return raw[:m.end()], raw[m.end():]


def decoded_header(raw, name):
    v = header_value(raw, name)
    try:
        return str(email.header.make_header(email.header.decode_header(v)))
    except (ValueError, LookupError):
        return v


def header_value(raw, name):
    head, _ = split_message(raw)
    text = head.decode("latin-1")
    text = re.sub(r"\r?\n[ \t]+", " ", text)
    for line in text.splitlines():
        k, _, v = line.partition(":")
        if k.strip().lower() == name.lower():
            return v.strip()
    return ""


def internal_date(path, uid, raw):
    d = header_value(raw, "Date")
    try:
        return email.utils.parsedate_to_datetime(d).timestamp()
    except (TypeError, ValueError, IndexError):
        return os.path.getmtime(msg_path(path, uid, "eml"))


# ---------------------------------------------------------------- modified UTF-7


def mutf7_encode(s):
    out, run = [], []

    def flush():
        if run:
            b = base64.b64encode("".join(run).encode("utf-16-be")).decode().rstrip("=")
            out.append("&" + b.replace("/", ",") + "-")
            run.clear()

    for ch in s:
        if 0x20 <= ord(ch) <= 0x7E:
            flush()
            out.append("&-" if ch == "&" else ch)
        else:
            run.append(ch)
    flush()
    return "".join(out)


def mutf7_decode(s):
    def dec(m):
        b = m.group(1)
        if not b:
            return "&"
        b = b.replace(",", "/")
        b += "=" * (-len(b) % 4)
        return base64.b64decode(b).decode("utf-16-be")

    return re.sub(r"&([A-Za-z0-9+,]*)-", dec, s)


# ---------------------------------------------------------------- IMAP syntax


def imap_tokens(s):
    """Split a command's arguments: atoms (with [..] kept whole), quoted strings,
    and parentheses as separate tokens. Quoted strings come back as ('q', text)."""
    toks, i = [], 0
    while i < len(s):
        c = s[i]
        if c == " ":
            i += 1
        elif c in "()":
            toks.append(c)
            i += 1
        elif c == '"':
            i += 1
            buf = []
            while i < len(s) and s[i] != '"':
                if s[i] == "\\" and i + 1 < len(s):
                    i += 1
                buf.append(s[i])
                i += 1
            i += 1
            toks.append(("q", "".join(buf)))
        else:
            j, depth = i, 0
            while j < len(s) and (depth or s[j] not in ' ()"'):
                if s[j] == "[":
                    depth += 1
                elif s[j] == "]":
                    depth -= 1
                j += 1
            toks.append(s[i:j])
            i = j
    return toks


def tok_str(t):
    return t[1] if isinstance(t, tuple) else t


def imap_quote(s):
    if isinstance(s, bytes):
        data = s
    else:
        data = s.encode()
    if re.search(rb'[\x00-\x1f"\\\x7f-\xff]', data):
        return b"{%d}\r\n" % len(data) + data
    return b'"' + data + b'"'


def parse_set(spec, max_uid):
    out = set()
    for part in spec.split(","):
        a, _, b = part.partition(":")
        lo = max_uid if a == "*" else int(a)
        hi = lo if not b else (max_uid if b == "*" else int(b))
        if lo > hi:
            lo, hi = hi, lo
        out.update(range(lo, hi + 1))
    return out


MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
SPECIAL_USE = {"Sent": "\\Sent", "Drafts": "\\Drafts", "Trash": "\\Trash", "Junk": "\\Junk",
               "Archive": "\\Archive"}


def imap_internaldate(ts):
    t = time.gmtime(ts)
    return '"%02d-%s-%04d %02d:%02d:%02d +0000"' % (t.tm_mday, MONTHS[t.tm_mon - 1], t.tm_year,
                                                    t.tm_hour, t.tm_min, t.tm_sec)


def bodystructure(part):
    """BODYSTRUCTURE of an email.message.Message, as bytes."""
    ctype = part.get_content_type()
    if part.is_multipart() and ctype != "message/rfc822":
        subs = b"".join(bodystructure(p) for p in part.get_payload())
        return b"(" + subs + b' "' + part.get_content_subtype().upper().encode() + b'")'
    main, sub = ctype.split("/", 1)
    params = part.get_params(header="content-type") or []
    plist = b" ".join(imap_quote(k.upper()) + b" " + imap_quote(str(v)) for k, v in params[1:])
    raw = part.as_bytes().split(b"\n\n", 1)[-1] if ctype == "message/rfc822" else \
        (part.get_payload(decode=False) or "").encode("utf-8", "replace")
    cte = (part.get("Content-Transfer-Encoding") or "7bit").upper()
    out = b'("%s" "%s" %s NIL NIL "%s" %d' % (main.upper().encode(), sub.upper().encode(),
                                              b"(" + plist + b")" if plist else b"NIL",
                                              cte.encode(), len(raw))
    if main == "text":
        out += b" %d" % raw.count(b"\n")
    disp = part.get("Content-Disposition")
    if disp:
        name = part.get_filename()
        out += b" NIL (" + imap_quote(disp.split(";")[0].strip().upper()) + b" " + \
            (b'("FILENAME" ' + imap_quote(name) + b")" if name else b"NIL") + b")"
    return out + b")"


def parse_imap_date(s):
    d, m, y = s.split("-")
    return time.mktime((int(y), MONTHS.index(m.capitalize()) + 1, int(d), 0, 0, 0, 0, 0, -1))


class Search:
    """A recursive-descent matcher for UID SEARCH keys."""

    def __init__(self, toks, box, uids):
        self.toks, self.box, self.max_uid = toks, box, (uids[-1] if uids else 0)

    def parse_all(self):
        keys = []
        while self.toks and self.toks[0] != ")":
            keys.append(self.parse_key())
        return lambda u, m: all(k(u, m) for k in keys)

    def next(self):
        return tok_str(self.toks.pop(0))

    def parse_key(self):
        t = self.toks.pop(0)
        if t == "(":
            k = self.parse_all()
            self.toks.pop(0)
            return k
        key = tok_str(t).upper()
        if key == "ALL":
            return lambda u, m: True
        if key == "CHARSET":
            self.next()
            return lambda u, m: True
        if key in ("SEEN", "UNSEEN"):
            want = key == "SEEN"
            return lambda u, m: ("\\Seen" in m["flags"]) == want
        if key in ("FROM", "TO", "SUBJECT", "CC"):
            needle = self.next().lower()
            return lambda u, m: needle in decoded_header(m["raw"], key).lower()
        if key in ("SINCE", "BEFORE"):
            when = parse_imap_date(self.next())
            if key == "SINCE":
                return lambda u, m: m["date"] >= when
            return lambda u, m: m["date"] < when
        if key == "UID":
            s = parse_set(self.next(), self.max_uid)
            return lambda u, m: u in s
        if key == "NOT":
            k = self.parse_key()
            return lambda u, m: not k(u, m)
        if key == "OR":
            a, b = self.parse_key(), self.parse_key()
            return lambda u, m: a(u, m) or b(u, m)
        raise ValueError("unsupported search key " + key)


# ---------------------------------------------------------------- IMAP


class ImapHandler(socketserver.StreamRequestHandler):
    disable_nagle_algorithm = True
    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.wfile.write(data)
        self.wfile.flush()

    def line(self, s):
        self.send(s + "\r\n")

    def readline(self):
        b = self.rfile.readline(MAX_LINE)
        if not b:
            return None
        return b.decode("utf-8", "replace").rstrip("\r\n")

    def read_command(self):
        """One command line; each synchronizing literal in it is accepted
        ("+") and folded in as a quoted string."""
        b = self.rfile.readline(MAX_LINE)
        out = b""
        while b:
            m = re.search(rb"\{(\d+)\}\r?\n$", b)
            if not m:
                return (out + b.rstrip(b"\r\n")).decode("utf-8", "replace")
            out += b[:m.start()]
            self.line("+ go ahead")
            data = self.rfile.read(int(m.group(1)))
            out += b'"' + data.replace(b"\\", b"\\\\").replace(b'"', b'\\"') + b'"'
            b = self.rfile.readline(MAX_LINE)
        return None

    def log(self, line):
        with LOCK, open(os.path.join(ARGS.dir, "imap.log"), "a") as f:
            f.write(line + "\n")

    def caps(self):
        tls = TLS and not isinstance(self.request, ssl.SSLSocket)
        return "IMAP4rev1 SASL-IR AUTH=PLAIN AUTH=XOAUTH2" + (" STARTTLS" if tls else "")

    def handle(self):
        self.authed = False
        self.box = None
        self.readonly = True
        self.line("* OK [CAPABILITY %s] test server ready" % self.caps())
        while True:
            ln = self.read_command()
            if ln is None:
                return
            tag, _, rest = ln.partition(" ")
            cmd, _, args = rest.partition(" ")
            cmd = cmd.upper()
            if cmd == "UID":
                sub, _, args = args.partition(" ")
                cmd = "UID " + sub.upper()
            self.log(tag + " " + cmd + ("" if cmd in ("LOGIN", "AUTHENTICATE") else " " + args))
            try:
                if self.dispatch(tag, cmd, args) == "bye":
                    return
            except (ValueError, IndexError, KeyError) as e:
                self.line("%s BAD %s" % (tag, e))

    def dispatch(self, tag, cmd, args):
        if cmd == "CAPABILITY":
            self.line("* CAPABILITY " + self.caps())
            self.line(tag + " OK CAPABILITY completed")
        elif cmd == "STARTTLS" and TLS and not isinstance(self.request, ssl.SSLSocket):
            self.line(tag + " OK begin TLS")
            if not start_tls(self):
                return "bye"
        elif cmd == "NOOP":
            self.line(tag + " OK NOOP completed")
        elif cmd == "LOGOUT":
            self.line("* BYE logging out")
            self.line(tag + " OK LOGOUT completed")
            return "bye"
        elif cmd == "LOGIN":
            t = imap_tokens(args)
            self.finish_auth(tag, tok_str(t[0]) == ARGS.user and tok_str(t[1]) == ARGS.password)
        elif cmd == "AUTHENTICATE":
            self.authenticate(tag, args)
        elif not self.authed:
            self.line(tag + " NO not authenticated")
        elif cmd == "LIST":
            self.list(tag, imap_tokens(args))
        elif cmd in ("SELECT", "EXAMINE"):
            self.select(tag, cmd, tok_str(imap_tokens(args)[0]))
        elif cmd == "STATUS":
            self.status(tag, imap_tokens(args))
        elif self.box is None:
            self.line(tag + " BAD no mailbox selected")
        elif cmd == "UID SEARCH":
            self.search(tag, imap_tokens(args))
        elif cmd == "UID FETCH":
            if self.drop_fetch():
                return "bye"
            self.fetch(tag, args)
        elif cmd == "UID STORE":
            self.store(tag, imap_tokens(args))
        elif cmd == "CLOSE":
            self.box = None
            self.line(tag + " OK CLOSE completed")
        else:
            self.line(tag + " BAD unknown command")
        return None

    @staticmethod
    def drop_fetch():
        """Whether to drop the connection instead of answering this FETCH."""
        path = os.path.join(ARGS.dir, "drop_fetch")
        with LOCK:
            try:
                with open(path) as f:
                    left = int(f.read().strip() or "0")
            except (OSError, ValueError):
                return False
            if left <= 0:
                os.remove(path)
                return True
            with open(path, "w") as f:
                f.write("%d\n" % (left - 1))
            return False

    def finish_auth(self, tag, ok):
        if ok:
            self.authed = True
            self.line(tag + " OK logged in")
        else:
            self.line(tag + " NO [AUTHENTICATIONFAILED] Invalid credentials")

    def authenticate(self, tag, args):
        mech, _, ir = args.partition(" ")
        if not ir:
            self.line("+ ")
            ir = self.readline() or ""
        if ir == "*":
            self.line(tag + " BAD authentication cancelled")
            return
        try:
            raw = base64.b64decode(ir).decode("utf-8", "replace")
        except ValueError:
            self.line(tag + " BAD bad base64")
            return
        ok = False
        if mech.upper() == "PLAIN":
            parts = raw.split("\0")
            ok = len(parts) == 3 and parts[1] == ARGS.user and parts[2] == ARGS.password
        elif mech.upper() == "XOAUTH2":
            ok = raw == "user=%s\x01auth=Bearer %s\x01\x01" % (ARGS.user, ARGS.token)
            if not ok:
                # RFC: an error challenge, then the client answers empty.
                self.line("+ " + base64.b64encode(b'{"status":"401"}').decode())
                self.readline()
        self.finish_auth(tag, ok)

    def list(self, tag, toks):
        pattern = tok_str(toks[1]) if len(toks) > 1 else "*"
        rx = re.compile("^" + re.escape(pattern).replace(r"\*", ".*").replace("%", "[^/]*") + "$")
        names = box_names()
        for name in names:
            wire = mutf7_encode(name)
            if not rx.match(wire):
                continue
            kids = any(n.startswith(name + "/") for n in names)
            flags = "\\HasChildren" if kids else "\\HasNoChildren"
            if name.split("/")[-1] in SPECIAL_USE:
                flags += " " + SPECIAL_USE[name.split("/")[-1]]
            self.send(b'* LIST (' + flags.encode() + b') "/" ' + imap_quote(wire) + b"\r\n")
        self.line(tag + " OK LIST completed")

    def select(self, tag, cmd, name):
        path = box_dir(mutf7_decode(name))
        if not path or not os.path.isdir(path):
            self.box = None
            self.line(tag + " NO [NONEXISTENT] no such mailbox")
            return
        self.box = path
        self.readonly = cmd == "EXAMINE"
        with LOCK:
            uids = box_uids(path)
        self.line("* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)")
        self.line("* %d EXISTS" % len(uids))
        self.line("* 0 RECENT")
        self.line("* OK [UIDVALIDITY %d] UIDs valid" % box_uidvalidity(path))
        self.line("* OK [UIDNEXT %d] next UID" % ((uids[-1] + 1) if uids else 1))
        self.line("%s OK [%s] %s completed" % (tag, "READ-ONLY" if self.readonly else "READ-WRITE",
                                             cmd))

    def status(self, tag, toks):
        name = tok_str(toks[0])
        path = box_dir(mutf7_decode(name))
        if not path or not os.path.isdir(path):
            self.line(tag + " NO [NONEXISTENT] no such mailbox")
            return
        with LOCK:
            uids = box_uids(path)
            unseen = sum(1 for u in uids if "\\Seen" not in read_flags(path, u))
        values = {"MESSAGES": len(uids), "UNSEEN": unseen, "UIDVALIDITY": box_uidvalidity(path),
                  "UIDNEXT": (uids[-1] + 1) if uids else 1}
        items = [tok_str(t).upper() for t in toks[1:] if t not in "()"]
        self.send(b"* STATUS " + imap_quote(name) + b" (" +
                  " ".join("%s %d" % (i, values[i]) for i in items).encode() + b")\r\n")
        self.line(tag + " OK STATUS completed")

    def messages(self):
        with LOCK:
            uids = box_uids(self.box)
            out = []
            for u in uids:
                raw = read_msg(self.box, u)
                out.append((u, {"raw": raw, "flags": read_flags(self.box, u),
                                "date": internal_date(self.box, u, raw)}))
        return uids, out

    def search(self, tag, toks):
        uids, msgs = self.messages()
        s = Search(toks, self.box, uids)
        match = s.parse_all()
        hits = [str(u) for u, m in msgs if match(u, m)]
        self.line("* SEARCH" + "".join(" " + h for h in hits))
        self.line(tag + " OK SEARCH completed")

    def fetch(self, tag, args):
        spec, _, items = args.partition(" ")
        items = items.strip()
        if items.startswith("(") and items.endswith(")"):
            items = items[1:-1]
        wanted = imap_tokens(items)
        uids, msgs = self.messages()
        chosen = parse_set(spec, uids[-1] if uids else 0)
        for seq, (u, m) in enumerate(msgs, 1):
            if u not in chosen:
                continue
            parts = [b"UID %d" % u]
            seen_now = False
            for it in wanted:
                it = tok_str(it)
                up = it.upper()
                if up == "UID":
                    continue
                if up == "FLAGS":
                    continue  # added last, after any \Seen change
                if up == "RFC822.SIZE":
                    parts.append(b"RFC822.SIZE %d" % len(m["raw"]))
                elif up == "INTERNALDATE":
                    parts.append(b"INTERNALDATE " + imap_internaldate(m["date"]).encode())
                elif up == "BODYSTRUCTURE":
                    msg = email.message_from_bytes(m["raw"], policy=email.policy.compat32)
                    parts.append(b"BODYSTRUCTURE " + bodystructure(msg))
                elif up.startswith("BODY[") or up.startswith("BODY.PEEK["):
                    name, data = self.section(it, m["raw"])
                    parts.append(name.encode() + b" " + imap_quote(data))
                    if not up.startswith("BODY.PEEK") and not self.readonly:
                        seen_now = "\\Seen" not in m["flags"]
                else:
                    raise ValueError("unsupported fetch item " + it)
            if seen_now:
                m["flags"].append("\\Seen")
                with LOCK:
                    write_flags(self.box, u, m["flags"])
            flags = b"FLAGS (" + " ".join(m["flags"]).encode() + b")"
            want_flags = any(tok_str(t).upper() == "FLAGS" for t in wanted) or seen_now
            if want_flags and len(parts) > 1:
                # Legal (RFC 3501 7.4.2) and it keeps clients honest: the
                # flags come in a FETCH response of their own.
                self.send(b"* %d FETCH (UID %d %s)\r\n" % (seq, u, flags))
            elif want_flags:
                parts.append(flags)
            self.send(b"* %d FETCH (" % seq + b" ".join(parts) + b")\r\n")
        self.line(tag + " OK FETCH completed")

    @staticmethod
    def section(item, raw):
        m = re.match(r"(?i)BODY(?:\.PEEK)?\[([^\]]*)\](?:<(\d+)\.(\d+)>)?$", item)
        if not m:
            raise ValueError("bad section " + item)
        sec, start, count = m.group(1), m.group(2), m.group(3)
        head, body = split_message(raw)
        up = sec.upper()
        if up == "":
            data = raw
        elif up == "HEADER":
            data = head
        elif up == "TEXT":
            data = body
        elif up.startswith("HEADER.FIELDS"):
            names = [n.lower() for n in re.findall(r"[^\s()]+", sec[len("HEADER.FIELDS"):])]
            lines = re.split(rb"\r?\n(?![ \t])", head)
            keep = [ln for ln in lines if ln.split(b":", 1)[0].strip().decode("latin-1").lower()
                    in names]
            data = b"".join(ln + b"\r\n" for ln in keep) + b"\r\n"
        else:
            raise ValueError("unsupported section " + sec)
        name = "BODY[%s]" % sec
        if start is not None:
            data = data[int(start):int(start) + int(count)]
            name += "<%s>" % start
        return name, data

    def store(self, tag, toks):
        if self.readonly:
            self.line(tag + " NO mailbox is read-only")
            return
        uids, msgs = self.messages()
        chosen = parse_set(tok_str(toks[0]), uids[-1] if uids else 0)
        op = tok_str(toks[1]).upper()
        flags = [tok_str(t) for t in toks[2:] if t not in "()"]
        for seq, (u, m) in enumerate(msgs, 1):
            if u not in chosen:
                continue
            cur = m["flags"]
            if op.startswith("+"):
                cur += [f for f in flags if f not in cur]
            elif op.startswith("-"):
                cur = [f for f in cur if f not in flags]
            else:
                cur = flags
            with LOCK:
                write_flags(self.box, u, cur)
            if not op.endswith(".SILENT"):
                self.line("* %d FETCH (UID %d FLAGS (%s))" % (seq, u, " ".join(cur)))
        self.line(tag + " OK STORE completed")


# ---------------------------------------------------------------- SMTP


class SmtpHandler(socketserver.StreamRequestHandler):
    disable_nagle_algorithm = True
    def line(self, s):
        self.wfile.write((s + "\r\n").encode())
        self.wfile.flush()

    def readline(self):
        b = self.rfile.readline(MAX_LINE)
        if not b:
            return None
        return b.decode("utf-8", "replace").rstrip("\r\n")

    def handle(self):
        self.user = None
        self.reset()
        self.line("220 localhost ESMTP test server")
        while True:
            ln = self.readline()
            if ln is None:
                return
            verb, _, arg = ln.partition(" ")
            verb = verb.upper()
            if verb in ("EHLO", "HELO"):
                if verb == "HELO":
                    self.line("250 localhost")
                else:
                    for s in ("250-localhost", "250-AUTH PLAIN LOGIN XOAUTH2", "250-8BITMIME",
                              "250-SIZE %d" % MAX_DATA):
                        self.line(s)
                    if TLS and not isinstance(self.request, ssl.SSLSocket):
                        self.line("250-STARTTLS")
                    self.line("250 HELP")
            elif verb == "STARTTLS" and TLS and not isinstance(self.request, ssl.SSLSocket):
                self.line("220 ready to start TLS")
                if not start_tls(self):
                    return
            elif verb == "AUTH":
                self.auth(arg)
            elif verb == "MAIL":
                if self.user is None:
                    self.line("530 5.7.0 Authentication required")
                    continue
                m = re.match(r"(?i)FROM:\s*<([^>]*)>", arg)
                if not m:
                    self.line("501 syntax error")
                    continue
                self.reset()
                self.mail_from = m.group(1)
                self.line("250 OK")
            elif verb == "RCPT":
                m = re.match(r"(?i)TO:\s*<([^>]*)>", arg)
                if not m or self.mail_from is None:
                    self.line("503 bad sequence")
                    continue
                if m.group(1).startswith("reject"):
                    self.line("550 5.1.1 no such user")
                    continue
                self.rcpt.append(m.group(1))
                self.line("250 OK")
            elif verb == "DATA":
                if not self.rcpt:
                    self.line("503 no recipients")
                    continue
                self.data()
            elif verb == "RSET":
                self.reset()
                self.line("250 OK")
            elif verb == "NOOP":
                self.line("250 OK")
            elif verb == "QUIT":
                self.line("221 bye")
                return
            else:
                self.line("502 command not implemented")

    def reset(self):
        self.mail_from = None
        self.rcpt = []

    def auth(self, arg):
        mech, _, ir = arg.partition(" ")
        mech = mech.upper()
        try:
            if mech == "PLAIN":
                if not ir:
                    self.line("334 ")
                    ir = self.readline() or ""
                parts = base64.b64decode(ir).decode("utf-8", "replace").split("\0")
                ok = len(parts) == 3 and parts[1] == ARGS.user and parts[2] == ARGS.password
            elif mech == "LOGIN":
                if ir:
                    user = base64.b64decode(ir).decode()
                else:
                    self.line("334 " + base64.b64encode(b"Username:").decode())
                    user = base64.b64decode(self.readline() or "").decode()
                self.line("334 " + base64.b64encode(b"Password:").decode())
                pw = base64.b64decode(self.readline() or "").decode()
                ok = user == ARGS.user and pw == ARGS.password
            elif mech == "XOAUTH2":
                if not ir:
                    self.line("334 ")
                    ir = self.readline() or ""
                raw = base64.b64decode(ir).decode("utf-8", "replace")
                ok = raw == "user=%s\x01auth=Bearer %s\x01\x01" % (ARGS.user, ARGS.token)
                if not ok:
                    self.line("334 " + base64.b64encode(b'{"status":"401"}').decode())
                    self.readline()
            else:
                self.line("504 unrecognized authentication type")
                return
        except ValueError:
            self.line("501 bad base64")
            return
        if ok:
            self.user = ARGS.user
            self.line("235 2.7.0 Authentication successful")
        else:
            self.line("535 5.7.8 Authentication credentials invalid")

    def data(self):
        self.line("354 end with <CRLF>.<CRLF>")
        chunks, size = [], 0
        while True:
            b = self.rfile.readline(MAX_LINE)
            if not b:
                return
            if b in (b".\r\n", b".\n"):
                break
            if b.startswith(b"."):
                b = b[1:]
            size += len(b)
            if size > MAX_DATA:
                self.line("552 message too big")
                return
            chunks.append(b)
        raw = b"".join(chunks)
        with LOCK:
            sent = os.path.join(ARGS.dir, "sent")
            os.makedirs(sent, exist_ok=True)
            n = len([f for f in os.listdir(sent) if f.endswith(".eml")]) + 1
            with open(os.path.join(sent, "%d.eml" % n), "wb") as f:
                f.write(raw)
            with open(os.path.join(sent, "%d.json" % n), "w") as f:
                json.dump({"mail_from": self.mail_from, "rcpt_to": self.rcpt, "auth": self.user},
                          f)
            deliver(raw)
        self.reset()
        self.line("250 OK queued as %d" % n)


def start_tls(handler):
    """Upgrade the connection; False when the client gave up on TLS."""
    handler.wfile.flush()
    try:
        handler.request = TLS.wrap_socket(handler.request, server_side=True)
    except (ssl.SSLError, OSError):
        return False
    handler.rfile = handler.request.makefile("rb")
    handler.wfile = handler.request.makefile("wb")
    return True


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class TlsServer(Server):
    def get_request(self):
        sock, addr = super().get_request()
        return TLS.wrap_socket(sock, server_side=True), addr


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--user", default="alice@example.com")
    ap.add_argument("--password", default="correct horse")
    ap.add_argument("--token", default="ya29.test-token")
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ARGS = ap.parse_args()
    global TLS
    if ARGS.cert and ARGS.key:
        TLS = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        TLS.load_cert_chain(ARGS.cert, ARGS.key)
    os.makedirs(os.path.join(ARGS.dir, "mailboxes", "INBOX"), exist_ok=True)

    servers = [Server(("127.0.0.1", 0), SmtpHandler), Server(("127.0.0.1", 0), ImapHandler)]
    if TLS:
        servers += [TlsServer(("127.0.0.1", 0), SmtpHandler),
                    TlsServer(("127.0.0.1", 0), ImapHandler)]
    for s in servers:
        threading.Thread(target=s.serve_forever, daemon=True).start()

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    tmp = ARGS.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(" ".join(str(s.server_address[1]) for s in servers) + "\n")
    os.replace(tmp, ARGS.port_file)
    while not stop.wait(3600):
        pass
    # The serving threads are daemons: returning ends them without waiting
    # out serve_forever's poll interval.
    return 0


if __name__ == "__main__":
    sys.exit(main())
