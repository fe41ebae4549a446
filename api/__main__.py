from nnspec.compiler.cli import main

main()
