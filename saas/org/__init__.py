"""The organisation: units in a tree, and who may see and change which part of it."""
