"""Template tags of every page: cached fragments and one-time form tokens."""

from __future__ import annotations

from django import template
from django.utils.html import format_html

from core import fragments
from core.decorators import SUBMISSION_FIELD

register = template.Library()


class CachedFragmentNode(template.Node):
    def __init__(
        self,
        nodelist: template.NodeList,
        name: str,
        vary_on: list[template.base.FilterExpression],
        revision: str,
    ) -> None:
        self.nodelist = nodelist
        self.name = name
        self.vary_on = vary_on
        self.revision = revision

    def render(self, context: template.Context) -> str:
        values = [expression.resolve(context) for expression in self.vary_on]
        return fragments.render_cached(context, self.nodelist, self.name, self.revision, values)


@register.tag
def cachedfragment(parser: template.base.Parser, token: template.base.Token) -> CachedFragmentNode:
    """`{% cachedfragment "name" value1 value2 %}...{% endcachedfragment %}`: the enclosed HTML
    is cached per value, language and template revision, with per-request CSRF tokens (see
    core.fragments). Vary on everything the fragment shows."""
    bits = token.split_contents()
    if len(bits) < 3 or bits[1][0] not in "\"'" or bits[1][0] != bits[1][-1]:
        raise template.TemplateSyntaxError(
            f"{bits[0]} takes a quoted name and at least one value to vary on"
        )
    nodelist = parser.parse(("endcachedfragment",))
    parser.delete_first_token()
    origin = getattr(parser, "origin", None)
    revision = fragments.template_digest(getattr(origin, "name", None))
    vary_on = [parser.compile_filter(bit) for bit in bits[2:]]
    return CachedFragmentNode(nodelist, bits[1][1:-1], vary_on, revision)


@register.filter
def digest(value: object) -> str:
    """A stable digest of JSON-like data, to vary a cached fragment on a CV's content."""
    return fragments.digest(value)


@register.filter
def digest_rows(objects: object) -> str:
    """A digest of every loaded field of a list's rows, to vary a cached table on them."""
    return fragments.digest_rows(objects)


@register.filter
def digest_row(obj: object) -> str:
    """A digest of every loaded field of one row, to vary a cached fragment on it."""
    return fragments.digest_row(obj)


@register.simple_tag(takes_context=True)
def submission_token(context: template.Context) -> str:
    """The hidden one-time token of a paid form (see core.decorators.once_per_submission).
    Inside a cached fragment each request still gets fresh tokens."""
    if context.get(fragments.RENDERING_FRAGMENT):
        value = str(fragments.submission_placeholder)
    else:
        value = fragments.new_submission_token()
    return format_html('<input type="hidden" name="{}" value="{}">', SUBMISSION_FIELD, value)
