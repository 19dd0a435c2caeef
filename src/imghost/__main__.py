import sys

from imghost.cli import main

sys.exit(main())
