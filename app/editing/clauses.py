"""A document's clauses pasted in as plain numbered text, split into clauses and added to a draft.

Treaties and memoranda number their clauses in many ways: "1.", "1)", "2.3", "IV.", "(a)", "Article 5",
"§ 2". A line that starts with such a number starts a clause; the lines after it, up to the next,
are its text. A first line short enough to be a heading, followed by more lines, is the heading.
Text before the first number is refused rather than guessed at.
"""

import re
from dataclasses import dataclass

from sqlmodel import Session

from app.editing import drafts
from app.editing.drafts import Item
from app.editing.kinds import spec_of
from app.record.models import Draft

# "Article 5", "Art. 5", "Section 2", "Clause 3", "§ 4", "Пункт 2" …, then the number itself.
_WORD = r"(?:article|art\.|section|clause|paragraph|point|item|§|стаття|статья|пункт)\s*"
_NUMBER = r"(?:\d+(?:\.\d+)*|[ivxlcdm]+|[a-z])"
_START = re.compile(
    rf"^\s*(?:{_WORD})?(?:\(({_NUMBER})\)|({_NUMBER})(?:[.)]|\s*[—–-]|(?=\s)))\s*(.*)$",
    re.IGNORECASE,
)
HEADING_MAX = 120  # a first line longer than this is the clause's text, not its heading
NUMBER_MAX = 20


@dataclass(frozen=True)
class SplitClause:
    number: str
    heading: str
    text: str


class PasteError(ValueError):
    """The pasted text cannot be split as it is; the message says where and why."""


def split_clauses(pasted: str) -> list[SplitClause]:
    """Numbered plain text as clauses, in order. Raises PasteError naming the line at fault."""
    clauses: list[tuple[str, list[str]]] = []
    for number, line in enumerate(pasted.splitlines(), start=1):
        if not line.strip():
            if clauses:
                clauses[-1][1].append("")
            continue
        start = _START.match(line)
        if start and _plausible(start):
            label = start.group(1) or start.group(2)
            if len(label) > NUMBER_MAX:
                raise PasteError(f"line {number}: a clause number is at most {NUMBER_MAX} characters")
            clauses.append((label, [start.group(3).strip()] if start.group(3).strip() else []))
        elif not clauses:
            raise PasteError(
                f"line {number}: the text must start with a numbered clause (1., 1), 2.3, IV., (a) or Article 5); "
                f"it starts with “{line.strip()[:60]}”"
            )
        else:
            clauses[-1][1].append(line.strip())
    if not clauses:
        raise PasteError("nothing to split: paste the clauses, each starting with its number")
    return [_clause(label, lines) for label, lines in clauses]


def _plausible(start: re.Match[str]) -> bool:
    """A letter or Roman numeral starts a clause only when marked as a number, "IV." or "a)": "I am" does not."""
    label = start.group(1) or start.group(2)
    if start.group(1) or label[0].isdigit():
        return True
    return start.group(0)[start.end(2) : start.end(2) + 1] in (".", ")")


def _clause(label: str, lines: list[str]) -> SplitClause:
    while lines and not lines[-1]:
        lines.pop()
    paragraphs = "\n".join(lines).strip()
    first, _, rest = paragraphs.partition("\n")
    if rest.strip() and len(first) <= HEADING_MAX and not first.rstrip().endswith((".", ";", ":")):
        return SplitClause(number=label, heading=first.strip(), text=_joined(rest))
    return SplitClause(number=label, heading="", text=_joined(paragraphs))


def _joined(text: str) -> str:
    """Lines of one paragraph joined with spaces; blank lines kept as paragraph breaks."""
    paragraphs = [" ".join(part.split()) for part in re.split(r"\n\s*\n", text.strip())]
    return "\n\n".join(p for p in paragraphs if p)


def paste(session: Session, *, draft: Draft, entity_id: int | None, pasted: str) -> int:
    """Add the pasted clauses to ``draft`` (of a document version) after the clauses it already has;
    returns how many. Raises PasteError, leaving the draft as it was, when the text cannot be split."""
    spec = spec_of("document_versions")
    split = split_clauses(pasted)
    view_ = drafts.view(session, spec=spec, entity_id=entity_id, draft=draft)
    section = next(s for s in spec.sections if s.kind == "clauses")
    parent = view_.parent_value(section)
    existing = [i for i in view_.section_items(section) if i.state != "removed"]
    order = max((int(i.fields.get("sort_order") or 0) for i in existing), default=0)
    for clause in split:
        order += 10
        fields = {
            "version_id": parent,
            "sort_order": order,
            "number": clause.number,
            "heading": clause.heading[:200],
            "text": clause.text,
        }
        item = Item(drafts.new_key(draft, "clauses"), "clauses", None, fields, [], "new")
        drafts.put(draft, item, fields, [])
    return len(split)
