"""Reading what HTTP clients send, for every surface (the API, the web pages): parameters, forms and upload bodies."""
