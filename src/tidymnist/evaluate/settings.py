"""The robustness and label-issue stages' settings: the transformations there are, and the checks
the workflow runs on the config before any job. Plain Python (no numpy), so that the Snakefile
imports it at no cost.

Each transformation is one record here, in the order the table, the figures and the report show
them; :mod:`tidymnist.evaluate.transforms` holds the function of the same name that applies it.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tidymnist.core.config import ConfigError
from tidymnist.core.naming import BASE_MODELS, VARIANTS_BY_NAME


@dataclass(frozen=True)
class Transform:
    """One way a digit can depart from MNIST's conventions."""

    name: str  # the robustness table's ``transform``, the config's key, the function's name
    title: str  # as a reader sees it, e.g. in a panel's strip
    unit: str  # what the amount counts, for an axis
    form: str  # an amount as a reader sees it, a format: "{:g} px" gives "6 px"
    phrase: str  # what was done to a digit, for a sentence: "shifted by {}" (the amount)
    upper: float | None = None  # the largest amount there can be (None: no limit)
    upper_excluded: bool = False  # whether that amount itself is impossible (shrunk to nothing)

    def said(self, amount: float) -> str:
        """An amount as a reader sees it: "6 px", "45°", "40%"."""
        return self.form.format(amount)

    def done(self, amount: float) -> str:
        """What ``amount`` of it does to a digit: "shifted by 6 px"."""
        return self.phrase.format(self.said(amount))

    def allows(self, amount: float) -> bool:
        """Whether ``amount`` is one this transformation can apply."""
        if amount < 0 or self.upper is None:
            return amount >= 0
        return amount < self.upper if self.upper_excluded else amount <= self.upper

    @property
    def allowed(self) -> str:
        """The amounts it allows, in words."""
        if self.upper is None:
            return "an amount of 0 or more"
        return f"an amount from 0 to {'below ' if self.upper_excluded else ''}{self.upper:g}"


TRANSFORMS = {
    record.name: record
    for record in (
        Transform("shift", "Shifted", "pixels", "{:g} px", "shifted by {}"),
        Transform("rotation", "Rotated", "degrees", "{:g}°", "turned by {}"),
        Transform(
            "smaller",
            "Smaller",
            "share of its size taken away",
            "{:.0%}",
            "shrunk by {}",
            1.0,
            True,
        ),
        Transform("larger", "Larger", "share of its size added", "{:.0%}", "enlarged by {}"),
        Transform("thinner", "Thinner strokes", "pixels off each side", "{:g} px", "thinned by {}"),
        Transform(
            "thicker", "Thicker strokes", "pixels added on each side", "{:g} px", "thickened by {}"
        ),
        Transform("blur", "Blurred", "pixels (standard deviation)", "{:g} px", "blurred by {}"),
        Transform(
            "noise", "Noisy", "standard deviation, share of full ink", "{:.0%}", "given {} noise"
        ),
        Transform(
            "inverted",
            "Dark ink on light paper",
            "share of the way there",
            "{:.0%}",
            "taken {} of the way to dark ink on light paper",
            upper=1.0,
        ),
    )
}


def check_amounts(amounts: Mapping[str, Sequence[float]]) -> dict[str, list[float]]:
    """The configured amounts of each transformation (``robustness.amounts``), in the order of
    :data:`TRANSFORMS`, sorted, each list starting at 0 (added where missing); a
    :class:`ConfigError` naming each unknown transformation or impossible amount."""
    problems = [
        f"robustness.amounts.{name}: no such transformation; expected some of "
        f"{', '.join(TRANSFORMS)}"
        for name in sorted(set(amounts) - set(TRANSFORMS))
    ]
    for name, values in amounts.items():
        record = TRANSFORMS.get(name)
        problems += [
            f"robustness.amounts.{name}: {value}: expected {record.allowed}"
            for value in values
            if record is not None and not record.allows(value)
        ]
    if problems:
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(problems))
    return {
        name: sorted({0.0, *(float(a) for a in amounts[name])})
        for name in TRANSFORMS
        if name in amounts
    }


def check_models(
    preferred: Sequence[str],
    fold_settings: Mapping[str, Mapping[str, Any]],
    models: Mapping[str, Mapping[str, Any]],
) -> None:
    """A :class:`ConfigError` naming each of ``label_issues.models`` that is no model variant,
    each base model of ``label_issues.fold_settings`` there is not, and each of its settings
    that ``models.<model>`` (the config's ``models``) does not have."""
    problems = [
        f"label_issues.models: {name}: no such model; expected some of "
        f"{', '.join(VARIANTS_BY_NAME)}"
        for name in preferred
        if name not in VARIANTS_BY_NAME
    ]
    for base, settings in fold_settings.items():
        if base not in BASE_MODELS:
            problems.append(
                f"label_issues.fold_settings.{base}: no such model; expected some of "
                f"{', '.join(BASE_MODELS)}"
            )
            continue
        known = models.get(base, {})
        problems += [
            f"label_issues.fold_settings.{base}.{key}: no such setting of models.{base}; "
            f"expected some of {', '.join(sorted(known))}"
            for key in sorted(set(settings) - set(known))
        ]
    if problems:
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(problems))


def detector(preferred: Sequence[str], trained: Iterable[str]) -> str | None:
    """The model whose probabilities find the label issues: the first of ``preferred``
    (``label_issues.models``) that the run trains, or None when it trains none of them."""
    trained = set(trained)
    return next((name for name in preferred if name in trained), None)


def fold_spec(
    base: str, spec: Mapping[str, Any], settings: Mapping[str, Mapping[str, Any]]
) -> dict[str, Any]:
    """Model ``base``'s configured ``spec`` with ``label_issues.fold_settings[base]`` in place,
    for the fold fits (:func:`check_models` checks the settings)."""
    return {**spec, **settings.get(base, {})}
