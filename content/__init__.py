"""Public pages of the website: the home page now; articles, comments and media later."""
