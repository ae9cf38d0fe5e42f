#!/usr/bin/env python3
"""Publishes a forged event for one animal straight to the cattle topic, bypassing the
server: a copy of the animal's latest envelope claiming the next sequence, with one payload
value changed and the old signature. Every consumer, and the browser's verifier, must call it
broken. Used by the end-to-end tests; prints the forged event_id."""
import argparse
import json
import sys
import uuid

from confluent_kafka import Consumer, KafkaException, Producer

from peek_events import cloud_event_headers


def latest_envelope(brokers: str, topic: str, key: str, timeout: float) -> dict:
    consumer = Consumer({
        "bootstrap.servers": brokers,
        "group.id": f"forge-{uuid.uuid4()}",
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
    })
    consumer.subscribe([topic])
    latest = None
    seen_any = False
    try:
        while True:
            # Joining the group takes a while; after the first message, silence means the end.
            message = consumer.poll(timeout if seen_any else 30.0)
            if message is None:
                break
            seen_any = True
            if message.error():
                raise KafkaException(message.error())
            if (message.key() or b"").decode() != key:
                continue
            envelope = json.loads(message.value())
            if latest is None or envelope["metadata"]["sequence"] > latest["metadata"]["sequence"]:
                latest = envelope
    finally:
        consumer.close()
    if latest is None:
        raise SystemExit(f"no event with key {key} on {topic}")
    return latest


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--brokers", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--cattle-id", required=True, type=int)
    parser.add_argument("--timeout", type=float, default=3.0)
    args = parser.parse_args()
    key = f"cattle-{args.cattle_id}"
    envelope = latest_envelope(args.brokers, args.topic, key, args.timeout)
    forged = json.loads(json.dumps(envelope))
    forged["metadata"]["event_id"] = f"evt_forged{uuid.uuid4().hex[:22]}"
    forged["metadata"]["sequence"] += 1
    forged["metadata"]["event_ref"] = f"forged-{uuid.uuid4().hex}"
    # A key of its own, or every consumer would skip it as a repeat of the original.
    forged["metadata"]["idempotency_key"] = uuid.uuid4().hex + uuid.uuid4().hex
    # Same type and shape, one value changed: the payload hash and signature no longer hold.
    for name, value in forged["payload"].items():
        if isinstance(value, str):
            forged["payload"][name] = value + " (forged)"
            break
    else:
        forged["payload"]["forged"] = True
    producer = Producer({"bootstrap.servers": args.brokers, "enable.idempotence": True, "acks": "all"})
    # A careful forger copies the record's headers too: only the verifier can tell.
    headers = [(name, value.encode()) for name, value in cloud_event_headers(forged, key).items()]
    producer.produce(args.topic, key=key.encode(), value=json.dumps(forged).encode(),
                     headers=headers)
    if producer.flush(20) != 0:
        print("the broker did not acknowledge the forged event", file=sys.stderr)
        return 1
    print(forged["metadata"]["event_id"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
