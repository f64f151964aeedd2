"""What a new checklist library version changes against the published one, over plain data.

Items are compared by their code, which is stable across versions: an item only in the new
version is added, only in the old one removed; a changed prompt or guidance is reworded; a
changed default tier is re-tiered; a change of kind, priority, category, patient groups or
inspection types is "changed otherwise". Content identical in every respect is a no-op, and
publishing it is refused (it would only make every assessed ward look out of date).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ItemFacts:
    """What a version says about one item (plain values, no database rows)."""

    code: str
    area: str
    category: str
    prompt: str
    guidance: str | None = None
    tier: str | None = None
    kind: str = "ligature"
    priority: str | None = None
    groups: tuple[str, ...] = ()
    types: tuple[str, ...] = ()


@dataclass(frozen=True)
class LibraryChanges:
    """Item codes by kind of change, each tuple sorted; ``areas`` are the area codes touched."""

    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    reworded: tuple[str, ...] = ()
    retiered: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    areas: frozenset[str] = field(default_factory=frozenset)
    # Per touched area code, the patient groups its changed items are limited to ("" = every group).
    area_groups: Mapping[str, frozenset[str]] = field(default_factory=dict)

    @property
    def is_noop(self) -> bool:
        return not (self.added or self.removed or self.reworded or self.retiered or self.changed)


_OTHER = ("category", "kind", "priority", "groups", "types", "area")


def compare(old: Iterable[ItemFacts], new: Iterable[ItemFacts]) -> LibraryChanges:
    """The changes from the published version to a draft.

    An item can be both reworded and re-tiered; it then appears under both.

    :param old: the published version's items (empty if none is published).
    :param new: the draft's items.
    """
    before = {item.code: item for item in old}
    after = {item.code: item for item in new}
    added = sorted(after.keys() - before.keys())
    removed = sorted(before.keys() - after.keys())
    reworded, retiered, changed = [], [], []
    for code in sorted(after.keys() & before.keys()):
        a, b = before[code], after[code]
        if (a.prompt, a.guidance or None) != (b.prompt, b.guidance or None):
            reworded.append(code)
        if a.tier != b.tier:
            retiered.append(code)
        if any(getattr(a, name) != getattr(b, name) for name in _OTHER):
            changed.append(code)
    touched = [after.get(code) or before[code] for code in {*added, *removed, *reworded, *retiered, *changed}]
    touched += [before[code] for code in changed if before[code].area != after[code].area]
    area_groups: dict[str, set[str]] = {}
    for item in touched:
        area_groups.setdefault(item.area, set()).update(item.groups or ("",))
    return LibraryChanges(tuple(added), tuple(removed), tuple(reworded), tuple(retiered), tuple(changed),
                          frozenset(area_groups), {k: frozenset(v) for k, v in area_groups.items()})


def ward_affected(changes: LibraryChanges, *, area_codes: Iterable[str], patient_group: str) -> bool:
    """Whether a ward would see any of the changes.

    :param changes: from :func:`compare`.
    :param area_codes: the area types of the ward's active rooms.
    :param patient_group: the ward's patient group.
    """
    for area in area_codes:
        groups = changes.area_groups.get(area)
        if groups and ("" in groups or patient_group in groups):
            return True
    return False
