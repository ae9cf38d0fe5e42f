#!/usr/bin/env python3
"""Reads envelopes from an iCattle topic with an independent Kafka client (confluent-kafka)
and prints them; with --check, fails unless each has the seed's field names."""
import argparse
import json
import sys
import uuid

from confluent_kafka import Consumer, KafkaException

SEED_FIELDS = {
    "metadata": {"event_id", "event_type", "event_ref", "cattle_id", "occurred_at",
                 "recorded_at", "idempotency_key", "source_system", "schema_version",
                 "sequence"},
    "cryptography": {"payload_hash", "signature", "public_key"},
}


def missing_fields(envelope: dict) -> list:
    missing = []
    for block, fields in SEED_FIELDS.items():
        present = envelope.get(block) or {}
        missing += [f"{block}.{f}" for f in sorted(fields - present.keys())]
    if "payload" not in envelope:
        missing.append("payload")
    return missing


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--brokers", default="127.0.0.1:19092")
    parser.add_argument("--topic", default="icattle.cattle.events")
    parser.add_argument("--count", type=int, default=10, help="stop after this many")
    parser.add_argument("--timeout", type=float, default=20.0, help="seconds without a message")
    parser.add_argument("--check", action="store_true", help="fail on a missing seed field")
    args = parser.parse_args()

    consumer = Consumer({
        "bootstrap.servers": args.brokers,
        "group.id": f"peek-{uuid.uuid4()}",
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
    })
    consumer.subscribe([args.topic])
    seen = 0
    try:
        while seen < args.count:
            message = consumer.poll(args.timeout)
            if message is None:
                break
            if message.error():
                raise KafkaException(message.error())
            envelope = json.loads(message.value())
            print(json.dumps(envelope, indent=2))
            seen += 1
            if args.check and missing_fields(envelope):
                print(f"missing seed fields: {missing_fields(envelope)}", file=sys.stderr)
                return 1
    finally:
        consumer.close()
    if seen == 0:
        print(f"no message on {args.topic} at {args.brokers}", file=sys.stderr)
        return 1
    print(f"{seen} envelope(s) read from {args.topic}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
