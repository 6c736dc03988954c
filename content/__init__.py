"""Public pages of the website: home page, articles, comments, registered users, uploads."""
