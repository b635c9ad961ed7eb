"""One mock org and one host for the suite; a test that changes the org makes its own."""

import pytest

from okta_nodes import Host, Mock


@pytest.fixture(scope="session")
def mock():
    with Mock() as mock:
        yield mock


@pytest.fixture(scope="session")
def host(mock):
    return Host(route_to=mock.url)


@pytest.fixture()
def conn(mock):
    return mock.connection()
