"""The organisation's own settings (tenant admins): switches that change how Kaohe's rules
apply in this tenant, each with a default Kaohe ships."""
