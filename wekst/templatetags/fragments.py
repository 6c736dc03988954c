"""`{% shared %}`: a piece of a page rendered once per process for every visitor (wekst/fragments.py)."""

from django import template

from wekst.fragments import shared

register = template.Library()
register.tag("shared", shared)
