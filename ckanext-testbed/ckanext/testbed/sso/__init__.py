"""Single sign-on from the hub: the glue ckanext-oidc-pkce lacks (see README.md)."""
