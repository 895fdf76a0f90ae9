"""The conventions every table and figure shares, defined once.

Coordinates: an image is ``SIDE`` x ``SIDE`` pixels. ``pixel`` numbers them row by row from the
top-left corner (0 ... 783, the order of the bytes in the IDX file); ``x`` is the column, counted
from the left, and ``y`` the row, counted from the *top*, so ``pixel = y * SIDE + x``. Figures flip
the y axis (see :func:`tidymnist.figures.theme.digit_axes`) so digits are drawn upright.

Labels are the integers 0-9 in the raw files; ``class_names`` maps them to what a reader sees
(the digits themselves for MNIST, clothing names for Fashion-MNIST).
"""

SIDE = 28
N_PIXELS = SIDE * SIDE
N_CLASSES = 10
LABELS = tuple(range(N_CLASSES))
SPLITS = ("train", "test")

DIGIT_NAMES = tuple(str(label) for label in LABELS)
FASHION_NAMES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)
