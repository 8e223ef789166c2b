import pytest

from core import imaging
from core.resources import sample_images


@pytest.fixture(scope="session")
def chelsea_224():
    return imaging.fit_to_size(imaging.load_image(sample_images()["chelsea"]), (224, 224))
