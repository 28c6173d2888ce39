"""Pages of the console's lists: ``?page=N&size=M`` (size at most 100), and the pager's links."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

PAGE_SIZE = 100
MAX_PAGE = 100_000


@dataclass(frozen=True)
class Paging:
    """The page asked for; ``links`` adds what the pager shows once the total is known."""

    page: int
    size: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size

    def links(self, request: Request, total: int) -> dict[str, object]:
        """Page N of M and the previous/next URLs (the other query parameters kept)."""
        pages = max(1, -(-total // self.size))
        url = request.url

        def to(page: int) -> str:
            return f"{url.path}?{url.include_query_params(page=page).query}"

        return {"page": self.page, "pages": pages, "total": total,
                "prev": to(self.page - 1) if self.page > 1 else "",
                "next": to(self.page + 1) if self.page < pages else ""}  # fmt: skip


def paging(request: Request) -> Paging:
    """The request's page and size; anything malformed or out of range gives the defaults."""
    return Paging(
        page=_number(request.query_params.get("page"), 1, MAX_PAGE, 1),
        size=_number(request.query_params.get("size"), 1, PAGE_SIZE, PAGE_SIZE),
    )


def _number(text: str | None, low: int, high: int, default: int) -> int:
    if text is None or not text.isdigit() or len(text) > 6:
        return default
    return min(max(int(text), low), high)
