"""REST routes: one module per resource, all reading the networkx view or the store."""
