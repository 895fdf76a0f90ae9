"""How findings are written: percentages, counts, lists, pairs of labels and model names."""

from collections.abc import Sequence

from tidymnist.core.naming import display_name, is_model


def percent(share: float, digits: int = 1) -> str:
    """A share as a percentage: 0.1234 -> '12.3%'."""
    return f"{share:.{digits}%}"


def rate(share: float) -> str:
    """A share as a percentage with enough digits to tell it from zero."""
    return f"{share:.2%}" if 0 < share < 0.01 else f"{share:.1%}"


def count(n: int, noun: str) -> str:
    """'1 image', '3 images', '1,024 images'."""
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"


def and_(texts: Sequence[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return ", ".join(texts[:-1]) + f" and {texts[-1]}" if len(texts) > 1 else "".join(texts)


def pair(class_names: Sequence[str], a: int, b: int, sep: str = "/") -> str:
    """Two labels as the reader sees them: '4/9'."""
    return f"{class_names[a]}{sep}{class_names[b]}"


def pair_sep(class_names: Sequence[str], longest: int = 2) -> str:
    """'/' between short class names, ' / ' between long ones ('T-shirt/top / Trouser')."""
    return "/" if max(len(name) for name in class_names) <= longest else " / "


def model(name: str) -> str:
    """A model as the reader sees it: 'k-NN', 'Logistic regression, deskewed' (a name that is
    no model variant, as in a test, with spaces for its underscores)."""
    return display_name(name) if is_model(name) else name.replace("_", " ")
