from chatdesk.cli import main

raise SystemExit(main())
