from dynimg.cli import main

main()
