"""Pure domain rules: values in, values out, no database."""
