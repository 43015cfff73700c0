import sys

from pgaf.main import main

sys.exit(main())
