import json
from pathlib import Path

PLATFORMS = Path(__file__).resolve().parents[2] / "webhooks" / "platforms"


def fixture(platform: str, name: str) -> dict:
    return json.loads((PLATFORMS / platform / "fixtures" / f"{name}.json").read_text())
