"""Methods that run inside a context of their object's, the one place errors get their names.

A reader's damaged database and a writer's full disk surface as low-level exceptions from deep
inside a call; the public methods say what they mean by running inside a context manager that
translates them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Concatenate, ParamSpec, TypeVar

_S = TypeVar("_S")
_P = ParamSpec("_P")
_R = TypeVar("_R")


def guarded(
    context_of: Callable[[_S], AbstractContextManager[object]],
) -> Callable[[Callable[Concatenate[_S, _P], _R]], Callable[Concatenate[_S, _P], _R]]:
    """Decorate a method so that it runs inside `context_of(self)`."""

    def decorate(method: Callable[Concatenate[_S, _P], _R]) -> Callable[Concatenate[_S, _P], _R]:
        @functools.wraps(method)
        def run(self: _S, *args: _P.args, **kwargs: _P.kwargs) -> _R:
            with context_of(self):
                return method(self, *args, **kwargs)

        return run

    return decorate
