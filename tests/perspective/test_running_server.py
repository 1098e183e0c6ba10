"""Against running servers and a real realtime scorer process, as Coral's
Perspective phase calls it: ``POST {endpoint}/comments:analyze?key=...``,
with the endpoint either the scorer's own port or the web process."""
import pytest
import requests

from perspective import realtime
from tests.perspective.conftest import toxicity_of

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("door", ["scorer", "web"])
def test_coral_perspective_phase_request_gets_a_score(live_server, api_key, scorer_process, door):
    # What a site types into Coral's "Perspective endpoint": the scorer's own port, or the web process.
    endpoint = f"{scorer_process.url if door == 'scorer' else live_server.url}/v1alpha1"
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
    assert value == pytest.approx(toxicity_of(text)["toxicity"], abs=1e-6)


def test_the_process_stops_cleanly_and_then_calls_get_a_503(live_server, api_key, scorer_process):
    scorer_process.process.terminate()
    scorer_process.process.wait(timeout=20)
    assert not realtime.connection().exists(realtime.ALIVE)
    response = requests.post(f"{live_server.url}/v1alpha1/comments:analyze?key={api_key[1]}", timeout=10,
                             json={"comment": {"text": "hi"}, "requestedAttributes": {"TOXICITY": {}}},
                             headers={"Connection": "close"})  # else the server thread keeps its DB connection
    assert response.status_code == 503 and response.json()["error"]["status"] == "UNAVAILABLE"
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{scorer_process.url}/healthz", timeout=5)
