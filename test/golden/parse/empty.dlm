# only comments and blank lines

   # indented comment
