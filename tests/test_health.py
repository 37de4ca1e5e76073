import dataclasses

from saas.app import create_app


def test_healthy_with_database_redis_and_a_live_worker(client, worker):
    import time

    deadline = time.monotonic() + 20
    while True:
        response = client.get("/healthz")
        if response.status_code == 200 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert response.status_code == 200, response.json
    assert response.json["database"]["ok"] and response.json["redis"]["ok"]
    assert response.json["worker"]["alive"] >= 1


def test_unhealthy_when_redis_is_down(settings, db):
    broken = dataclasses.replace(settings, redis_url="redis://127.0.0.1:1/0")
    response = create_app(broken).test_client().get("/healthz")
    assert response.status_code == 503
    body = response.json
    assert body["status"] == "degraded"
    assert body["database"]["ok"] is True
    assert body["redis"]["ok"] is False and body["worker"]["ok"] is False


def test_unhealthy_when_the_database_is_down(settings):
    broken = dataclasses.replace(
        settings, database_url="postgresql+psycopg://postgres@127.0.0.1:1/kaohe"
    )
    response = create_app(broken).test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["database"] == {"ok": False, "error": "OperationalError"}
