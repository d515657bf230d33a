"""The public pages: transparency, the dataset list and each dataset's page."""

import pytest

from cityhall.opendata import registry

pytestmark = pytest.mark.django_db


def test_transparency_without_history_says_there_are_no_figures_yet(client):
    page = client.get("/transparency/").content.decode()
    assert 'data-testid="no-figures"' in page
    assert "/data.json" in page and "/open311/v2/" in page and "/api/v1/docs" in page
    for dataset in registry.all_datasets():
        assert f"/data/{dataset.slug}.csv" in page


def test_every_page_is_in_spanish_too(client):
    for path in ("/es/transparency/", "/es/data/", "/es/data/permits-issued/"):
        response = client.get(path)
        assert response.status_code == 200 and 'lang="es"' in response.content.decode()


def test_the_dataset_page_has_the_whole_data_dictionary(client):
    dataset = registry.get("permits-issued")
    page = client.get("/data/permits-issued/").content.decode()
    assert 'data-testid="dictionary"' in page
    for column in dataset.columns:
        assert f"<code>{column.name}</code>" in page
    assert "/data/permits-issued.csv" in page and "/data/permits-issued.json" in page
    assert "creativecommons.org/publicdomain/zero" in page
    assert 'data-testid="empty"' in page  # no permit issued yet: said plainly


def test_a_withheld_dataset_says_so(client, file_report):
    from .conftest import moment

    file_report(filed=moment(2026, 3))
    page = client.get("/data/lost-and-stolen-property/").content.decode()
    assert 'data-testid="withheld"' in page


@pytest.mark.parametrize("path", ["/data/no-such-dataset/", "/es/data/no-such-dataset/"])
def test_an_unknown_dataset_page_is_a_404(client, path):
    assert client.get(path).status_code == 404


def test_the_footer_links_to_the_transparency_page(client):
    home = client.get("/").content.decode()
    assert home.count('href="/transparency/"') == 2  # the footer and the home page
