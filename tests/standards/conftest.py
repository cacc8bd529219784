from __future__ import annotations

import pytest

from chuangcheng.standards import services
from chuangcheng.standards.models import CatalogVersion


@pytest.fixture
def catalog(db: None) -> CatalogVersion:
    """The default catalog in force (the data migration has loaded it already; this makes sure)."""
    return services.load_default_catalog()
