"""Container image references (`registry/name:tag@digest`): pinning, Node.js lines, non-root defaults."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from nodeward.deploy import knowledge

_MAJOR = re.compile(r"^v?(\d+)(?:$|[.\-_])")


@dataclass(frozen=True, slots=True)
class ImageRef:
    name: str  # without registry prefix "docker.io/" and "library/"
    tag: str
    digest: str

    @property
    def floating(self) -> bool:
        """Untagged or `latest` (and not pinned by digest): the image changes under the same name."""
        return not self.digest and self.tag in ("", "latest")


def parse_image(reference: str) -> ImageRef:
    reference = reference.strip()
    name, _, digest = reference.partition("@")
    last_slash = name.rfind("/")
    colon = name.rfind(":")
    tag = ""
    if colon > last_slash:
        name, tag = name[:colon], name[colon + 1 :]
    lower = name.lower()
    for prefix in ("docker.io/", "index.docker.io/", "registry-1.docker.io/"):
        if lower.startswith(prefix):
            lower = lower[len(prefix) :]
    lower = lower.removeprefix("library/")
    return ImageRef(lower, tag, digest)


def is_node_image(image: ImageRef) -> bool:
    return image.name in knowledge.NODE_IMAGE_NAMES or image.name.startswith(knowledge.NODE_IMAGE_PREFIXES)


def node_major(image: ImageRef) -> int | None:
    """The Node.js major an official-style node image tag names (`16-alpine`, `gallium`), if any."""
    if not is_node_image(image) or not image.tag:
        return None
    tag = image.tag.lower()
    match = _MAJOR.match(tag)
    if match:
        return int(match.group(1))
    for part in re.split(r"[-.]", tag):
        if part in knowledge.NODE_CODENAMES:
            return knowledge.NODE_CODENAMES[part]
    return None


def end_of_life(major: int, today: datetime.date) -> datetime.date | None:
    """The end-of-life date of a Node.js major when it has passed, else None."""
    date = knowledge.NODE_END_OF_LIFE.get(major)
    return date if date is not None and date < today else None


def runs_as_non_root(image: ImageRef) -> bool:
    """Whether the image is known to start as a non-root user when the Dockerfile sets none."""
    for prefix, tag_prefix in knowledge.NON_ROOT_IMAGES:
        if image.name.startswith(prefix):
            if not tag_prefix:
                return not image.tag.endswith("-dev") and image.tag != "dev"
            if image.tag.startswith(tag_prefix) or f"-{tag_prefix}" in image.tag:
                return True
    return False
