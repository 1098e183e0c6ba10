"""The platforms we accept webhooks from, by the name in the URL."""
from __future__ import annotations

from .base import Platform
from .coral.adapter import CoralPlatform
from .discourse.adapter import DiscoursePlatform
from .generic.adapter import GenericPlatform
from .wordpress.adapter import WordPressPlatform

PLATFORMS: dict[str, Platform] = {
    platform.name: platform
    for platform in (GenericPlatform(), DiscoursePlatform(), WordPressPlatform(), CoralPlatform())
}
