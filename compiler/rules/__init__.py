"""What a kind rule is made of: expressions that know their needs, layouts, weight
transfers, initialisers, penalties and constraints, and the helper code generated
files may carry. Nothing here knows any particular layer kind."""
