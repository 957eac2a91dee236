#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write one man page (section 3) per public function of libvivtheap.

Usage: gen-man.py [--version V] [--date YYYY-MM-DD] -o OUTDIR vivtheap.h

The one source is the doc comment before each prototype in the header:

    /**
     * First sentence: the page's NAME line.
     *
     * More paragraphs: DESCRIPTION ("- " starts a list item).
     * @param name  what it is (one per parameter, all of them)
     * @return      RETURN VALUE, spelled out
     * @retval -EXXX  one ERRORS entry (functions that return -errno)
     * @see vivtheap_a(), vivtheap_b()   SEE ALSO: related functions only
     */

In the text, @p name is a parameter, name() a function, CAPS_WITH_UNDERSCORES
a constant. The script refuses (exit 1, saying where) a function without a
doc comment, an undocumented or unknown parameter, a non-void function
without @return, a RETURN VALUE that sends the reader elsewhere, an @return
that promises ERRORS without @retval lines, or a page that lists itself or
an unknown function under SEE ALSO. The pages it wrote before are replaced.
"""

import argparse
import datetime
import os
import re
import sys
import textwrap

WIDTH = 78


class DocError(Exception):
    pass


def strip_comment(raw):
    """The text of a /** ... */ comment, without the stars, as lines."""
    body = raw[3:-2]
    lines = []
    for line in body.split("\n"):
        line = re.sub(r"^\s*\* ?", "", line, count=1)
        lines.append(line.rstrip())
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return lines


def parse_header(text):
    """[(prototype, comment lines, line number)] and every prototype's name."""
    found = []
    for m in re.finditer(r"/\*\*(?!<).*?\*/", text, re.S):
        rest = text[m.end():]
        # The declaration right after the comment, up to its ';' or '{'.
        decl = re.match(r"\s*([^;{}#/]*?)(;|\{)", rest)
        if not decl or decl.group(2) != ";":
            continue
        proto = " ".join(decl.group(1).split())
        if not re.search(r"\bvivtheap_\w+\s*\(", proto):
            continue
        line = text.count("\n", 0, m.start()) + 1
        found.append((proto, strip_comment(m.group(0)), line))
    code = re.sub(r"/\*.*?\*/", lambda c: "\n" * c.group(0).count("\n"), text,
                  flags=re.S)
    declared = set(re.findall(r"\b(vivtheap_\w+)\s*\([^()]*\)\s*;", code))
    return found, declared


def split_proto(proto):
    m = re.match(r"(.*?)\b(vivtheap_\w+)\s*\((.*)\)$", proto)
    if not m:
        raise DocError("cannot read the prototype: " + proto)
    ret, name, params = m.group(1).strip(), m.group(2), m.group(3).strip()
    plist = []
    if params != "void":
        for p in params.split(","):
            p = p.strip()
            pm = re.match(r"(.*?)(\w+)$", p)
            if not pm:
                raise DocError("cannot read parameter %r of %s" % (p, name))
            plist.append((pm.group(1), pm.group(2)))
    return ret, name, plist


def parse_doc(lines):
    """Split comment lines into the body and the tags."""
    doc = {"body": [], "param": [], "return": [], "retval": [], "see": []}
    cur = doc["body"]
    for line in lines:
        tag = re.match(r"@(param|return|retval|see)\b\s*(.*)", line.strip())
        if tag:
            kind, rest = tag.group(1), tag.group(2)
            if kind in ("param", "retval"):
                # @param NAME text, @retval VALUE text: [word, text lines]
                pm = re.match(r"(\S+)\s*(.*)", rest)
                if not pm:
                    raise DocError("@%s without a name or value" % kind)
                doc[kind].append([pm.group(1), [pm.group(2)]])
                cur = doc[kind][-1][1]
            else:
                doc[kind].append(rest)
                cur = doc[kind]
        elif line.startswith("@") and not line.startswith("@p "):
            raise DocError("unknown tag: " + line.split()[0])
        else:
            cur.append(line)
    return doc


def paragraphs(lines):
    """Paragraphs (lists of lines); a list item ("- ") starts its own."""
    paras, cur = [], []
    for line in lines:
        if not line.strip():
            if cur:
                paras.append(cur)
            cur = []
        elif line.lstrip().startswith("- "):
            if cur:
                paras.append(cur)
            cur = [line.strip()]
        else:
            cur.append(line.strip())
    if cur:
        paras.append(cur)
    return paras


def escape(text):
    """Plain words to roff: backslashes, and minus signs at a word's start."""
    text = text.replace("\\", "\\e")
    return re.sub(r"(?:^|(?<=[\s(/\"]))-(?=\w)", r"\\-", text)


def inline(text):
    """escape(), then fonts: functions and constants bold."""
    text = escape(text)
    text = re.sub(r"\b(\w+)(\(\d?\))", r"\\fB\\%\1\\fP\2", text)
    return re.sub(r"\b([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+(?:_\*)?)",
                  r"\\fB\\%\1\\fP", text)


def text_lines(text, params):
    """Roff text lines for one paragraph, no longer than WIDTH bytes."""
    text = re.sub(r"@p\s+(\w+)", lambda m: "\x01" + m.group(1) + "\x02", text)
    for name in re.findall("\x01(\\w+)\x02", text):
        if name not in params:
            raise DocError("@p %s: no such parameter" % name)
    roff = inline(text)
    roff = roff.replace("\x01", "\\fI").replace("\x02", "\\fP")
    lines = textwrap.wrap(roff, WIDTH, break_long_words=False,
                          break_on_hyphens=False)
    return ["\\&" + ln if ln[:1] in ".'" else ln for ln in lines]


def prose(lines, params):
    out = []
    for para in paragraphs(lines):
        if para[0].startswith("- "):
            out.append(".IP \\(bu 2")
            para = [para[0][2:]] + para[1:]
        elif out:
            out.append(".PP")
        out += text_lines(" ".join(para), params)
    return out


def synopsis(ret, name, plist):
    """.BI lines: the types bold, the parameter names italic; the parameters
    wrapped under the first one, as man-pages(7) does."""
    head = "%s%s%s(" % (ret, "" if ret.endswith("*") else " ", name)
    if not plist:
        return ['.B "%s(void);"' % head[:-1]]
    typed = [(t.strip() + ("" if t.strip().endswith("*") else " "), n)
             for t, n in plist]
    rows, row, width = [], [], len(head)
    for i, (t, n) in enumerate(typed):
        seg = len(t) + len(n) + 2
        if row and width + seg > WIDTH:
            rows.append(row)
            row, width = [], len(head)
        row.append(i)
        width += seg
    rows.append(row)
    out = []
    for r, row in enumerate(rows):
        bold, args = head if r == 0 else " " * len(head), []
        for k, i in enumerate(row):
            bold += ("" if k == 0 else " ") + typed[i][0]
            args += ['"%s"' % bold, typed[i][1]]
            bold = "," if i < len(typed) - 1 else ");"
        out.append(".BI " + " ".join(args + ['"%s"' % bold]))
    return out


def page(proto, lines, known, version, date):
    ret, name, plist = split_proto(proto)
    doc = parse_doc(lines)
    params = [p for _, p in plist]
    paras = paragraphs(doc["body"])
    if not paras:
        raise DocError("no description")
    first = " ".join(paras[0])
    brief = re.split(r"(?<=\.)\s", first, maxsplit=1)[0].rstrip(".:")
    if len(name) + 4 + len(brief) > 80:
        raise DocError("NAME line longer than 80 bytes: " + brief)
    brief = brief[0].lower() + brief[1:] if brief[1:2].islower() else brief

    documented = [p for p, _ in doc["param"]]
    for p in documented:
        if p not in params:
            raise DocError("@param %s: no such parameter" % p)
    for p in params:
        if p not in documented:
            raise DocError("parameter %s has no @param" % p)
    if not doc["return"]:
        raise DocError("no @return (write \"nothing.\" for a void function)")
    rettext = " ".join(x.strip() for x in doc["return"])
    if re.search(r"\bsee DESCRIPTION\b", rettext, re.I):
        raise DocError("RETURN VALUE must be spelled out, not \"see DESCRIPTION\"")
    errors = [(v, t) for v, t in doc["retval"]]
    for value, _ in errors:
        if not re.match(r"-E[A-Z0-9]+$", value):
            raise DocError("@retval %s: only -EXXX values go under ERRORS" % value)
    if "ERRORS" in rettext and not errors:
        raise DocError("@return names ERRORS but there is no @retval")
    if errors and "ERRORS" not in rettext:
        raise DocError("@retval lines but @return does not point to ERRORS")
    see = []
    for item in " ".join(doc["see"]).split(","):
        item = item.strip()
        if not item:
            continue
        sm = re.match(r"(\w+)\(\)$", item)
        if not sm:
            raise DocError("@see %r: write name(), comma-separated" % item)
        if sm.group(1) == name:
            raise DocError("@see lists the page itself")
        if sm.group(1) not in known:
            raise DocError("@see %s: no such function" % sm.group(1))
        if sm.group(1) in see:
            raise DocError("@see %s twice" % sm.group(1))
        see.append(sm.group(1))

    out = [
        '.\\" SPDX-License-Identifier: MIT',
        '.\\" Generated by libvivtheap/gen-man.py from the doc comment of',
        '.\\" %s() in vivtheap.h: edit the header, not this page.' % name,
        '.TH %s 3 %s "libvivtheap %s" "libvivtheap Manual"'
        % (name.upper(), date, version),
        ".SH NAME",
        "%s \\- %s" % (name, escape(brief)),
        ".SH LIBRARY",
        "libvivtheap (\\fI\\-lvivtheap\\fP, \\fIpkg\\-config \\-\\-libs libvivtheap\\fP)",
        ".SH SYNOPSIS",
        ".nf",
        ".B #include <vivtheap.h>",
        ".PP",
    ] + synopsis(ret, name, plist) + [".fi", ".SH DESCRIPTION"]
    out += prose(doc["body"], params)
    if doc["param"]:
        out.append(".PP")
        out.append("The arguments:")
        for p, text in doc["param"]:
            out += [".TP", ".I " + p]
            out += text_lines(" ".join(x.strip() for x in text), params)
    out.append(".SH RETURN VALUE")
    out += text_lines(rettext[0].upper() + rettext[1:], params)
    if errors:
        out.append(".SH ERRORS")
        for value, text in errors:
            out += [".TP", ".B " + value[1:]]
            out += text_lines(" ".join(x.strip() for x in text), params)
    if see:
        out.append(".SH SEE ALSO")
        for i, s in enumerate(see):
            out.append(".BR %s (3)%s" % (s, "," if i < len(see) - 1 else ""))
    return name, "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("header")
    ap.add_argument("-o", "--outdir", required=True)
    ap.add_argument("--version", default="0")
    ap.add_argument("--date", default="")
    args = ap.parse_args()

    date = args.date
    if not date:
        epoch = os.environ.get("SOURCE_DATE_EPOCH")
        when = (datetime.datetime.fromtimestamp(int(epoch), datetime.timezone.utc)
                if epoch else datetime.datetime.now(datetime.timezone.utc))
        date = when.strftime("%Y-%m-%d")
    with open(args.header, encoding="utf-8") as f:
        text = f.read()
    found, declared = parse_header(text)
    known = {split_proto(p)[1] for p, _, _ in found}
    bad = 0
    for name in sorted(declared - known):
        print("%s: %s() has no doc comment" % (args.header, name), file=sys.stderr)
        bad = 1
    pages = {}
    for proto, lines, line in found:
        try:
            name, text = page(proto, lines, declared, args.version, date)
            pages[name] = text
        except DocError as e:
            print("%s:%d: %s" % (args.header, line, e), file=sys.stderr)
            bad = 1
    if bad:
        return 1
    os.makedirs(args.outdir, exist_ok=True)
    for old in os.listdir(args.outdir):
        if old.endswith(".3"):
            os.unlink(os.path.join(args.outdir, old))
    for name, text in pages.items():
        with open(os.path.join(args.outdir, name + ".3"), "w", encoding="utf-8") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
