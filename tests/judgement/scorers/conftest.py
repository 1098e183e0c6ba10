from tests.support.fixtures import tiny_detoxify  # noqa: F401  (pytest fixture)
