"""Small helpers shared by the API tests."""

from dangan.core.models import AuditEntry


def ids(response) -> set[int]:
    """The ids on one page of a list response."""
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def count(response) -> int:
    assert response.status_code == 200, response.content
    return response.json()["count"]


def item_payload(world, **overrides) -> dict:
    payload = {
        "fonds": world.fonds_a.pk,
        "category": world.category.pk,
        "year": 2023,
        "retention": world.retention.pk,
        "org_code": "BGS",
        "title": "关于做好防汛工作的通知",
        "creator": "城关镇人民政府",
        "security_level": "public",
        "control": "open",
    }
    payload.update(overrides)
    return payload


def denials(username: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action="denied", actor_name=username))


def error_fields(response) -> set[str]:
    """The fields a 400 response names."""
    assert response.status_code == 400, (response.status_code, response.content)
    return set(response.json())
