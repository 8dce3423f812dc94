"""The portal wears the knowledge base's chrome: it must not look like a second app."""

import re

from portal.config import PROJECT_ROOT


def page(client, path="/portal/"):
    response = client.get(path)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_portal_home_renders_inside_the_site_header_tabs_and_search(agent_client):
    html = page(agent_client)
    assert "<title>Portal - Gelato Help Center</title>" in html
    assert 'class="md-header"' in html
    assert 'data-md-component="search-query"' in html  # the same search box as the articles
    assert re.search(r'class="md-tabs__item md-tabs__item--active">\s*<a href="/portal/"', html)
    assert '<a href="/contact/" class="md-tabs__link">' in html  # back to the articles
    assert "<h1>Support portal</h1>" in html


def test_portal_pages_use_the_site_stylesheets_and_scripts_by_absolute_url(agent_client):
    html = page(agent_client)
    assert re.search(r'href="/assets/stylesheets/main\.[0-9a-f]+\.min\.css"', html)
    assert re.search(r'src="/assets/javascripts/bundle\.[0-9a-f]+\.min\.js"', html)
    assert '"base": "/"' in html  # search finds its index from any portal depth
    assert not re.search(r"""["']\.\.[/"']""", html)
    assert 'rel="canonical"' not in html


def test_no_portal_or_site_page_loads_anything_from_another_host(agent_client):
    for path in ["/portal/", "/", "/contact/"]:
        html = agent_client.get(path).get_data(as_text=True)
        loads = re.findall(r'(?:src="|<link rel="(?:stylesheet|icon|preload)" href=")([^"]+)', html)
        assert loads
        assert [url for url in loads if re.match(r"(https?:)?//", url)] == [], path
    config = (PROJECT_ROOT / "mkdocs.yml").read_text()
    assert "font: false" in config


def test_sandbox_mode_is_stated_on_every_portal_page(agent_client):
    assert "Sandbox mode" in page(agent_client)
    assert "Sandbox mode" in agent_client.get("/portal/missing").get_data(as_text=True)


def test_portal_stylesheet_is_served(client):
    response = client.get("/portal/static/portal.css")
    assert response.status_code == 200
    assert response.content_type.startswith("text/css")
