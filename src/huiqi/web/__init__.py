"""The web pages (Chinese, server-rendered with Jinja2): each page renders the data of one API function."""
