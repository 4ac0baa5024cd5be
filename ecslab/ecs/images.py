"""What runs inside a container: the program behind an image.

Real images carry an entrypoint; ecslab's carry a Python callable. An image is known by its
reference (``<registry>/<repository>:<tag>`` or ``...@sha256:<digest>``); the course's image
``orders-app:1.4.2`` runs :func:`ecslab.ecs.apps.orders_app`. ``Lab.build_image`` pushes a new
image to ECR and registers its program here. An image with no program (a public image, say)
starts and exits 0.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ecslab.ecs.definitions import Program

_ECR = re.compile(
    r"^(?P<registry>(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com)/"
    r"(?P<repository>[a-z0-9._/-]+)(?::(?P<tag>[\w.-]+))?(?:@(?P<digest>sha256:[0-9a-f]{64}))?$"
)


@dataclass(frozen=True)
class ImageReference:
    """A parsed image reference."""

    text: str
    registry: str | None = None
    account: str | None = None
    region: str | None = None
    repository: str | None = None
    tag: str | None = None
    digest: str | None = None

    @property
    def is_ecr(self) -> bool:
        return self.repository is not None

    @property
    def tag_or_default(self) -> str:
        return self.tag or "latest"

    @property
    def image_id(self) -> dict[str, str]:
        """The ``imageIds`` entry ECR's BatchGetImage takes."""
        return {"imageDigest": self.digest} if self.digest else {"imageTag": self.tag_or_default}

    @property
    def resolved(self) -> str:
        """The reference as the puller resolves it (``:latest`` when no tag is given)."""
        if not self.is_ecr:
            return self.text
        base = f"{self.registry}/{self.repository}"
        if self.digest:
            return f"{base}:{self.tag}@{self.digest}" if self.tag else f"{base}@{self.digest}"
        return f"{base}:{self.tag_or_default}"


def parse_image(text: str) -> ImageReference:
    found = _ECR.match(text)
    if not found:
        return ImageReference(text)
    return ImageReference(text, **{k: v for k, v in found.groupdict().items() if v})


class Images:
    """Programs by image: ``repository:tag`` and ``repository@digest`` of this account's ECR."""

    def __init__(self) -> None:
        self._programs: dict[str, Program] = {}

    def register(
        self, repository: str, program: Program, tag: str | None = None, digest: str | None = None
    ) -> None:
        if tag:
            self._programs[f"{repository}:{tag}"] = program
        if digest:
            self._programs[f"{repository}@{digest}"] = program

    def program_for(self, image: ImageReference, digest: str | None = None) -> Program | None:
        if not image.is_ecr:
            return None
        for key in (
            f"{image.repository}@{digest or image.digest}",
            f"{image.repository}:{image.tag_or_default}",
        ):
            if key in self._programs:
                return self._programs[key]
        return None
