from django import template

from comments.layout import depth_class, percent_class

register = template.Library()
register.filter("depth_class", depth_class)
register.filter("percent_class", percent_class)
