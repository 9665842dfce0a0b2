"""Template helpers of use cases: those of a dataset (its page's 「このデータの利活用事例」), kind labels."""

from __future__ import annotations

from typing import Any

from ckan.common import current_user
from ckan.plugins import toolkit as tk

from . import messages

SHOWN = 6


def of_dataset(dataset_id: str, limit: int = SHOWN) -> dict[str, Any]:
    """The use cases of this dataset that the viewer may see, newest first: ``{count, results}``."""
    if not dataset_id:
        return {"count": 0, "results": []}
    context = {"user": current_user.name if current_user.is_authenticated else ""}
    return tk.get_action("testbed_usecase_list")(context, {"dataset": dataset_id, "limit": limit})


def get_helpers() -> dict[str, Any]:
    return {"testbed_usecases_of_dataset": of_dataset, "testbed_usecase_kinds": lambda: messages.KIND_LABELS}
