"""Assessment cycles (考核周期): stages, subjects, raters and progress."""
