y = if a { 1 }
