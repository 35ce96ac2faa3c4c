"""The yardstick page of the load benchmark: the site's URLs plus one bare Django page.

A function view reads 20 rows from the database (settings, through the ORM) and renders them
through a small template, served by the same gunicorn, settings and middleware as the real
pages. The editor and the CV
list are measured as a ratio to it, taken in the same run, so that the figures say what our
pages cost over a plain Django page on whatever machine runs the benchmark.

Only bench/load.py serves it (ROOT_URLCONF = "yardstick" in its settings, with bench/ on the
path): the site's own urlconf never includes it, so no deployment can reach it.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import path

from core.models import Setting
from fitmycv.urls import urlpatterns as site_urlpatterns

URL = "/bench/yardstick/"
ROWS = 20

TEMPLATE = engines["django"].from_string(
    """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Yardstick</title></head>
<body><table>
{% for key, value in rows %}<tr><td>{{ key }}</td><td>{{ value }}</td></tr>
{% endfor %}</table></body></html>
"""
)


def yardstick(request: HttpRequest) -> HttpResponse:
    rows = Setting.objects.order_by("name").values_list("name", "value")[:ROWS]
    return HttpResponse(TEMPLATE.render({"rows": rows}))


urlpatterns = [path(URL.strip("/") + "/", yardstick), *site_urlpatterns]
