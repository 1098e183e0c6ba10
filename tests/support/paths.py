"""Where the tests find the workplace's shared files (read-only, beside the checkout)."""
from pathlib import Path

SHARED = Path(__file__).resolve().parents[3] / "shared"
SAMPLE_ARTICLE = SHARED / "samples" / "deir-ez-zor-article.txt"
