from chatdesk.launch import main

raise SystemExit(main())
