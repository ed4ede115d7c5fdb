"""reStructuredText (a project's long description) -> a list of text blocks, as JSON.

Run by py2pkg (src/description/rst.ts) as
    /usr/bin/python3 -I rst_to_text.py < DESCRIPTION > BLOCKS.json
with a timeout and a bounded input. The text is hostile: docutils runs with its security
settings (no file insertion, no raw, no includes, no configuration files), reports nothing
(report_level 5) and stops only on severe problems (halt_level 4), which exit with status 3
so the caller falls back to plain text.

Output: {"blocks": [...]}, each block one of
    {"t": "h", "l": LEVEL, "x": TEXT}              section title (LEVEL 1 = outermost)
    {"t": "p", "x": TEXT}                          paragraph (whitespace collapsed)
    {"t": "i", "d": DEPTH, "m": MARKER, "x": TEXT, "c": CONT}   list item paragraph
                                                   (CONT true: a further paragraph of it)
    {"t": "c", "x": TEXT}                          literal block (code), lines kept
Badges, images, raw HTML, directives docutils does not know, substitution definitions,
comments, targets, footnotes, tables and system messages are left out; links are their
text. Choosing which blocks to keep is the caller's job.
"""
import json
import re
import sys

from docutils import nodes, utils
from docutils.core import publish_doctree
from docutils.parsers.rst import roles
from docutils.utils import SystemMessage

MAX_INPUT = 256 * 1024

SETTINGS = {
    "file_insertion_enabled": False,
    "raw_enabled": False,
    "_disable_config": True,
    "report_level": 5,
    "halt_level": 4,
    "warning_stream": False,
    "traceback": True,
    "input_encoding": "unicode",
    "output_encoding": "unicode",
    "doctitle_xform": False,
    "sectsubtitle_xform": False,
    "docinfo_xform": False,
    "smart_quotes": False,
    "syntax_highlight": "none",
    "pep_references": False,
    "rfc_references": False,
    "line_length_limit": 10000,
    "character_level_inline_markup": False,
    "id_prefix": "",
    "auto_id_prefix": "id",
}

# Sphinx's roles are not docutils': without these, :class:`Foo` would be a parse error and
# its source text would survive. Each prints the role's title (`Title <target>` -> Title).
SPHINX_ROLES = (
    "ref doc class func meth mod attr obj data exc const term envvar option program file "
    "command kbd samp keyword any numref download pep rfc abbr menuselection guilabel "
    "py:class py:func py:meth py:mod py:attr py:obj py:data py:exc py:const c:func c:type "
    "c:macro c:data c:member issue pr user gh pypi"
).split()


def _title_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    text = utils.unescape(text)
    m = re.match(r"^(.*?)\s*<[^<>]*>$", text, re.S)
    title = m.group(1) if m and m.group(1) else text
    return [nodes.Text(title.lstrip("~!"))], []


for _name in SPHINX_ROLES:
    roles.register_local_role(_name, _title_role)

DROP = (
    nodes.image, nodes.figure, nodes.raw, nodes.comment, nodes.substitution_definition,
    nodes.target, nodes.footnote, nodes.citation, nodes.system_message, nodes.problematic,
    nodes.footnote_reference, nodes.citation_reference, nodes.table, nodes.topic,
    nodes.sidebar, nodes.transition, nodes.pending, nodes.docinfo, nodes.field_list,
    nodes.option_list, nodes.attribution, nodes.caption, nodes.legend, nodes.meta,
    nodes.substitution_reference,
)


def inline_text(node):
    """The text of an inline run: markup dropped, links as their text, images left out."""
    out = []
    for child in node.children:
        if isinstance(child, DROP):
            continue
        if isinstance(child, nodes.Text):
            out.append(child.astext())
        else:
            out.append(inline_text(child))
    return "".join(out)


def flat(text):
    return re.sub(r"\s+", " ", text).strip()


class Walker:
    def __init__(self):
        self.blocks = []

    def add(self, block):
        if block.get("x", "").strip():
            self.blocks.append(block)

    def body(self, node, level):
        for child in node.children:
            self.element(child, level)

    def element(self, node, level, item=None):
        if isinstance(node, DROP):
            return
        if isinstance(node, nodes.section):
            for child in node.children:
                if isinstance(child, nodes.title):
                    self.add({"t": "h", "l": level + 1, "x": flat(inline_text(child))})
                else:
                    self.element(child, level + 1, item)
        elif isinstance(node, (nodes.title, nodes.subtitle, nodes.rubric)):
            self.add({"t": "h", "l": level + 1, "x": flat(inline_text(node))})
        elif isinstance(node, nodes.paragraph):
            text = flat(inline_text(node))
            if item is not None:
                self.add({"t": "i", "d": item[0], "m": item[1], "x": text, "c": item[2]})
                item[2] = True
            else:
                self.add({"t": "p", "x": text})
        elif isinstance(node, (nodes.literal_block, nodes.doctest_block)):
            self.add({"t": "c", "x": node.astext().rstrip()})
        elif isinstance(node, nodes.line_block):
            self.add({"t": "p", "x": flat(" ".join(inline_text(l) for l in node.traverse(nodes.line)))})
        elif isinstance(node, (nodes.bullet_list, nodes.enumerated_list)):
            depth = 0 if item is None else item[0] + 1
            enumerated = isinstance(node, nodes.enumerated_list)
            for n, li in enumerate(node.children, start=1):
                marker = f"{n}." if enumerated else "*"
                state = [depth, marker, False]
                for child in li.children:
                    self.element(child, level, state)
        elif isinstance(node, nodes.definition_list):
            depth = 0 if item is None else item[0] + 1
            for dli in node.children:
                term = " ".join(flat(inline_text(t)) for t in dli.children if isinstance(t, nodes.term))
                definition = [d for d in dli.children if isinstance(d, nodes.definition)]
                paras = [flat(inline_text(p)) for d in definition for p in d.children if isinstance(p, nodes.paragraph)]
                first = f"{term}: {paras[0]}" if paras else term
                self.add({"t": "i", "d": depth, "m": "*", "x": first, "c": False})
                for p in paras[1:]:
                    self.add({"t": "i", "d": depth, "m": "*", "x": p, "c": True})
        elif isinstance(node, nodes.Text):
            self.add({"t": "p", "x": flat(node.astext())})
        elif isinstance(node, nodes.Element):
            # document, block_quote, admonitions, compound, container, list_item bodies, ...
            for child in node.children:
                self.element(child, level, item)


def main():
    data = sys.stdin.buffer.read(MAX_INPUT + 1)
    if len(data) > MAX_INPUT:
        data = data[:MAX_INPUT]
    text = data.decode("utf-8", errors="replace")
    try:
        doctree = publish_doctree(text, settings_overrides=SETTINGS)
    except SystemMessage as e:
        sys.stderr.write(f"rst_to_text: severe reStructuredText problem: {str(e)[:200]}\n")
        return 3
    walker = Walker()
    walker.body(doctree, 0)
    json.dump({"blocks": walker.blocks}, sys.stdout, ensure_ascii=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
