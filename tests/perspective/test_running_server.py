"""Against a running server and a real realtime scorer process, as Coral's
Perspective phase calls it: ``POST {endpoint}/comments:analyze?key=...``."""
import os
import subprocess
import sys

import pytest
import requests

from perspective import realtime
from tests.support.processes import ROOT, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def scorer_process(tiny_models, tiny_detoxify, realtime_redis, tmp_path):
    env = {**os.environ, "TOXICITY_BACKEND": "detoxify", "DETOXIFY_CHECKPOINT": str(tiny_detoxify.checkpoint),
           "DETOXIFY_HF_CONFIG": str(tiny_detoxify.hf_config_dir), "FRAMING_SEMANTIC": "0",
           "REDIS_URL": realtime_redis.url, "DJANGO_SETTINGS_MODULE": "config.test_settings"}
    log = (tmp_path / "realtime.log").open("wb")
    process = subprocess.Popen([sys.executable, "manage.py", "realtime_scorer"], cwd=ROOT, env=env, stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_for(lambda: realtime.connection().exists(realtime.ALIVE), timeout=120, what="the realtime scorer process")
        yield process
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


def test_coral_perspective_phase_request_gets_a_score(live_server, api_key, scorer_process):
    endpoint = f"{live_server.url}/v1alpha1"  # what a site types into Coral's "Perspective endpoint"
    text = "You are a complete idiot."
    # The call Coral's toxic phase makes (fetch(`${endpoint}/comments:analyze?key=${key}`, ...)).
    response = requests.post(
        f"{endpoint}/comments:analyze?key={api_key[1]}",
        headers={"Content-Type": "application/json"},
        data='{"comment":{"text":"%s"},"languages":["en"],"doNotStore":true,"requestedAttributes":{"TOXICITY":{}}}' % text,
        timeout=10,
    )
    assert response.status_code == 200, response.text
    value = response.json()["attributeScores"]["TOXICITY"]["summaryScore"]["value"]
    from tests.perspective.conftest import toxicity_of

    assert value == pytest.approx(toxicity_of(text)["toxicity"], abs=1e-6)


def test_the_process_stops_cleanly_and_then_calls_get_a_503(live_server, api_key, scorer_process):
    scorer_process.terminate()
    scorer_process.wait(timeout=20)
    assert not realtime.connection().exists(realtime.ALIVE)
    response = requests.post(f"{live_server.url}/v1alpha1/comments:analyze?key={api_key[1]}", timeout=10,
                             json={"comment": {"text": "hi"}, "requestedAttributes": {"TOXICITY": {}}})
    assert response.status_code == 503 and response.json()["error"]["status"] == "UNAVAILABLE"
