"""Per-service extra questions and the citizen's answers to them (§2.1 ``questions``, J6), pure.

A service's ``questions`` is a JSON list; each question::

    {"id": "library_card", "label_en": "Library card number", "label_cy": "Rhif cerdyn llyfrgell",
     "type": "text", "required": false,
     "validation": {"pattern": "^[0-9]{8}$", "min_length": 8, "max_length": 8},
     "data_category": "standard"}

``type`` is one of ``text``, ``integer``, ``number``, ``boolean``, ``date`` (ISO 8601) or
``choice`` (``validation.choices`` lists the allowed values). ``validation`` may also give
``min`` and ``max`` (numbers) and ``min_length``/``max_length``/``pattern`` (text, the
pattern must match the whole answer). A required question must be answered when the citizen
says yes to the service. Answers to questions the service does not ask are refused. Errors
name the field, e.g. ``recipients[2].answers.library_card``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Literal, cast, get_args

from notify import codes, errors

if TYPE_CHECKING:  # intake imports the domain, which holds a service's questions
    from notify import intake

QuestionType = Literal["text", "integer", "number", "boolean", "date", "choice"]
TYPES: Final = frozenset(get_args(QuestionType))
ID_PATTERN: Final = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_VALIDATION_KEYS: Final = frozenset(
    {"pattern", "min_length", "max_length", "min", "max", "choices"}
)


class InvalidQuestions(errors.InvalidMove):
    """A service's question list that cannot be used."""

    code = "invalid_questions"
    title = "Invalid service questions"


@dataclass(frozen=True, kw_only=True, slots=True)
class Question:
    id: str
    type: QuestionType
    label_en: str
    label_cy: str = ""
    required: bool = False
    pattern: str | None = None
    min_length: int | None = None
    max_length: int | None = None
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    data_category: codes.DataCategory = "standard"

    def as_json(self) -> dict[str, Any]:
        validation = {
            "pattern": self.pattern,
            "min_length": self.min_length,
            "max_length": self.max_length,
            "min": self.minimum,
            "max": self.maximum,
            "choices": list(self.choices) or None,
        }
        return {
            "id": self.id,
            "label_en": self.label_en,
            "label_cy": self.label_cy,
            "type": self.type,
            "required": self.required,
            "validation": {k: v for k, v in validation.items() if v is not None},
            "data_category": self.data_category,
        }


# Reading a question list ---------------------------------------------------------------------


def _bad(path: str, problem: str) -> InvalidQuestions:
    return InvalidQuestions(f"{path}: {problem}", details={"field": path})


def _labels(raw: Mapping[str, Any], path: str) -> tuple[str, str]:
    labels = raw.get("labels") if isinstance(raw.get("labels"), Mapping) else {}
    assert isinstance(labels, Mapping)
    label_en = raw.get("label_en", labels.get("en"))
    label_cy = raw.get("label_cy", labels.get("cy", ""))
    if not isinstance(label_en, str) or not label_en.strip():
        raise _bad(f"{path}.label_en", "every question needs an English label")
    if not isinstance(label_cy, str):
        raise _bad(f"{path}.label_cy", "a label is text")
    return label_en, label_cy


def _number(value: Any, path: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _bad(path, "a number is needed")
    return float(value)


def _count(value: Any, path: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _bad(path, "a whole number of characters is needed")
    return value


def _pattern(value: Any, path: str) -> str | None:
    if value is None:
        return None
    try:
        re.compile(str(value))
    except re.error as exc:
        raise _bad(path, f"not a regular expression: {exc}") from exc
    return str(value)


def _validation(raw: Mapping[str, Any], kind: str, path: str) -> dict[str, Any]:
    rules = raw.get("validation") or {}
    if not isinstance(rules, Mapping) or set(rules) - _VALIDATION_KEYS:
        raise _bad(f"{path}.validation", f"only {', '.join(sorted(_VALIDATION_KEYS))} are known")
    choices = rules.get("choices") or []
    if kind == "choice" and (not isinstance(choices, list) or not choices):
        raise _bad(f"{path}.validation.choices", "a choice question lists its choices")
    return {
        "pattern": _pattern(rules.get("pattern"), f"{path}.validation.pattern"),
        "min_length": _count(rules.get("min_length"), f"{path}.validation.min_length"),
        "max_length": _count(rules.get("max_length"), f"{path}.validation.max_length"),
        "minimum": _number(rules.get("min"), f"{path}.validation.min"),
        "maximum": _number(rules.get("max"), f"{path}.validation.max"),
        "choices": tuple(str(c) for c in choices),
    }


def _question(raw: Any, path: str) -> Question:
    if not isinstance(raw, Mapping):
        raise _bad(path, "a question is an object")
    qid, kind = raw.get("id"), raw.get("type", "text")
    if not isinstance(qid, str) or not ID_PATTERN.match(qid):
        raise _bad(f"{path}.id", "an id is 1-40 of a-z, 0-9 and _, starting with a letter")
    if kind not in TYPES:
        raise _bad(f"{path}.type", f"one of {', '.join(sorted(TYPES))}")
    category = raw.get("data_category", "standard")
    if category not in codes.CATEGORY_RANK:
        raise _bad(f"{path}.data_category", f"one of {', '.join(codes.CATEGORY_RANK)}")
    label_en, label_cy = _labels(raw, path)
    return Question(
        id=qid,
        type=cast(QuestionType, kind),
        label_en=label_en,
        label_cy=label_cy,
        required=bool(raw.get("required", False)),
        data_category=cast(codes.DataCategory, category),
        **_validation(raw, str(kind), path),
    )


def parse(raw: Any, path: str = "questions") -> tuple[Question, ...]:
    """A service's question list, checked (unique ids, known types and validation keys)."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise _bad(path, "a list of questions is needed")
    found = tuple(_question(q, f"{path}[{i}]") for i, q in enumerate(raw))
    ids = [q.id for q in found]
    if len(ids) != len(set(ids)):
        raise _bad(path, "question ids must be unique")
    return found


# Checking answers ----------------------------------------------------------------------------


def _text_problem(q: Question, value: str) -> str | None:
    if q.min_length is not None and len(value) < q.min_length:
        return f"must be at least {q.min_length} characters"
    if q.max_length is not None and len(value) > q.max_length:
        return f"must be at most {q.max_length} characters"
    if q.pattern is not None and not re.fullmatch(q.pattern, value):
        return "is not in the expected form"
    return None


def _range_problem(q: Question, value: float) -> str | None:
    if q.minimum is not None and value < q.minimum:
        return f"must be at least {q.minimum:g}"
    if q.maximum is not None and value > q.maximum:
        return f"must be at most {q.maximum:g}"
    return None


def _is_date(value: Any) -> bool:
    try:
        dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return False
    return True


def _number_problem(q: Question, value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "must be a whole number" if q.type == "integer" else "must be a number"
    if q.type == "integer" and not float(value).is_integer():
        return "must be a whole number"
    return _range_problem(q, float(value))


def _string_problem(q: Question, value: Any) -> str | None:
    if not isinstance(value, str):
        return "must be text"
    if q.type == "date":
        return None if _is_date(value) else "must be a date (YYYY-MM-DD)"
    if q.type == "choice":
        return None if value in q.choices else f"must be one of {', '.join(q.choices)}"
    return _text_problem(q, value)


def problem(q: Question, value: Any) -> str | None:
    """Why ``value`` does not answer ``q``, or None when it does."""
    if q.type == "boolean":
        return None if isinstance(value, bool) else "must be true or false"
    if q.type in ("integer", "number"):
        return _number_problem(q, value)
    return _string_problem(q, value)


def answer_problems(
    questions: Sequence[Question], answers: Mapping[str, Any], *, selected: bool | None
) -> list[tuple[str, str]]:
    """``(question id, problem)`` for each unknown, missing or invalid answer, in order."""
    asked = {q.id: q for q in questions}
    found = [(qid, "this service asks no such question") for qid in answers if qid not in asked]
    for q in questions:
        if q.id in answers and answers[q.id] is not None:
            issue = problem(q, answers[q.id])
            found += [(q.id, issue)] if issue else []
        elif q.required and selected:
            found.append((q.id, "an answer is required"))
    return found


def check_answers(request: intake.MoveRequest, questions: Mapping[str, Sequence[Question]]) -> None:
    """Refuse answers that do not fit their service's questions: the message names the first,
    ``details["field_errors"]`` lists every one as ``{field, code, detail}``."""
    found = [
        {"field": f"recipients[{i}].answers.{qid}", "code": "invalid_answer", "detail": issue}
        for i, recipient in enumerate(request.recipients)
        for qid, issue in answer_problems(
            questions.get(recipient.partner_service_id, ()),
            recipient.answers,
            selected=recipient.selected,
        )
    ]
    if found:
        first = found[0]
        raise errors.InvalidMove(
            f"{first['field']}: {first['detail']}",
            details={"field": first["field"], "field_errors": found},
        )
