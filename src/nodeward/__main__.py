from nodeward.cli.main import main

main()
