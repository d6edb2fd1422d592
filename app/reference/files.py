"""Reading one hand-kept reference file: YAML that refuses a key written twice, validated into a
typed model, every problem reported as the file (relative to the project root), a colon, and the
problem in plain words. The region loader (app/reference/loader.py), the signatures-of-risk rules
(app/benchmarks/flag_rules.py) and the KLOE prompt bank (app/reference/kloe_bank.py) read their
files through it.
"""

from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


class ReferenceDataError(Exception):
    """A reference file is missing, malformed or inconsistent with another one."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


# The C parser when PyYAML has one: the region files are large enough for speed to matter.
_LOADER: type[yaml.SafeLoader] | type[yaml.CSafeLoader] = (
    yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader
)


def _refuse_duplicate_keys(node: yaml.Node) -> None:
    # PyYAML silently keeps the last of two equal keys; in a hand-kept file that hides a mistake.
    if isinstance(node, yaml.MappingNode):
        seen: set[tuple[str, str]] = set()
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                key = (key_node.tag, key_node.value)
                if key in seen:
                    raise yaml.MarkedYAMLError(
                        problem=f"key {key_node.value!r} is written twice",
                        problem_mark=key_node.start_mark,
                    )
                seen.add(key)
            _refuse_duplicate_keys(value_node)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _refuse_duplicate_keys(item)


def _parse_yaml(text: str) -> Any:
    loader = _LOADER(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _refuse_duplicate_keys(node)
        return loader.construct_document(node)
    finally:
        loader.dispose()


def read_mapping(root: Path, path: Path) -> tuple[str, dict[str, Any]]:
    rel = path.relative_to(root).as_posix()
    try:
        data = _parse_yaml(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ReferenceDataError(rel, f"not valid YAML ({' '.join(str(exc).split())})") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ReferenceDataError(rel, f"cannot be read ({exc})") from exc
    if not isinstance(data, dict):
        raise ReferenceDataError(rel, "expected a mapping of keys at the top level")
    return rel, data


def _describe_location(loc: tuple[int | str, ...], data: object) -> str:
    # List positions are shown with the item's id or code, so the reader can find the entry.
    text = ""
    node: object = data
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
            node = node[part] if isinstance(node, list) and part < len(node) else None
            if isinstance(node, dict):
                label = node.get("id", node.get("code"))
                if isinstance(label, str):
                    text += f" ({label})"
        else:
            text += f".{part}" if text else part
            node = node.get(part) if isinstance(node, dict) else None
    return text


def _problem(error: Mapping[str, Any], data: object) -> str:
    loc: tuple[int | str, ...] = tuple(error["loc"])
    kind = error["type"]
    if kind in ("extra_forbidden", "missing") and loc:
        parent = _describe_location(loc[:-1], data) or "the top level"
        word = "unknown" if kind == "extra_forbidden" else "missing"
        return f"{word} key {loc[-1]} in {parent}"
    message = str(error["msg"]).removeprefix("Value error, ")
    where = _describe_location(loc, data)
    return f"bad value at {where}: {message}" if where else message


def validate(model: type[M], data: dict[str, Any], rel: str) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = [_problem(error, data) for error in exc.errors()]
        raise ReferenceDataError(rel, "; ".join(problems)) from exc
