from waakhond_stack.cli import main

main()
