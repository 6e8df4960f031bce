from waakhond_cli.main import main

main()
