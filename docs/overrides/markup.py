"""MkDocs hook: four corrections to the HTML the theme and its extensions write.

Each is exact and small, so that the theme's own templates stay in use rather than copies of them:

- Material's base template puts ``autocomplete="off"`` on the drawer and search toggles, which
  are checkboxes; HTML allows the attribute on text-like inputs only, so the checker rejects it.
- Material's navigation gives the label of a section ``tabindex=""``: an empty value is not a
  number. A section's label is not meant to take focus, so the attribute goes.
- On a section's index page the table of contents' title is a label ``for="__toc"``, a toggle
  that only other pages have; there it becomes a plain title.
- pymdownx.tasklist wraps each checklist box in a ``<label>`` of its own with no text, so a screen
  reader announces an unnamed checkbox. The item's text is moved into that label: the box is named
  by its item, and clicking the text ticks it.
"""

from __future__ import annotations

import re

_TOGGLE_AUTOCOMPLETE = re.compile(
    r'(<input class="md-toggle"[^>]*type="checkbox"[^>]*?) autocomplete="off"'
)
_EMPTY_TABINDEX = re.compile(r' tabindex=""')
# A task item whose text is inline (no nested list or paragraph): the checklists the docs hook
# generates, and any written by hand.
_TASK_ITEM = re.compile(
    r'<label class="task-list-control">(<input type="checkbox"[^>]*>)'
    r'(<span class="task-list-indicator"></span>)</label> '
    r"((?:(?!<(?:/li|li|ul|ol|p|div)\b).)*)</li>",
    re.S,
)


def on_page_content(html, page, config, files):
    return label_task_items(html)


def on_post_page(output, page, config):
    return valid_theme_markup(output)


def on_post_template(output_content, template_name, config):
    # Pages built from a template alone, such as 404.html.
    return valid_theme_markup(output_content)


def label_task_items(html: str) -> str:
    return _TASK_ITEM.sub(r'<label class="task-list-control">\1\2 \3</label></li>', html)


def valid_theme_markup(html: str) -> str:
    html = _EMPTY_TABINDEX.sub("", _TOGGLE_AUTOCOMPLETE.sub(r"\1", html))
    if 'id="__toc"' not in html:
        html = html.replace(' for="__toc"', "")
    return html
