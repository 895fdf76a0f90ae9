"""``python -m tidymnist``: the same as the ``tidymnist`` command."""

import sys

from tidymnist.cli import main

sys.exit(main())
