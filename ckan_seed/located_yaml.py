"""YAML loading that remembers where every value was written, so problems can name line and column."""

from __future__ import annotations

from typing import Any

import yaml


class LocatedDict(dict):
    """A mapping from the YAML file; ``where(key)`` is the (line, column) of that key's value."""

    mark: tuple[int, int] = (0, 0)
    marks: dict[Any, tuple[int, int]]

    def where(self, key: Any = None) -> tuple[int, int]:
        return self.marks.get(key, self.mark) if key is not None else self.mark


class LocatedList(list):
    """A sequence from the YAML file; ``where(i)`` is the (line, column) of item ``i``."""

    mark: tuple[int, int] = (0, 0)
    marks: list[tuple[int, int]]

    def where(self, index: int | None = None) -> tuple[int, int]:
        if index is None or index >= len(self.marks):
            return self.mark
        return self.marks[index]


def _pos(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


class _Loader(yaml.SafeLoader):
    def construct_mapping(self, node, deep=False):  # noqa: D102 - PyYAML hook
        self.flatten_mapping(node)
        result = LocatedDict()
        result.mark, result.marks = _pos(node), {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                key = str(key)
            result[key] = self.construct_object(value_node, deep=True)
            result.marks[key] = _pos(value_node)
        return result

    def construct_sequence(self, node, deep=False):  # noqa: D102 - PyYAML hook
        result = LocatedList(self.construct_object(child, deep=True) for child in node.value)
        result.mark, result.marks = _pos(node), [_pos(child) for child in node.value]
        return result


_Loader.add_constructor("tag:yaml.org,2002:map", _Loader.construct_mapping)
_Loader.add_constructor("tag:yaml.org,2002:seq", _Loader.construct_sequence)


def load(text: str) -> Any:
    """Parse YAML text into LocatedDict / LocatedList (raises yaml.YAMLError)."""
    return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass


def where(container: Any, key: Any = None) -> tuple[int | None, int | None]:
    """(line, column) of ``container[key]`` (or of the container), (None, None) if unknown."""
    if isinstance(container, LocatedDict | LocatedList):
        return container.where(key)
    return None, None
