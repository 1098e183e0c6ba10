from webhooks.models import Delivery
from webhooks.services.deliveries import delivery_process


def process_all(*, holder: str = "test") -> list[str]:
    """Process every delivery that is due, oldest first, as the workers would."""
    outcomes = []
    for pk in Delivery.objects.order_by("received_at", "pk").values_list("pk", flat=True):
        outcomes.append(delivery_process(delivery_pk=pk, holder=holder))
    return outcomes
